package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowChunker;
import dev.geneva.testing.SlowLength;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MaterializedView#refreshAsync}: live progress, and a cancel that leaves it resumable. */
class RefreshJobTest {
  @TempDir Path dir;
  Connection db;
  Table docs;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    docs = SampleTables.create(db, "docs", 1_000, 100);
  }

  @AfterEach
  void close() {
    db.close();
  }

  static RefreshOptions slowBackfill() {
    return RefreshOptions.builder()
        .backfillOptions(BackfillOptions.builder().concurrency(1).batchSize(16).build())
        .build();
  }

  MaterializedView lengths(String name) {
    return db.createMaterializedView(
        name, docs.query().select("id", "text"), Map.of("len", new SlowLength()));
  }

  /** Polls the job's progress until {@code done} holds, collecting the snapshots. */
  static RefreshProgress await(
      RefreshJob job, Predicate<RefreshProgress> done, List<RefreshProgress> seen)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      RefreshProgress p = job.progress();
      seen.add(p);
      if (done.test(p)) {
        return p;
      }
      if (job.future().isDone()) {
        throw new AssertionError("the refresh ended before " + done + ": " + p);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("timed out; last progress " + seen.get(seen.size() - 1));
  }

  @Test
  void refreshAsync_reportsLiveProgressAndTheResult() throws Exception {
    MaterializedView view = lengths("lengths");

    RefreshJob job = view.refreshAsync(slowBackfill());
    List<RefreshProgress> seen = new ArrayList<>();
    RefreshProgress computing =
        await(job, p -> p.backfill().isPresent() && p.backfill().get().rowsDone() > 0, seen);
    RefreshResult result = job.join(120, TimeUnit.SECONDS);
    RefreshProgress end = job.progress();

    assertThat(computing.phase()).isEqualTo(RefreshProgress.Phase.BACKFILLING);
    assertThat(computing.sourceRowsAdded()).isEqualTo(1_000);
    assertThat(computing.fragmentsDone()).isEqualTo(computing.fragmentsTotal()).isEqualTo(10);
    assertThat(computing.backfill().get().column()).isEqualTo("len");
    assertThat(computing.rowsComputed()).isBetween(1L, 999L);
    Set<RefreshProgress.Phase> phases = EnumSet.noneOf(RefreshProgress.Phase.class);
    seen.forEach(p -> phases.add(p.phase()));
    assertThat(phases).contains(RefreshProgress.Phase.BACKFILLING);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).viewRowsAdded())
          .isGreaterThanOrEqualTo(seen.get(i - 1).viewRowsAdded());
    }

    assertThat(result.sourceRowsAdded()).isEqualTo(1_000);
    assertThat(end.phase()).isEqualTo(RefreshProgress.Phase.ENDED);
    assertThat(end.viewRowsAdded()).isEqualTo(result.viewRowsAdded());
    assertThat(end.columnsDone()).isEqualTo(end.columnsTotal()).isEqualTo(1);
    assertThat(end.rowsComputed()).isEqualTo(result.backfills().get("len").rowsProcessed());
    assertThat(end.backfill()).isEmpty();
    assertThat(job.cancel()).isFalse();
  }

  @Test
  void cancel_duringTheUdfColumnsBackfill_stopsAndTheNextRefreshFinishesExactly() throws Exception {
    MaterializedView view = lengths("lengths");

    RefreshJob job = view.refreshAsync(slowBackfill());
    await(
        job,
        p -> p.backfill().isPresent() && p.backfill().get().rowsDone() >= 64,
        new ArrayList<>());
    assertThat(job.cancel()).isTrue();

    assertThatThrownBy(() -> job.join(120, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("refresh of view 'lengths' was cancelled")
        .hasMessageContaining("refresh the view again to finish");
    assertThat(job.progress().phase()).isEqualTo(RefreshProgress.Phase.ENDED);
    assertThat(view.refreshedVersion()).isEmpty();
    assertThat(view.table().countRows()).isEqualTo(1_000);
    long missing = view.table().countRows("len IS NULL AND text IS NOT NULL");
    assertThat(missing).as("the cancelled backfill left values to compute").isPositive();

    RefreshResult resumed = view.refresh(slowBackfill());

    assertThat(resumed.sourceRowsAdded()).isZero();
    assertThat(view.refreshedVersion()).hasValue(docs.version());
    MaterializedView scratch = lengths("scratch");
    scratch.refresh(slowBackfill());
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
  }

  @Test
  void cancel_whileRowsAreAdded_stopsAfterACommittedFragmentAndTheNextRefreshFinishesExactly()
      throws Exception {
    MaterializedView view =
        db.createUdtfView("chunks", docs.query().select("id", "text"), new SlowChunker());

    RefreshJob job = view.refreshAsync();
    RefreshProgress syncing = await(job, p -> p.fragmentsDone() >= 2, new ArrayList<>());
    assertThat(job.cancel()).isTrue();

    assertThatThrownBy(job::join)
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("of 10 source fragments");
    assertThat(syncing.phase()).isEqualTo(RefreshProgress.Phase.SYNCING);
    long partial = view.table().countRows();
    assertThat(partial).isPositive();
    assertThat(job.progress().fragmentsDone()).isLessThan(10);
    assertThat(view.planRefresh().resuming()).isTrue();

    RefreshResult resumed = view.refresh();

    assertThat(resumed.viewRowsAdded()).isEqualTo(view.table().countRows() - partial);
    MaterializedView scratch =
        db.createUdtfView("scratch", docs.query().select("id", "text"), new SlowChunker());
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
  }
}
