package dev.geneva.ray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.GenevaException;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshOptions;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.ray.internal.LocalSessionDirs;
import dev.geneva.ray.testing.RayActorChunker;
import dev.geneva.ray.testing.RayRecordingChunker;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.testing.ChunkEmbedding;
import dev.geneva.testing.ChunkRows;
import dev.geneva.testing.Faults;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.RefreshProcess;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowChunker;
import dev.geneva.testing.TextChunker;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.UdtfSpec;
import io.ray.api.Ray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UDTF views refreshed on embedded Ray: the UDTF expands source fragments in Ray tasks and actors,
 * the view ends equal to one rebuilt from scratch, and a killed refresh resumes exactly.
 */
class RayUdtfViewTest {
  @TempDir Path dir;

  @BeforeAll
  static void listSessionDirs() {
    RayTestSupport.init();
  }

  @BeforeEach
  void forget() {
    Faults.reset();
    RayRecordingChunker.TASKS.clear();
    RayRecordingChunker.THREADS.clear();
    RayActorChunker.reset();
  }

  @AfterEach
  void rayIsShutDownWhenEveryConnectionIsClosed() {
    Faults.reset();
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  static void append(Connection db, Table docs, long firstId, int rows) {
    try (ArrowStreamReader reader = SampleTables.rows(db.allocator(), firstId, rows)) {
      docs.add(reader);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void refresh_afterAppendsAndDeletes_equalsAViewBuiltFromScratch_withTheUdtfInRayTasks() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createUdtfView(
              "chunks",
              docs.query().select("id", "text"),
              new RayRecordingChunker(),
              Map.of("embedding", new ChunkEmbedding()));
      view.refresh();
      append(db, docs, 300, 150);
      docs.delete("id % 7 = 3 OR (id >= 120 AND id < 140)");
      String caller = Thread.currentThread().getName();
      String driverTask = Ray.getRuntimeContext().getCurrentTaskId().toString();
      RayRecordingChunker.TASKS.clear();
      RayRecordingChunker.THREADS.clear();

      RefreshResult r = view.refresh();

      assertThat(r.sourceRowsAdded()).isPositive();
      assertThat(r.backfills().get("embedding").executor()).isEqualTo("ray-local");
      assertThat(RayRecordingChunker.TASKS)
          .as("the UDTF ran in Ray tasks, not in the driver's")
          .isNotEmpty()
          .doesNotContain(driverTask);
      assertThat(RayRecordingChunker.THREADS)
          .doesNotContain(caller)
          .noneSatisfy(name -> assertThat(name).startsWith("geneva-"));
      MaterializedView scratch =
          db.createUdtfView(
              "scratch",
              docs.query().select("id", "text"),
              new TextChunker(),
              Map.of("embedding", new ChunkEmbedding()));
      try (BackfillExecutor threads = BackfillExecutors.threads()) {
        scratch.refresh(
            RefreshOptions.builder()
                .backfillOptions(BackfillOptions.builder().executor(threads).build())
                .build());
      }
      assertThat(LanceColumns.sortedRows(view.table().uri()))
          .isEqualTo(LanceColumns.sortedRows(scratch.table().uri()));
      assertThat(ChunkRows.of(view.table().uri()))
          .isEqualTo(ChunkRows.expected(db.allocator(), docs.uri()));
      assertThat(ChunkRows.orphans(docs.uri(), view.table().uri())).isEmpty();
      assertThat(view.table().countRows("embedding IS NULL")).isZero();
      assertThat(Path.of(view.table().uri()).resolve("_geneva/udtf")).doesNotExist();
    }
  }

  @Test
  void refresh_whenUdtfIsStateful_runsInRayActorsOpenedOncePerActor() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 500, 100);
      MaterializedView view =
          db.createUdtfView("chunks", docs.query().select("id", "text"), new RayActorChunker());

      view.refresh(
          RefreshOptions.builder()
              .backfillOptions(BackfillOptions.builder().concurrency(2).build())
              .build());

