package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.Faults;
import dev.geneva.testing.IdSignature;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resumed backfill reuses checkpointed parts of split fragments at their own rows. */
class BackfillResumeTest {
  @TempDir Path dir;

  @AfterEach
  void resetFaults() {
    Faults.reset();
    IdSignature.NULL_EVERY.set(0);
  }

  @Test
  void backfill_whenResumingSplitFragmentAfterEarlierFragmentsCommitted_partsKeepTheirRows() {
    BackfillOptions options = BackfillOptions.builder().rowsPerTask(500).concurrency(1).build();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 4_000, 1_000);
      t.addColumns(Map.of("sig", new IdSignature()));
      Faults.FAILING_IDS.add(3_999L);
      assertThatThrownBy(() -> t.backfill("sig", options))
          .isInstanceOf(BackfillFailedException.class);
      Faults.reset();

      BackfillResult r = t.backfill("sig", options);

      assertThat(r.rowsSkipped()).as("the first half of fragment 3 was reused").isEqualTo(500);
      Map<Long, Object> sig = LanceColumns.byId(t.uri(), "sig");
      assertThat(sig).hasSize(4_000);
      sig.forEach(
          (id, v) -> assertThat(v).as("sig of id %d", id).isEqualTo(IdSignature.expected(id)));
    }
  }
}
