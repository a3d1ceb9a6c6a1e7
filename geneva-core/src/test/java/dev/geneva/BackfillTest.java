package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.Columns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackfillTest {
  @TempDir Path dir;

  @Test
  void backfill_whenScalarUdf_everyLiveRowMatchesIndependentComputation() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 5_000, 1_200);
      t.delete("id % 10 = 4");
      t.addColumns(Map.of("len", new TextLength()));
      BackfillResult r = t.backfill("len", BackfillOptions.builder().concurrency(2).build());

      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(4_500);
      len.forEach(
          (id, v) -> assertThat(v).as("len of id %d", id).isEqualTo(TextLength.expected(id)));
      assertThat(r.rowsProcessed()).isEqualTo(4_500);
      assertThat(r.fragments()).isEqualTo(5);
      assertThat(r.committedVersion()).isGreaterThan(r.readVersion());
    }
  }

  @Test
  void backfill_whenTasksSplitFragmentsWithDeletions_everyLiveRowMatchesIndependentComputation() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 3_000, 1_000);
      t.delete("id % 10 = 4");
      t.addColumns(Map.of("len", new TextLength()));
      BackfillResult r =
          t.backfill("len", BackfillOptions.builder().concurrency(2).rowsPerTask(300).build());

      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(2_700);
      len.forEach(
          (id, v) -> assertThat(v).as("len of id %d", id).isEqualTo(TextLength.expected(id)));
      assertThat(r.rowsProcessed()).isEqualTo(2_700);
      assertThat(r.tasks()).isEqualTo(12);
    }
  }
}
