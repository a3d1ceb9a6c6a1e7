package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTarget;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import dev.geneva.spi.TaskResult;
import dev.geneva.testing.GatedChunker;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextChunker;
import dev.geneva.udf.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The expansion of a UDTF view as executor tasks: where they run, the recorded pieces a stopped
 * refresh reuses, and when a piece must not be reused.
 */
class UdtfExpansionTest {
  @TempDir Path dir;
  Connection db;
  Table docs;

  @BeforeEach
  void open() {
    GatedChunker.reset();
    ThreadRecordingChunker.THREADS.clear();
    db = Geneva.connect(dir.toString());
    docs = SampleTables.create(db, "docs", 300, 100);
  }

  @AfterEach
  void close() {
    GatedChunker.reset();
    db.close();
  }

  /** {@link TextChunker} recording the threads it ran on. */
  public static class ThreadRecordingChunker extends TextChunker {
    static final Set<String> THREADS = ConcurrentHashMap.newKeySet();

    @Override
    public Iterable<Map<String, ?>> apply(Row row) {
      THREADS.add(Thread.currentThread().getName());
      return super.apply(row);
    }
  }

  static RefreshOptions concurrency(int n) {
    return RefreshOptions.builder()
        .backfillOptions(BackfillOptions.builder().concurrency(n).build())
        .build();
  }

  Path pieces(MaterializedView view) {
    return Path.of(view.table().uri()).resolve("_geneva/udtf");
  }

  static List<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void refresh_whenThreadExecutor_expandsOnItsWorkerThreadsAndDropsThePieces() throws Exception {
    MaterializedView view =
        db.createUdtfView(
            "chunks", docs.query().select("id", "text"), new ThreadRecordingChunker());

    RefreshResult r = view.refresh(concurrency(2));

    assertThat(r.sourceRowsAdded()).isEqualTo(300);
    assertThat(ThreadRecordingChunker.THREADS)
        .isNotEmpty()
        .allSatisfy(name -> assertThat(name).startsWith("geneva-chunks-udtf-"));
    assertThat(UdtfViewTest.viewChunks(view.table().uri()))
        .isEqualTo(UdtfViewTest.expectedChunks(db, docs));
    assertThat(files(pieces(view))).as("pieces left after a finished refresh").isEmpty();
  }

  @Test
  void refresh_whenStoppedAfterAPieceWasRecorded_reusesItWithoutRunningTheUdtf() throws Exception {
    MaterializedView view =
        db.createUdtfView("chunks", docs.query().select("id", "text"), new GatedChunker());
    GatedChunker.failAt = 150; // fragment 1 fails once fragment 2's piece is recorded
    GatedChunker.gateDirectory = pieces(view);
    GatedChunker.gatePrefix = "f2-";

    assertThatThrownBy(() -> view.refresh(concurrency(3)))
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("GatedChunker")
        .hasMessageContaining("gated failure for id 150");

    // fragments are appended in order: 0 was, 1 failed, so 2 was not though its piece is recorded
    assertThat(view.table().countRows("id >= 100")).isZero();
    assertThat(view.table().countRows("id < 100")).isPositive();
    assertThat(files(pieces(view)))
        .anyMatch(f -> f.startsWith("f2-") && f.endsWith(".result.lance"));
    assertThat(GatedChunker.calls(200, 300)).isEqualTo(100);

    GatedChunker.failAt = -1;
    view.refresh(concurrency(3));

    assertThat(GatedChunker.calls(200, 300)).as("fragment 2 expanded once in all").isEqualTo(100);
    assertThat(GatedChunker.calls(100, 200)).as("fragment 1 expanded again").isGreaterThan(100);
    assertThat(UdtfViewTest.viewChunks(view.table().uri()))
        .isEqualTo(UdtfViewTest.expectedChunks(db, docs));
    MaterializedView scratch =
        db.createUdtfView("scratch", docs.query().select("id", "text"), new TextChunker());
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
    assertThat(files(pieces(view))).isEmpty();
  }

  @Test
  void refresh_whenSourceVersionMovedSinceAPieceWasRecorded_expandsAgain() {
    MaterializedView view =
        db.createUdtfView("chunks", docs.query().select("id", "text"), new GatedChunker());
    GatedChunker.failAt = 150;
    GatedChunker.gateDirectory = pieces(view);
    GatedChunker.gatePrefix = "f2-";
    assertThatThrownBy(() -> view.refresh(concurrency(3))).isInstanceOf(GenevaException.class);
    GatedChunker.failAt = -1;
    docs.delete("id = 7"); // a new source version; fragment 2 is unchanged

    view.refresh(concurrency(3));

    assertThat(GatedChunker.calls(200, 300))
        .as("a piece of another source version is not reused")
        .isEqualTo(200);
    MaterializedView scratch =
        db.createUdtfView("scratch", docs.query().select("id", "text"), new TextChunker());
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
  }

  /** An executor that implements only the backfill calls, as a third party's might. */
  static final class BackfillOnlyExecutor implements BackfillExecutor {
    private final BackfillExecutor delegate = BackfillExecutors.threads();

    @Override
    public String name() {
      return "backfill-only";
    }

