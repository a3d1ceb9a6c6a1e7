package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.compaction.Compaction;
import com.lancedb.lance.compaction.CompactionOptions;
import com.lancedb.lance.compaction.CompactionPlan;
import com.lancedb.lance.compaction.CompactionTask;
import com.lancedb.lance.compaction.RewriteResult;
import dev.geneva.testing.IdSignature;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A compaction by another writer (plain lance-core) committing while a backfill runs: whichever
 * commits second is refused by Lance's conflict check, the backfill with an error that says what
 * happened and to run it again; no value is ever committed to another row.
 */
class ConcurrentCompactionTest {
  @TempDir Path dir;

  @AfterEach
  void release() {
    CountDownLatch hold = IdSignature.HOLD.getAndSet(null);
    if (hold != null) {
      hold.countDown();
    }
    IdSignature.HOLD_BELOW.set(0);
  }

  @ParameterizedTest(name = "column already compacted into the shared file: {0}")
  @ValueSource(booleans = {false, true})
  void backfill_whenTableIsCompactedWhileComputing_failsClearlyAndRerunIsCorrect(
      boolean compactedBefore) {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 200, 50);
      t.addColumns(Map.of("sig", new IdSignature()));
      t.delete("id % 9 = 4");
      if (compactedBefore) {
        CompactedTableBackfillTest.compactWithLance(
            t.uri(), CompactionOptions.builder().withTargetRowsPerFragment(60).build());
        t.add(List.of(Map.of("id", 200L, "text", "appended")));
      }
      CountDownLatch hold = new CountDownLatch(1);
      IdSignature.HOLD_BELOW.set(Long.MAX_VALUE);
      IdSignature.HOLD.set(hold);
      BackfillJob job =
          t.backfillAsync("sig", BackfillOptions.builder().concurrency(1).commitEvery(1).build());

      CompactedTableBackfillTest.compactWithLance(
          t.uri(),
          CompactionOptions.builder()
              .withTargetRowsPerFragment(1_000)
              .withMaterializeDeletions(true)
              .build());
      hold.countDown();

      assertThatThrownBy(job::join)
          .isInstanceOf(BackfillFailedException.class)
          .hasMessageContaining("was rewritten by another writer (update, compaction or overwrite)")
          .hasMessageContaining("Run the backfill again");
      // Nothing of the old fragments' results reached the new fragments.
      LanceColumns.byId(t.uri(), "sig")
          .forEach(
              (id, v) -> assertThat(v).as("sig of id %d", id).isIn(null, IdSignature.expected(id)));

      IdSignature.HOLD.set(null);
      t.backfill("sig");
      assertThat(LanceColumns.byId(t.uri(), "sig"))
          .isEqualTo(CompactedTableBackfillTest.expected(t.uri(), "sig"));
    }
  }

  @ParameterizedTest(name = "column already compacted into the shared file: {0}")
  @ValueSource(booleans = {false, true})
  void compaction_whenABackfillCommitsBetweenItsPlanAndCommit_isRefusedAndValuesStay(
      boolean compactedBefore) throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 200, 20);
      t.addColumns(Map.of("sig", new IdSignature()));
      if (compactedBefore) {
        CompactedTableBackfillTest.compactWithLance(
            t.uri(), CompactionOptions.builder().withTargetRowsPerFragment(50).build());
      }
      CompactionOptions options =
          CompactionOptions.builder().withTargetRowsPerFragment(1_000).build();
      try (BufferAllocator allocator = new RootAllocator();
          Dataset ds = Dataset.open(t.uri(), allocator)) {
        CompactionPlan plan = Compaction.planCompaction(ds, options);
        List<RewriteResult> rewritten = new ArrayList<>();
        for (CompactionTask task : plan.getCompactionTasks()) {
          rewritten.add(task.execute(ds));
        }

        t.backfill("sig");

        assertThatThrownBy(() -> Compaction.commitCompaction(ds, rewritten, options))
            .hasMessageContaining("onflict");
      }
      assertThat(LanceColumns.byId(t.uri(), "sig"))
          .isEqualTo(CompactedTableBackfillTest.expected(t.uri(), "sig"));
    }
  }
}
