package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.IdSignature;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two backfills of the same column at once never lose each other's values. */
class ConcurrentBackfillTest {
  @TempDir Path dir;

  @AfterEach
  void release() {
    CountDownLatch hold = IdSignature.HOLD.getAndSet(null);
    if (hold != null) {
      hold.countDown();
    }
    IdSignature.HOLD_BELOW.set(0);
  }

  @Test
  void backfill_whenAnotherBackfillCommitsSameFragmentsFirst_failsAndKeepsTheOthersValues()
      throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 1_000, 500);
      t.addColumns(Map.of("sig", new IdSignature()));
      CountDownLatch hold = new CountDownLatch(1);
      IdSignature.HOLD_BELOW.set(100);
      IdSignature.HOLD.set(hold);
      BackfillJob low = t.backfillAsync("sig", BackfillOptions.builder().where("id < 100").build());

      BackfillResult high = t.backfill("sig", BackfillOptions.builder().where("id >= 100").build());
      hold.countDown();

      assertThat(high.rowsProcessed()).isEqualTo(900);
      assertThatThrownBy(() -> low.future().get(60, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(GenevaException.class)
          .rootCause()
          .hasMessageContaining("fragment 0")
          .hasMessageContaining("'sig' was written by another backfill");
      Map<Long, Object> afterBoth = LanceColumns.byId(t.uri(), "sig");
      for (long id = 100; id < 1_000; id++) {
        assertThat(afterBoth.get(id)).as("sig of id %d", id).isEqualTo(IdSignature.expected(id));
      }

      t.backfill("sig");

      LanceColumns.byId(t.uri(), "sig")
          .forEach(
              (id, v) -> assertThat(v).as("sig of id %d", id).isEqualTo(IdSignature.expected(id)));
    }
  }

  @Test
  void backfill_whenRowsAreAppendedWhileItRuns_commitsItsRowsAndRerunFillsOnlyTheNewOnes()
      throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 1_000, 500);
      t.addColumns(Map.of("sig", new IdSignature()));
      CountDownLatch hold = new CountDownLatch(1);
      IdSignature.HOLD_BELOW.set(100);
      IdSignature.HOLD.set(hold);
      BackfillJob running = t.backfillAsync("sig");

      AddResult added;
      try (ArrowStreamReader rows = SampleTables.rows(db.allocator(), 1_000, 500)) {
        added = t.add(rows);
      }
      hold.countDown();
      BackfillResult first = running.future().get(60, TimeUnit.SECONDS);

      assertThat(added.rowsAdded()).isEqualTo(500);
      assertThat(first.rowsProcessed()).isEqualTo(1_000);
      Map<Long, Object> afterFirst = LanceColumns.byId(t.uri(), "sig");
      assertThat(afterFirst).hasSize(1_500);
      for (long id = 0; id < 1_500; id++) {
        assertThat(afterFirst.get(id))
            .as("sig of id %d", id)
            .isEqualTo(id < 1_000 ? IdSignature.expected(id) : null);
      }

      BackfillResult rerun = t.backfill("sig");

      assertThat(rerun.rowsProcessed()).isEqualTo(500);
      LanceColumns.byId(t.uri(), "sig")
          .forEach(
              (id, v) -> assertThat(v).as("sig of id %d", id).isEqualTo(IdSignature.expected(id)));
    }
  }
}