    @Override
    public ExecutorSession openSession(SessionSpec spec) {
      ExecutorSession session = delegate.openSession(spec);
      return new ExecutorSession() {
        @Override
        public CompletableFuture<TaskResult> submit(BackfillTask task, LongConsumer rowsDone) {
          return session.submit(task, rowsDone);
        }

        @Override
        public void close() {
          session.close();
        }
      };
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  @Test
  void refresh_whenExecutorDoesNotShipUdtfTasks_expandsInTheCallingThread() {
    MaterializedView view =
        db.createUdtfView(
            "chunks", docs.query().select("id", "text"), new ThreadRecordingChunker());
    try (BackfillExecutor executor = new BackfillOnlyExecutor()) {
      view.refresh(
          RefreshOptions.builder()
              .backfillOptions(BackfillOptions.builder().executor(executor).build())
              .build());
    }

    assertThat(ThreadRecordingChunker.THREADS).containsExactly(Thread.currentThread().getName());
    assertThat(UdtfViewTest.viewChunks(view.table().uri()))
        .isEqualTo(UdtfViewTest.expectedChunks(db, docs));
  }

  /** A target that refuses one column, like a cluster whose workers cannot fit its UDF. */
  static final class RefusingTarget implements BackfillTarget {
    @Override
    public String name() {
      return "refusing";
    }

    @Override
    public BackfillJob start(Table table, String column, BackfillOptions options) {
      throw new AssertionError("not reached: the refresh checks admission first");
    }

    @Override
    public void checkAdmission(Table table, String column) {
      if (column.equals("embedding")) {
        throw new InvalidInputException("column '" + column + "' does not fit");
      }
    }
  }

  @Test
  void refresh_whenTheBackfillTargetRefusesAUdfColumn_writesNothing() {
    MaterializedView view =
        db.createUdtfView(
            "chunks",
            docs.query().select("id", "text"),
            new TextChunker(),
            Map.of("embedding", new dev.geneva.testing.ChunkEmbedding()));
    long version = view.table().version();

    assertThatThrownBy(
            () ->
                view.refresh(
                    RefreshOptions.builder()
                        .backfillOptions(
                            BackfillOptions.builder().target(new RefusingTarget()).build())
                        .build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'embedding' does not fit");

    assertThat(view.table().version()).isEqualTo(version);
    assertThat(view.table().countRows()).isZero();
    assertThat(view.planRefresh().resuming()).isFalse();
  }

  /** Passes calls through to threads, noting how many tasks each UDTF call carried. */
  static final class CallCountingExecutor implements BackfillExecutor {
    final BackfillExecutor threads = BackfillExecutors.threads();
    final List<Integer> parts = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public ExecutorSession openSession(SessionSpec spec) {
      ExecutorSession session = threads.openSession(spec);
      return new ExecutorSession() {
        @Override
        public CompletableFuture<TaskResult> submit(BackfillTask task, LongConsumer rowsDone) {
          return session.submit(task, rowsDone);
        }

        @Override
        public CompletableFuture<List<dev.geneva.spi.UdtfTaskResult>> submitUdtf(
            List<dev.geneva.spi.UdtfTask> tasks, LongConsumer rowsDone) {
          parts.add(tasks.size());
          return session.submitUdtf(tasks, rowsDone);
        }

        @Override
        public void close() {
          session.close();
        }
      };
    }

    @Override
    public void close() {
      threads.close();
    }
  }

  @Test
  void refresh_whenFragmentsAreSmall_packsThemAndAFailureKeepsTheFragmentsBeforeIt() {
    Table small = SampleTables.create(db, "small", 240, 5); // 48 fragments
    MaterializedView view =
        db.createUdtfView("chunks", small.query().select("id", "text"), new TextChunker());
    dev.geneva.testing.Faults.FAILING_IDS.add(37L); // fragment 7, in the first call
    try (CallCountingExecutor executor = new CallCountingExecutor()) {
      RefreshOptions options =
          RefreshOptions.builder()
              .backfillOptions(BackfillOptions.builder().executor(executor).concurrency(1).build())
              .build();

      assertThatThrownBy(() -> view.refresh(options))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("injected failure for id 37");
      List<String> before35 =
          UdtfViewTest.expectedChunks(db, small).stream()
              .filter(r -> Long.parseLong(r.substring(0, r.indexOf('/'))) < 35)
              .toList();
      assertThat(UdtfViewTest.viewChunks(view.table().uri()))
          .as("fragments 0 to 6 appended, in order; nothing after the failing one")
          .isEqualTo(before35);

      dev.geneva.testing.Faults.reset();
      executor.parts.clear();
      view.refresh(options);

      // fragments 7 to 47 (and those of 0 to 6 with a row without chunks, expanded again), packed:
      // one worker, so a call carries about a quarter of the rows
      int tasks = executor.parts.stream().mapToInt(Integer::intValue).sum();
      assertThat(tasks).isGreaterThanOrEqualTo(41);
      assertThat(executor.parts).hasSizeBetween(4, 8);
    } finally {
      dev.geneva.testing.Faults.reset();
    }
    assertThat(UdtfViewTest.viewChunks(view.table().uri()))
        .isEqualTo(UdtfViewTest.expectedChunks(db, small));
    MaterializedView scratch =
        db.createUdtfView("scratch", small.query().select("id", "text"), new TextChunker());
    scratch.refresh();
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
  }
}
