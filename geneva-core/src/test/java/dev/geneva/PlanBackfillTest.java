package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.Faults;
import dev.geneva.testing.IdSignature;
import dev.geneva.testing.SampleTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Table#planBackfill}: the real planner's numbers, and nothing computed or written. */
class PlanBackfillTest {
  @TempDir Path dir;
  Connection db;

  @BeforeEach
  void open() {
    Faults.reset();
    db = Geneva.connect(dir.toString());
  }

  @AfterEach
  void close() {
    Faults.reset();
    db.close();
  }

  /** Every file under the table's directory, with its size. */
  private static Set<String> files(Table t) throws IOException {
    try (Stream<Path> all = Files.walk(Path.of(t.uri()))) {
      return all.filter(Files::isRegularFile)
          .map(p -> p + ":" + p.toFile().length())
          .collect(Collectors.toSet());
    }
  }

  @Test
  void planBackfill_whenColumnIsNew_reportsEveryRowAndComputesAndWritesNothing()
      throws IOException {
    Table t = SampleTables.create(db, "docs", 3_000, 1_000);
    t.addColumns(Map.of("sig", new IdSignature()));
    long version = t.version();
    Set<String> before = files(t);
    long calls = IdSignature.CALLS.get();
    BackfillOptions options = BackfillOptions.builder().rowsPerTask(500).concurrency(2).build();

    BackfillPlanSummary plan = t.planBackfill("sig", options);

    assertThat(plan)
        .isEqualTo(
            new BackfillPlanSummary(
                t.uri(),
                "sig",
                IdSignature.class.getName(),
                new IdSignature().spec().version(),
                "`sig` IS NULL",
                version,
                3_000,
                3,
                6,
                0,
                0,
                3_000));
    assertThat(IdSignature.CALLS.get()).isEqualTo(calls);
    assertThat(t.version()).isEqualTo(version);
    assertThat(files(t)).isEqualTo(before);
    assertThat(Path.of(t.uri(), "_geneva")).doesNotExist();

    BackfillResult r = t.backfill("sig", options);
    assertThat(r.rowsProcessed()).isEqualTo(plan.rowsToCompute());
    assertThat(r.tasks()).isEqualTo(plan.tasks());
    assertThat(r.fragments()).isEqualTo(plan.fragments());
    assertThat(r.readVersion()).isEqualTo(plan.readVersion());
  }

  @Test
  void planBackfill_whenEarlierRunCheckpointedTasks_countsThemReusableAndLeavesThemInPlace()
      throws IOException {
    Table t = SampleTables.create(db, "docs", 1_000, 1_000);
    t.addColumns(Map.of("sig", new IdSignature()));
    BackfillOptions options = BackfillOptions.builder().rowsPerTask(250).concurrency(1).build();
    Faults.FAILING_IDS.add(900L);
    assertThatThrownBy(() -> t.backfill("sig", options))
        .isInstanceOf(BackfillFailedException.class);
    Faults.reset();
    long version = t.version();
    Set<String> before = files(t);

    BackfillPlanSummary plan = t.planBackfill("sig", options);

    assertThat(plan.tasks()).isEqualTo(4);
    assertThat(plan.tasksReusable()).isEqualTo(3);
    assertThat(plan.rowsSelected()).isEqualTo(1_000);
    assertThat(plan.rowsReusable()).isEqualTo(750);
    assertThat(plan.rowsToCompute()).isEqualTo(250);
    assertThat(t.version()).isEqualTo(version);
    assertThat(files(t)).isEqualTo(before);

    BackfillResult r = t.backfill("sig", options);
    assertThat(r.rowsSkipped()).isEqualTo(plan.rowsReusable());
    assertThat(r.rowsProcessed()).isEqualTo(plan.rowsToCompute());
  }

  @Test
  void planBackfill_whenRowsAppendedOrWhereGiven_selectsOnlyThoseRows() throws IOException {
    Table t = SampleTables.create(db, "docs", 2_000, 1_000);
    t.addColumns(Map.of("sig", new IdSignature()));
    t.backfill("sig");
    try (ArrowReader rows = SampleTables.rows(db.allocator(), 2_000, 500)) {
      t.add(rows);
    }

    BackfillPlanSummary missing = t.planBackfill("sig");
    BackfillPlanSummary some =
        t.planBackfill("sig", BackfillOptions.builder().where("id < 10").build());

    assertThat(missing.rowsSelected()).isEqualTo(500);
    assertThat(missing.fragments()).isEqualTo(1);
    assertThat(missing.tasks()).isEqualTo(1);
    assertThat(missing.rowsToCompute()).isEqualTo(500);
    assertThat(some.filter()).isEqualTo("id < 10");
    assertThat(some.rowsSelected()).isEqualTo(10);
    assertThat(some.fragments()).isEqualTo(1);
  }

  @Test
  void planBackfill_whenColumnHasNoUdf_throwsInvalidInput() {
    Table t = SampleTables.create(db, "docs", 10, 10);

    assertThatThrownBy(() -> t.planBackfill("text"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'text'")
        .hasMessageContaining("has no UDF");
    assertThatThrownBy(() -> t.planBackfill("nope"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no column 'nope'");
  }
}
