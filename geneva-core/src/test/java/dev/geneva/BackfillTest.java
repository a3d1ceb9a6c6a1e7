package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.ReadOptions;
import dev.geneva.testing.Columns;
import dev.geneva.testing.CountingStateful;
import dev.geneva.testing.Faults;
import dev.geneva.testing.FlakyLength;
import dev.geneva.testing.FlakyWideVector;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextEmbedding;
import dev.geneva.testing.TextLength;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackfillTest {
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

  private static BackfillOptions.Builder options() {
    return BackfillOptions.builder().concurrency(2).batchSize(256);
  }

  @Test
  void backfill_whenScalarUdf_everyLiveRowMatchesIndependentComputation() {
    Table t = SampleTables.create(db, "docs", 5_000, 1_200);
    t.delete("id % 10 = 4");
    t.addColumns(Map.of("len", new TextLength()));

    BackfillResult r = t.backfill("len", options().build());

    Map<Long, Object> len = Columns.byId(t, "len");
    assertThat(len).hasSize(4_500);
    len.forEach((id, v) -> assertThat(v).as("len of id %d", id).isEqualTo(TextLength.expected(id)));
    assertThat(r.rowsProcessed()).isEqualTo(4_500);
    assertThat(r.rowsSkipped()).isZero();
    assertThat(r.fragments()).isEqualTo(5);
    assertThat(r.executor()).isEqualTo("threads");
    assertThat(r.committedVersion()).isGreaterThan(r.readVersion());
  }

  @Test
  void backfill_whenColumnNameIsLongerThanAFileName_computesEveryRow() {
    String name = "z".repeat(300);
    Table t = SampleTables.create(db, "docs", 500, 200);
    t.addColumns(Map.of(name, new TextLength()));

    t.backfill(name, options().build());

    Map<Long, Object> len = LanceColumns.byId(t.uri(), name);
    assertThat(len).hasSize(500);
    len.forEach((id, v) -> assertThat(v).as("len of id %d", id).isEqualTo(TextLength.expected(id)));
  }

  @Test
  void backfill_whenFragmentSpansSeveralScanWindows_everyLiveRowMatches() {
    // 600k rows in one fragment: the task reads it in windows of 2^18 live rows.
    Table t = SampleTables.create(db, "docs", 600_000, 600_000);
    t.delete("id % 1000 = 1 OR (id >= 262000 AND id < 263000)");
    t.addColumns(Map.of("len", new TextLength()));

    BackfillResult r = t.backfill("len", options().batchSize(8192).build());

    Map<Long, Object> len = Columns.byId(t, "len");
    assertThat(len).hasSize(600_000 - 600 - 999);
    len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
    assertThat(r.rowsProcessed()).isEqualTo(len.size());
  }

  @Test
  void backfill_whenClosingWorkersFails_reportsItAndTheCommittedVersion() {
    Table t = SampleTables.create(db, "docs", 500, 250);
    t.addColumns(Map.of("len", new TextLength()));
    var threads = new dev.geneva.internal.engine.LocalThreadExecutor(db.allocator());
    dev.geneva.spi.BackfillExecutor failingClose =
        new dev.geneva.spi.BackfillExecutor() {
          @Override
          public String name() {
            return "failing-close";
          }

          @Override
          public dev.geneva.spi.ExecutorSession openSession(dev.geneva.spi.SessionSpec spec) {
            dev.geneva.spi.ExecutorSession inner = threads.openSession(spec);
            return new dev.geneva.spi.ExecutorSession() {
              @Override
              public java.util.concurrent.CompletableFuture<dev.geneva.spi.TaskResult> submit(
                  dev.geneva.spi.BackfillTask task, java.util.function.LongConsumer rowsDone) {
                return inner.submit(task, rowsDone);
              }

              @Override
              public void close() {
                inner.close();
                throw new IllegalStateException("worker 3 did not stop");
              }
            };
          }

          @Override
          public void close() {}
        };

    assertThatThrownBy(() -> t.backfill("len", options().executor(failingClose).build()))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("every fragment was committed")
        .hasMessageContaining("worker 3 did not stop");
    Columns.byId(t, "len").forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
  }

  @Test
  void backfill_whenRowsDeletedAfterBackfill_remainingRowsStillCorrect() {
    Table t = SampleTables.create(db, "docs", 3_000, 1_000);
    t.addColumns(Map.of("len", new TextLength()));
    t.backfill("len", options().build());

    t.delete("id >= 500 AND id < 1500");

    Map<Long, Object> len = Columns.byId(t, "len");
    assertThat(len).hasSize(2_000).doesNotContainKey(700L);
    len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
  }

  @Test
  void backfill_whenWhereGiven_computesSelectedRowsAndLeavesRestNull() {
    Table t = SampleTables.create(db, "docs", 2_000, 700);
    t.addColumns(Map.of("len", new TextLength()));

    BackfillResult r = t.backfill("len", options().where("id < 900").build());

    Map<Long, Object> len = Columns.byId(t, "len");
    len.forEach(
        (id, v) ->
            assertThat(v).as("id %d", id).isEqualTo(id < 900 ? TextLength.expected(id) : null));
    assertThat(r.rowsProcessed()).isEqualTo(900);
    assertThat(r.fragments()).isEqualTo(2);
  }

  @Test
  void backfill_whenDefaultRunAfterPartialWhere_keepsEarlierValuesAndFillsTheRest() {
    Table t = SampleTables.create(db, "docs", 2_000, 700);
    t.addColumns(Map.of("len", new TextLength()));
    t.backfill("len", options().where("id % 2 = 0").build());
    TextLength.CALLS.set(0);

    BackfillResult r = t.backfill("len", options().build());

    Map<Long, Object> len = Columns.byId(t, "len");
    len.forEach((id, v) -> assertThat(v).as("id %d", id).isEqualTo(TextLength.expected(id)));
    long nullTextRows = len.keySet().stream().filter(id -> TextLength.expected(id) == null).count();
    // The second run computes the odd rows plus even rows whose text (and so len) is null.
    long evenNull =
        len.keySet().stream().filter(id -> id % 2 == 0 && TextLength.expected(id) == null).count();
    assertThat(r.rowsProcessed()).isEqualTo(1_000 + evenNull);
    assertThat(TextLength.CALLS.get()).isEqualTo(1_000 + evenNull);
    assertThat(nullTextRows).isPositive();
  }

  @Test
  void backfill_whenRunAgainAfterSuccess_computesNothing() {
    Table t = SampleTables.create(db, "docs", 1_000, 400);
    t.addColumns(Map.of("len", new TextLength()));
    t.backfill("len", options().where("text IS NOT NULL").build());
    t.backfill("len", options().build());
    long version = t.version();

    BackfillResult again =
        t.backfill("len", options().where("text IS NOT NULL AND len IS NULL").build());

    assertThat(again.tasks()).isZero();
    assertThat(again.rowsProcessed()).isZero();
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void backfill_whenFailureHalfway_rerunDoesNotRecomputeFinishedTasks() {
    Table t = SampleTables.create(db, "docs", 4_000, 2_000);
    t.addColumns(Map.of("len", new FlakyLength()));
    Faults.FAILING_IDS.add(2_800L);
    BackfillOptions sequential = options().concurrency(1).rowsPerTask(500).build();

    assertThatThrownBy(() -> t.backfill("len", sequential))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("FlakyLength")
        .hasMessageContaining("'len'")
        .hasMessageContaining("fragment 1 row offset 800")
        .hasMessageContaining("run the backfill again");
    // Fragment 0 finished and was committed; fragment 1 finished one of its four tasks.
    assertThat(t.countRows("id < 2000 AND text IS NOT NULL AND len IS NULL")).isZero();
    assertThat(t.countRows("id >= 2000 AND len IS NOT NULL")).isZero();
    assertThat(checkpointFiles("docs")).as("kept for the rerun").isEqualTo(5);

    Faults.reset();
    FlakyLength.CALLS.set(0);
    BackfillResult r = t.backfill("len", sequential);
    assertThat(checkpointFiles("docs")).as("deleted once everything is committed").isZero();
    assertThat(unreferencedDataFiles("docs"))
        .as("neither the failed task's partial file nor the joined range files remain")
        .isEmpty();

    long nullTextInFragment0 = 286;
    assertThat(r.rowsSkipped())
        .as("fragment 1's first task comes from its checkpoint")
        .isEqualTo(500);
    assertThat(FlakyLength.CALLS.get()).isEqualTo(1_500 + nullTextInFragment0);
    assertThat(r.rowsProcessed()).isEqualTo(1_500 + nullTextInFragment0);
    Columns.byId(t, "len").forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
  }

  private long checkpointFiles(String table) {
    Path root = dir.resolve(table + ".lance").resolve("_geneva").resolve("checkpoints");
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Files Geneva wrote under data/ that no version of the table refers to. */
  private Set<String> unreferencedDataFiles(String table) {
    Path data = dir.resolve(table + ".lance").resolve("data");
    Set<String> written;
    try (Stream<Path> files = Files.list(data)) {
      written =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("geneva-"))
              .collect(Collectors.toCollection(HashSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String uri = dir.resolve(table + ".lance").toString();
    long latest;
    try (Dataset ds = Dataset.open(uri, db.allocator())) {
      latest = ds.version();
    }
    for (int v = 1; v <= latest; v++) {
      ReadOptions version = new ReadOptions.Builder().setVersion(v).build();
      try (Dataset ds = Dataset.open(db.allocator(), uri, version)) {
        for (Fragment f : ds.getFragments()) {
          f.metadata().getFiles().forEach(file -> written.remove(file.getPath()));
        }
      }
    }
    return written;
  }

  @Test
  void backfill_whenTaskFailsAfterWritingPartOfItsFile_partialFileIsDeleted() {
    Table t = SampleTables.create(db, "docs", 1_200, 1_200);
    t.addColumns(Map.of("wide", new FlakyWideVector()));
    Faults.FAILING_IDS.add(1_000L);
    // 100-row batches: the 32 KiB rows go out in chunks of 256 before id 1000 fails the task.
    BackfillOptions small = options().concurrency(1).batchSize(100).build();

    assertThatThrownBy(() -> t.backfill("wide", small))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("injected failure for id 1000");

    assertThat(unreferencedDataFiles("docs")).isEmpty();
    Faults.reset();
    assertThat(t.backfill("wide", small).rowsProcessed()).isEqualTo(1_200);
  }

  @Test
  void backfill_whenFailureAfterSomeCommits_committedFragmentsStayAndRerunFinishes() {
    Table t = SampleTables.create(db, "docs", 3_000, 1_000);
    t.addColumns(Map.of("len", new FlakyLength()));
    Faults.FAILING_IDS.add(2_100L);
    BackfillOptions sequential = options().concurrency(1).commitEvery(1).build();

    assertThatThrownBy(() -> t.backfill("len", sequential))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("committed");
    assertThat(t.countRows("len IS NOT NULL")).isEqualTo(2_000 - 2 * 143);

    Faults.reset();
    FlakyLength.CALLS.set(0);
    t.backfill("len", sequential);

    // Rows whose value is null (null text) match the default filter again and are recomputed.
    assertThat(FlakyLength.CALLS.get()).isEqualTo(1_000 + 2 * 143);
    Columns.byId(t, "len").forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
  }

  @Test
  void backfill_whenUdfVersionChanges_recomputesInsteadOfReusingCheckpoints() {
    Table t = SampleTables.create(db, "docs", 1_000, 500);
    t.addColumns(Map.of("emb", new TextEmbedding()));
    // A first run whose commit never happens leaves checkpoints keyed by version "2".
    t.backfill("emb", options().where("id < 0 OR id >= 0").build());
    assertThat(t.countRows("emb IS NULL")).isEqualTo(143);

    BackfillResult r = t.backfill("emb", options().where("id >= 0").build());

    assertThat(r.rowsSkipped()).as("same UDF version and filter reuse checkpoints").isZero();
    assertThat(r.rowsProcessed()).isEqualTo(1_000);
  }

  @Test
  void backfill_whenRowsPerTaskSplitsFragments_eachFragmentGetsOneCorrectFile() {
    Table t = SampleTables.create(db, "docs", 2_500, 1_000);
    t.delete("id % 9 = 0");
    t.addColumns(Map.of("len", new TextLength()));

    BackfillResult r = t.backfill("len", options().rowsPerTask(300).build());

    assertThat(r.tasks()).isEqualTo(4 + 4 + 2);
    assertThat(r.fragments()).isEqualTo(3);
    assertThat(unreferencedDataFiles("docs"))
        .as("the range files were deleted once joined")
        .isEmpty();
    Map<Long, Object> len = Columns.byId(t, "len");
    assertThat(len).hasSize(2_500 - 278);
    len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
  }

  @Test
  void backfill_whenBatchUdfWithVectorOutput_everyVectorMatches() {
    Table t = SampleTables.create(db, "docs", 2_000, 600);
    t.addColumns(Map.of("emb", new TextEmbedding()));

    t.backfill("emb", options().build());

    Map<Long, Object> emb = Columns.byId(t, "emb");
    assertThat(emb).hasSize(2_000);
    emb.forEach(
        (id, v) -> {
          float[] want = TextEmbedding.expected(SampleTables.text(id));
          if (want == null) {
            assertThat(v).isNull();
          } else {
            List<?> got = (List<?>) v;
            assertThat(got).hasSize(TextEmbedding.DIM);
            for (int k = 0; k < TextEmbedding.DIM; k++) {
              assertThat((Float) got.get(k)).isEqualTo(want[k]);
            }
          }
        });
  }

  @Test
  void backfill_whenStatefulUdf_opensOncePerWorkerAndClosesAll() {
    CountingStateful.OPENS.set(0);
    CountingStateful.CLOSES.set(0);
    CountingStateful.WORKERS.clear();
    Table t = SampleTables.create(db, "docs", 3_000, 300);
    t.addColumns(Map.of("shifted", new CountingStateful()));

    t.backfill("shifted", options().concurrency(2).build());

    assertThat(CountingStateful.OPENS.get()).isBetween(1, 2);
    assertThat(CountingStateful.CLOSES.get()).isEqualTo(CountingStateful.OPENS.get());
    assertThat(CountingStateful.WORKERS).hasSize(CountingStateful.OPENS.get());
    Columns.byId(t, "shifted").forEach((id, v) -> assertThat(v).isEqualTo(id + 1000));
  }

  @Test
  void backfill_whenTwoColumnsFromTwoThreads_bothLand() throws Exception {
    Table t = SampleTables.create(db, "docs", 4_000, 500);
    t.addColumns(Map.of("len", new TextLength()));
    t.addColumns(Map.of("emb", new TextEmbedding()));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      Future<BackfillResult> a =
          pool.submit(
              () -> {
                go.await();
                return t.backfill("len", options().commitEvery(1).build());
              });
      Future<BackfillResult> b =
          pool.submit(
              () -> {
                go.await();
                return t.backfill("emb", options().commitEvery(1).build());
              });
      go.countDown();
      a.get(2, TimeUnit.MINUTES);
      b.get(2, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }

    assertThat(t.countRows("text IS NOT NULL AND (len IS NULL OR emb IS NULL)")).isZero();
    Columns.byId(t, "len").forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
    assertThat(Columns.byId(t, "emb").values().stream().filter(v -> v != null))
        .hasSize(4_000 - 571);
  }

  @Test
  void backfillAsync_whenCancelled_stopsAndLaterRunFinishesTheWork() throws Exception {
    Table t = SampleTables.create(db, "docs", 4_000, 250);
    t.addColumns(Map.of("len", new TextLength()));
    CountDownLatch firstRows = new CountDownLatch(1);
    List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
    BackfillJob job =
        t.backfillAsync(
            "len",
            options()
                .concurrency(1)
                .batchSize(16)
                .listener(
                    p -> {
                      seen.add(p);
                      if (p.rowsDone() > 0) firstRows.countDown();
                    })
                .build());
    assertThat(firstRows.await(1, TimeUnit.MINUTES)).isTrue();

    boolean cancelled = job.cancel();

    assertThat(cancelled || job.future().isDone()).isTrue();
    if (cancelled) {
      assertThatThrownBy(job::join).isInstanceOf(CancellationException.class);
    }
    BackfillResult r = t.backfill("len", options().build());
    assertThat(r.rowsProcessed() + r.rowsSkipped()).isLessThanOrEqualTo(4_000);
    Columns.byId(t, "len").forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
    assertThat(seen).isNotEmpty();
  }

  @Test
  void backfill_whenListenerGiven_reportsFinalProgressAndCommits() {
    Table t = SampleTables.create(db, "docs", 1_500, 500);
    t.addColumns(Map.of("len", new TextLength()));
    List<BackfillProgress> progress = new CopyOnWriteArrayList<>();
    List<Long> commits = new CopyOnWriteArrayList<>();

    BackfillResult r =
        t.backfill(
            "len",
            options()
                .commitEvery(2)
                .listener(
                    new BackfillListener() {
                      @Override
                      public void onProgress(BackfillProgress p) {
                        progress.add(p);
                      }

                      @Override
                      public void onCommit(long version, int fragments) {
                        commits.add(version);
                      }
                    })
                .build());

    BackfillProgress last = progress.get(progress.size() - 1);
    assertThat(last.rowsDone()).isEqualTo(1_500);
    assertThat(last.fraction()).isEqualTo(1.0);
    assertThat(last.tasksDone()).isEqualTo(3);
    assertThat(last.fragmentsCommitted()).isEqualTo(3);
    assertThat(commits).hasSize(2).last().isEqualTo(r.committedVersion());
    assertThat(r.commits()).isEqualTo(2);
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
