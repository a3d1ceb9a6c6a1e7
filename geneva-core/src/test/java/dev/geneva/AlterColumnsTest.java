package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.RowScripted;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code alterColumns} changes a column's UDF, and a default backfill after a UDF change (new
 * class, version or inputs) recomputes every row, resumably, then goes back to computing null rows
 * only.
 */
class AlterColumnsTest {
  @TempDir Path dir;
  Connection db;
  Table table;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    table = SampleTables.create(db, "docs", 300, 100);
    table.delete("id % 10 = 9");
    Scripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
    Scripted.function = id -> id * 2;
    table.addColumns(Map.of("n", new Scripted()));
    table.backfill("n");
  }

  @AfterEach
  void close() {
    Scripted.spec = null;
    Scripted.function = null;
    RowScripted.spec = null;
    RowScripted.function = null;
    db.close();
  }

  private void assertValues(java.util.function.LongUnaryOperator expected) {
    Map<Long, Object> values = LanceColumns.byId(db.allocator(), table.uri(), "n");
    assertThat(values).hasSize(270);
    values.forEach((id, v) -> assertThat(v).as("row %d", id).isEqualTo(expected.applyAsLong(id)));
  }

  @Test
  void backfill_whenAlteredToAnotherUdf_recomputesEveryRowOnceAndSaysWhy() {
    RowScripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
    RowScripted.function = row -> row.getLong("id") * 3;
    long before = table.version();

    long altered = table.alterColumns(Map.of("n", new RowScripted()));
    assertValues(id -> id * 2);
    BackfillPlanSummary plan = table.planBackfill("n");
    BackfillResult r = table.backfill("n");
    BackfillResult again = table.backfill("n");

    assertThat(altered).isEqualTo(before + 1);
    assertThat(plan.filter()).contains("all rows", "UDF changed", RowScripted.class.getName());
    assertThat(plan.rowsSelected()).isEqualTo(270);
    assertThat(r.recomputedForUdfChange()).isTrue();
    assertThat(r.udfChange())
        .isEqualTo("UDF " + Scripted.class.getName() + " -> " + RowScripted.class.getName());
    assertThat(r.rowsProcessed()).isEqualTo(270);
    assertValues(id -> id * 3);
    assertThat(again.udfChange()).isNull();
    assertThat(again.rowsProcessed()).isZero();
    assertThat(db.openTable("docs").schema().findField("n").getMetadata())
        .containsEntry("geneva.udf.class", RowScripted.class.getName());
    assertThat(LanceColumns.scanAll(db.allocator(), table.uri())).isEqualTo(270);
  }

  @Test
  void backfill_whenUdfVersionChangedWithoutAlter_recomputesEveryRow() {
    Scripted.spec = Scripted.spec.toBuilder().version("2").build();
    Scripted.function = id -> id * 5;

    BackfillResult r = table.backfill("n");

    assertThat(r.udfChange()).isEqualTo("version 1 -> 2");
    assertThat(r.rowsProcessed()).isEqualTo(270);
    assertValues(id -> id * 5);
    assertThat(table.backfill("n").rowsProcessed()).isZero();
    assertThat(table.schema().findField("n").getMetadata())
        .containsEntry("geneva.udf.version", "2");
  }

  @Test
  void backfill_whenAlteredInputsAndRunFailsHalfway_resumesTheFullRecomputation() {
    AtomicBoolean failOnce = new AtomicBoolean(true);
    Scripted.spec = UdfSpec.builder().inputs("id", "text").output(UdfTypes.int64()).build();
    table.alterColumns(Map.of("n", new Scripted()));
    Scripted.function =
        id -> {
          if (id == 250 && failOnce.getAndSet(false)) {
            throw new IllegalStateException("injected failure for id 250");
          }
          return id * 7;
        };
    BackfillOptions split =
        BackfillOptions.builder().concurrency(1).rowsPerTask(50).commitEvery(1).build();

    assertThatThrownBy(() -> table.backfill("n", split))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("injected failure for id 250");
    BackfillResult resumed = table.backfill("n", split);

    assertThat(resumed.udfChange()).isEqualTo("inputs [id] -> [id, text]");
    assertThat(resumed.rowsSkipped()).as("rows reused from checkpoints").isPositive();
    assertThat(resumed.rowsProcessed() + resumed.rowsSkipped()).isEqualTo(270);
    assertValues(id -> id * 7);
    assertThat(table.backfill("n").rowsProcessed()).isZero();
  }

  @Test
  void backfill_whenUdfChangedAndWhereGiven_computesOnlyThoseRowsAndStaysStale() {
    Scripted.spec = Scripted.spec.toBuilder().version("2").build();
    Scripted.function = id -> -id;

    BackfillResult some = table.backfill("n", BackfillOptions.builder().where("id < 100").build());
    BackfillResult rest = table.backfill("n");

    assertThat(some.udfChange()).isNull();
    assertThat(some.rowsProcessed()).isEqualTo(90);
    assertThat(rest.udfChange()).isEqualTo("version 1 -> 2");
    assertThat(rest.rowsProcessed()).isEqualTo(270);
    assertValues(id -> -id);
  }

  @Test
  void alterColumns_whenColumnMissingNotUdfOrTypeChanges_refusesBeforeTheTableChanges() {
    long version = table.version();
    RowScripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.utf8()).build();
    RowScripted.function = row -> "x";

    assertThatThrownBy(() -> table.alterColumns(Map.of("missing", new RowScripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("has no column 'missing'");
    assertThatThrownBy(() -> table.alterColumns(Map.of("text", new RowScripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'text'")
        .hasMessageContaining("has no UDF");
    assertThatThrownBy(() -> table.alterColumns(Map.of("n", new RowScripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("holds Int(64, true)")
        .hasMessageContaining("drop the column and add it again");
    RowScripted.spec = UdfSpec.builder().inputs("nope").output(UdfTypes.int64()).build();
    assertThatThrownBy(() -> table.alterColumns(Map.of("n", new RowScripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("input column 'nope'");
    assertThat(table.version()).isEqualTo(version);
    assertThat(table.backfill("n").rowsProcessed()).isZero();
  }
}