      assertThat(RayActorChunker.ACTORS)
          .isNotEmpty()
          .allSatisfy(id -> assertThat(id).isNotEqualTo(io.ray.api.id.ActorId.NIL.toString()));
      assertThat(RayActorChunker.OPENS).hasSizeBetween(1, 2);
      RayActorChunker.OPENS.forEach(
          (worker, n) -> {
            assertThat(n.get()).as("opens of %s", worker).isEqualTo(1);
            assertThat(RayActorChunker.CLOSES.get(worker)).as("closes of %s", worker).hasValue(1);
          });
      assertThat(ChunkRows.of(view.table().uri()))
          .isEqualTo(ChunkRows.expected(db.allocator(), docs.uri()));
    }
  }

  /** {@link TextChunker} skipping the rows it fails on. */
  public static class SkippingChunker extends TextChunker {
    @Override
    public UdtfSpec spec() {
      return super.spec().toBuilder().errorPolicy(ErrorPolicy.skip()).build();
    }
  }

  @Test
  void refresh_whenUdtfFailsInARayWorker_followsItsErrorPolicy() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView skipping =
          db.createUdtfView("skipping", docs.query().select("id", "text"), new SkippingChunker());
      MaterializedView failing =
          db.createUdtfView("failing", docs.query().select("id", "text"), new TextChunker());
      Faults.FAILING_IDS.addAll(List.of(12L, 250L));

      RefreshResult skipped = skipping.refresh();
      assertThatThrownBy(failing::refresh)
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("TextChunker")
          .hasMessageContaining("injected failure for id 12");

      assertThat(skipped.udtfRowsFailed()).isEqualTo(2);
      assertThat(skipping.table().countRows("id IN (12, 250)")).isZero();
      assertThat(failing.refreshedVersion()).isEmpty();
      Faults.reset();
      failing.refresh();
      assertThat(ChunkRows.of(failing.table().uri()))
          .isEqualTo(ChunkRows.expected(db.allocator(), docs.uri()));
    }
  }

  @Test
  void refresh_whenJvmKilledMidExpansion_resumesExactly() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 1_000, 100);
      db.createUdtfView(
          "chunks",
          docs.query().select("id", "text"),
          new SlowChunker(),
          Map.of("embedding", new ChunkEmbedding()));
    }
    Path pieces = dir.resolve("chunks.lance").resolve("_geneva/udtf");

    Process child = RefreshProcess.start(dir, "chunks");
    long viewRows = 0;
    try (Connection db = Geneva.connect(dir.toString())) {
      Table view = db.openTable("chunks");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while ((viewRows == 0 || !recorded(pieces))
          && child.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
        viewRows = view.countRows();
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      deleteSessionDirsOf(child.pid());
    }
    assertThat(viewRows).as("the child committed some fragments before it was killed").isPositive();

    try (Connection db = Geneva.connect(dir.toString())) {
      MaterializedView view = db.openMaterializedView("chunks");
      assertThat(view.refreshedVersion()).as("the killed refresh did not finish").isEmpty();

      view.refresh();

      Table docs = db.openTable("docs");
      MaterializedView scratch =
          db.createUdtfView(
              "scratch",
              docs.query().select("id", "text"),
              new TextChunker(),
              Map.of("embedding", new ChunkEmbedding()));
      scratch.refresh();
      assertThat(LanceColumns.sortedRows(view.table().uri()))
          .isEqualTo(LanceColumns.sortedRows(scratch.table().uri()));
      assertThat(ChunkRows.orphans(docs.uri(), view.table().uri())).isEmpty();
      assertThat(view.table().countRows("embedding IS NULL")).isZero();
      assertThat(pieces).doesNotExist();
    }
  }

  private static boolean recorded(Path pieces) throws IOException {
    if (!Files.isDirectory(pieces)) {
      return false;
    }
    try (Stream<Path> files = Files.list(pieces)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".result.lance"));
    }
  }

  /** The LOCAL-mode session directory a killed child JVM could not delete. */
  private static void deleteSessionDirsOf(long pid) throws IOException {
    for (Path session : LocalSessionDirs.list(LocalSessionDirs.DEFAULT_ROOT)) {
      if (session.getFileName().toString().endsWith("_" + pid)) {
        try (Stream<Path> all = Files.walk(session)) {
          for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }
}
