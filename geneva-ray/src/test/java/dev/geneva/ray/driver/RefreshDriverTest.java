package dev.geneva.ray.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshOptions;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.RefreshArgs;
import dev.geneva.ray.jobs.internal.DriverLines;
import dev.geneva.ray.testing.RayRecordingChunker;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.testing.ChunkEmbedding;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import dev.geneva.testing.TextChunker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's refresh mode: a view's whole refresh, UDTF expansion and UDF columns, runs with the
 * driver's Ray executor (embedded Ray in LOCAL mode here) and its result line reads back.
 */
class RefreshDriverTest {
  @TempDir Path dir;

  @BeforeAll
  static void listSessionDirs() {
    RayTestSupport.init();
  }

  @BeforeEach
  void forget() {
    RayRecordingChunker.TASKS.clear();
    RayRecordingChunker.THREADS.clear();
  }

  @AfterEach
  void rayIsShutDownWhenTheDriverEnds() {
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @Test
  void run_whenRefreshMode_refreshesTheWholeViewOnRayLikeALocalRefresh() {
    String viewUri;
    String scratchUri;
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      viewUri =
          db.createUdtfView(
                  "chunks",
                  docs.query().select("id", "text"),
                  new RayRecordingChunker(),
                  Map.of("embedding", new ChunkEmbedding()))
              .table()
              .uri();
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
      scratchUri = scratch.table().uri();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code =
        BackfillDriver.run(
            new RefreshArgs(viewUri, OptionalLong.empty(), BackfillOptions.defaults())
                .toArgs()
                .toArray(String[]::new),
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            BackfillDriver.RAY);

    String logs = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(logs).isZero();
    RefreshResult r = DriverLines.findRefreshResult(logs).orElseThrow();
    assertThat(r.view()).isEqualTo("chunks");
    assertThat(r.fromVersion()).isEmpty();
    assertThat(r.sourceRowsAdded()).isPositive();
    assertThat(r.viewRowsAdded()).isGreaterThan(r.sourceRowsAdded());
    assertThat(r.backfills()).containsOnlyKeys("embedding");
    assertThat(r.backfills().get("embedding").executor()).isEqualTo("ray-local");
    assertThat(RayRecordingChunker.TASKS).as("the UDTF ran in Ray tasks").isNotEmpty();
    assertThat(logs).contains(DriverLines.PROGRESS);
    assertThat(LanceColumns.sortedRows(viewUri)).isEqualTo(LanceColumns.sortedRows(scratchUri));
    try (Connection db = Geneva.connect(dir.toString())) {
      MaterializedView view = db.openMaterializedView("chunks");
      assertThat(view.refreshedVersion()).isPresent();
      assertThat(view.planRefresh().resuming()).isFalse();
    }
  }

  @Test
  void run_whenInterruptedWhileRefreshing_stopsWithTheStoppedCodeAndTheViewResumes()
      throws Exception {
    String viewUri;
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 2_000, 500);
      viewUri =
          db.createMaterializedView(
                  "lengths", docs.query().select("id", "text"), Map.of("len", new SlowLength()))
              .table()
              .uri();
    }
    SlowLength.ROWS.set(0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger code = new AtomicInteger(-1);
    // 200 batches of 20 ms: the refresh takes 4 s or more unless stopped.
    BackfillOptions slow = BackfillOptions.builder().batchSize(10).concurrency(1).build();
    Thread driver =
        new Thread(
            () ->
                code.set(
                    BackfillDriver.run(
                        new RefreshArgs(viewUri, OptionalLong.empty(), slow)
                            .toArgs()
                            .toArray(String[]::new),
                        Map.of(),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        (address, allocator) -> BackfillExecutors.threads())));
    driver.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (SlowLength.ROWS.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(SlowLength.ROWS.get()).as("the backfill started").isPositive();

    driver.interrupt(); // what the driver's shutdown hook does on Ray's SIGTERM
    driver.join(TimeUnit.SECONDS.toMillis(30));

    String logs = out.toString(StandardCharsets.UTF_8);
    assertThat(driver.isAlive()).as(logs).isFalse();
    assertThat(code.get()).as(logs).isEqualTo(DriverArgs.EXIT_STOPPED);
    assertThat(logs).contains("the refresh of view 'lengths' was stopped");
    assertThat(SlowLength.ROWS.get()).as("stopped before the end").isLessThan(2_000);
    try (Connection db = Geneva.connect(dir.toString())) {
      MaterializedView view = db.openMaterializedView("lengths");
      try (BackfillExecutor threads = BackfillExecutors.threads()) {
        view.refresh(
            RefreshOptions.builder()
                .backfillOptions(BackfillOptions.builder().executor(threads).build())
                .build());
      }
      Table lengths = view.table();
      assertThat(lengths.countRows()).isEqualTo(db.openTable("docs").countRows());
      assertThat(lengths.countRows("text IS NOT NULL AND len IS NULL")).isZero();
      assertThat(lengths.countRows("len = length(text)"))
          .isEqualTo(lengths.countRows("text IS NOT NULL"));
    }
  }

  @Test
  void run_whenRefreshModeNamesATableThatIsNoView_printsErrorAndUsageExitCode() {
    String docsUri;
    try (Connection db = Geneva.connect(dir.toString())) {
      docsUri = SampleTables.create(db, "docs", 10, 10).uri();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code =
        BackfillDriver.run(
            new String[] {RefreshArgs.MODE, docsUri},
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            (address, allocator) -> {
              throw new AssertionError("no executor is needed for a table that is no view");
            });

    assertThat(code).isEqualTo(DriverArgs.EXIT_USAGE);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("GENEVA_ERROR")
        .contains("is not a materialized view");
  }
}
