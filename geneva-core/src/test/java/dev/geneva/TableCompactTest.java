package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.IdSignature;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableCompactTest {
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
  void compact_whenManySmallFragments_mergesThemAndKeepsEveryRowAndValue() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 1_000, 25);
      t.addColumns(Map.of("sig", new IdSignature()));
      t.backfill("sig", BackfillOptions.builder().where("id < 500").build());
      t.delete("id % 5 = 0");
      var before = LanceColumns.sortedRows(t.uri());
      long version = t.version();

      CompactResult r = t.compact(CompactOptions.builder().targetRowsPerFragment(400).build());

      assertThat(r.compacted()).isTrue();
      assertThat(r.fragmentsRemoved()).isEqualTo(40);
      assertThat(CompactedTableBackfillTest.fragmentIds(t.uri()))
          .hasSize((int) r.fragmentsAdded())
          .hasSizeLessThanOrEqualTo(3);
      assertThat(r.filesAdded()).isEqualTo(r.fragmentsAdded());
      assertThat(r.readVersion()).isEqualTo(version);
      assertThat(r.version()).isEqualTo(t.version()).isGreaterThan(version);
      assertThat(LanceColumns.sortedRows(t.uri())).isEqualTo(before);

      BackfillResult b = t.backfill("sig");

      assertThat(b.rowsProcessed()).isEqualTo(400);
      assertThat(LanceColumns.byId(t.uri(), "sig"))
          .isEqualTo(CompactedTableBackfillTest.expected(t.uri(), "sig"));
    }
  }

  @Test
  void compact_whenDeletionsAreNotMaterialized_keepsDeletedRowsHidden() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 300, 30);
      t.delete("id % 2 = 0");

      CompactResult r = t.compact(CompactOptions.builder().materializeDeletions(false).build());

      assertThat(r.fragmentsAdded()).isEqualTo(1);
      assertThat(LanceColumns.byId(t.uri(), "id"))
          .hasSize(150)
          .allSatisfy(
              (id, v) -> {
                assertThat(id % 2).isEqualTo(1);
              });
    }
  }

  @Test
  void compact_whenNothingToCompact_changesNothing() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 100, 1_000);
      long version = t.version();

      CompactResult r = t.compact();

      assertThat(r.compacted()).isFalse();
      assertThat(r).isEqualTo(new CompactResult(0, 0, 0, 0, version, version));
      assertThat(t.version()).isEqualTo(version);
    }
  }

  @Test
  void compact_whileABackfillRuns_isRefusedBeforeWritingUnlessAllowed() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 200, 20);
      t.addColumns(Map.of("sig", new IdSignature()));
      CountDownLatch hold = new CountDownLatch(1);
      IdSignature.HOLD_BELOW.set(Long.MAX_VALUE);
      IdSignature.HOLD.set(hold);
      BackfillJob job = t.backfillAsync("sig");
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (db.jobs(JobFilter.builder().table("docs").state(JobState.RUNNING).build()).isEmpty()
          && Instant.now().isBefore(deadline)) {
        Thread.sleep(20);
      }
      long version = t.version();

      assertThatThrownBy(t::compact)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("a backfill of column 'sig'")
          .hasMessageContaining("allowRunningBackfills(true)");
      assertThat(t.version()).isEqualTo(version);

      CompactResult r = t.compact(CompactOptions.builder().allowRunningBackfills(true).build());
      hold.countDown();

      assertThat(r.fragmentsRemoved()).isEqualTo(10);
      assertThatThrownBy(job::join)
          .isInstanceOf(BackfillFailedException.class)
          .hasMessageContaining("Run the backfill again");
      IdSignature.HOLD.set(null);
      t.backfill("sig");
      assertThat(LanceColumns.byId(t.uri(), "sig"))
          .isEqualTo(CompactedTableBackfillTest.expected(t.uri(), "sig"));
    }
  }

  @Test
  void builder_whenValuesAreOutOfRange_namesTheField() {
    assertThatThrownBy(() -> CompactOptions.builder().targetRowsPerFragment(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("targetRowsPerFragment");
    assertThatThrownBy(() -> CompactOptions.builder().maxRowsPerGroup(-1))
        .hasMessageContaining("maxRowsPerGroup");
    assertThatThrownBy(() -> CompactOptions.builder().materializeDeletionsThreshold(1.5f))
        .hasMessageContaining("materializeDeletionsThreshold");
    assertThatThrownBy(() -> CompactOptions.builder().maxCommitAttempts(0))
        .hasMessageContaining("maxCommitAttempts");
    CompactOptions o = CompactOptions.builder().targetRowsPerFragment(10).build();
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(CompactOptions.defaults().materializeDeletions()).isTrue();
  }

  @Test
  void compact_whenOptionsAreNull_failsNamingTheFix() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 10, 5);
      assertThatThrownBy(() -> t.compact(null))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("CompactOptions.defaults()");
    }
  }
}
