package dev.geneva.ray.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.ray.RayExecutor;
import dev.geneva.ray.jobs.EntrypointBuilder;
import dev.geneva.ray.jobs.FakeRayDashboard;
import dev.geneva.ray.jobs.JobPackager;
import dev.geneva.ray.jobs.JobStatus;
import dev.geneva.ray.jobs.RayDashboardException;
import dev.geneva.ray.jobs.RayJobBackfill;
import dev.geneva.ray.jobs.RayJobFailedException;
import dev.geneva.ray.jobs.RayJobsClient;
import dev.geneva.ray.testing.BlockingUdf;
import dev.geneva.ray.testing.FailingUdf;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.Columns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfills submitted as Ray jobs to a fake dashboard whose job runner parses the entrypoint and
 * runs {@link BackfillDriver} in-process on embedded Ray (LOCAL mode), with a class loader that
 * sees test UDFs only when the shipped package holds them.
 */
class RayJobBackfillTest {
  private static RootAllocator allocator;
  private static RayExecutor keepAlive;

  @TempDir Path dir;
  private FakeRayDashboard dashboard;
  private RayJobsClient client;
  private final InProcessDriver driver = new InProcessDriver();

  @BeforeAll
  static void startRay() {
    RayTestSupport.init();
    allocator = new RootAllocator();
    keepAlive = RayExecutor.local(allocator);
  }

  @AfterAll
  static void stopRay() {
    keepAlive.close();
    allocator.close();
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @BeforeEach
  void startDashboard() throws IOException {
    dashboard = new FakeRayDashboard();
    dashboard.runner = driver;
    client =
        RayJobsClient.builder()
            .dashboardUrl(dashboard.url())
            .retries(3, Duration.ofMillis(20))
            .pollInterval(Duration.ofMillis(50))
            .build();
  }

  @AfterEach
  void stopDashboard() {
    BlockingUdf.release.countDown();
    dashboard.close();
  }

  private Table table(Connection db, String column, dev.geneva.udf.Udf udf, int rows) {
    Table t = SampleTables.create(db, "docs", rows, 500);
    t.addColumns(Map.of(column, udf));
    return t;
  }

  private static List<Path> classDirectories(boolean withTestClasses) {
    List<Path> dirs = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      // Test classes arrive as directories, or as geneva-core's test-jar in a reactor build.
      boolean tests =
          p.endsWith("test-classes") || p.getFileName().toString().endsWith("-tests.jar");
      if ((Files.isDirectory(p) || tests) && (withTestClasses || !tests)) {
        dirs.add(p);
      }
    }
    return dirs;
  }

  private RayJobBackfill remote(boolean withTestClasses) {
    return RayJobBackfill.builder(client)
        .packager(JobPackager.of(classDirectories(withTestClasses)))
        .build();
  }

  @Test
  void start_whenJobSucceeds_resultParsedAndEveryRowCorrect() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 2_000);
      List<dev.geneva.BackfillProgress> seen = new CopyOnWriteArrayList<>();

      BackfillJob job =
          remote(true)
              .start(
                  t, "len", BackfillOptions.builder().concurrency(2).listener(seen::add).build());
      BackfillResult r = job.join(60, TimeUnit.SECONDS);

      assertThat(r.table()).isEqualTo(t.uri());
      assertThat(r.column()).isEqualTo("len");
      assertThat(r.executor()).isEqualTo("ray-local");
      assertThat(r.rowsProcessed()).isEqualTo(2_000);
      assertThat(r.fragments()).isEqualTo(4);
      assertThat(r.committedVersion()).isGreaterThan(r.readVersion());
      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(2_000);
      len.forEach(
          (id, v) -> assertThat(v).as("len of id %d", id).isEqualTo(TextLength.expected(id)));
      assertThat(job.progress().fraction()).isEqualTo(1.0);
      assertThat(seen).isNotEmpty();
      assertThat(seen.get(seen.size() - 1).column()).isEqualTo("len");
    }
    List<String> java = driver.javaCommands().get(0);
    assertThat(java.get(0)).isEqualTo("java");
    assertThat(java).containsAll(EntrypointBuilder.jvmOpens());
    assertThat(java.get(java.indexOf("-cp") + 1)).isEqualTo("/ray_dist.jar:*");
    assertThat(java).contains("-Dray.address=10.0.0.1:6379");
    assertThat(java)
        .anyMatch(
            w ->
                w.matches(
                    "-Dray\\.job\\.runtime-env\\.jars\\.0=gcs://_ray_pkg_[0-9a-f]{32}\\.zip"));
    assertThat(java).contains("-Dray.job.jvm-options.0=" + EntrypointBuilder.jvmOpens().get(0));
    assertThat(java.indexOf(EntrypointBuilder.DRIVER_CLASS))
        .isLessThan(java.indexOf("--concurrency"));
  }

  @Test
  void start_whenRunTwice_packageUploadedOnce() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 600);
      RayJobBackfill remote = remote(true);

      BackfillResult first = remote.run(t.uri(), "len", BackfillOptions.defaults());
      BackfillResult second =
          remote(true).run(t.uri(), "len", BackfillOptions.builder().where("id < 100").build());

      assertThat(first.rowsProcessed()).isEqualTo(600);
      assertThat(second.rowsProcessed()).isEqualTo(100);
      assertThat(dashboard.uploads.get()).isEqualTo(1);
      assertThat(dashboard.packages).hasSize(1);
      assertThat(dashboard.requests.stream().filter(r -> r.startsWith("GET /api/packages/gcs/")))
          .hasSize(2);
    }
  }

  @Test
  void start_whenUdfFails_throwsWithStatusMessageAndLogTail() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "twice", new FailingUdf(), 2_000);

      BackfillJob job = remote(true).start(t, "twice", BackfillOptions.defaults());

      assertThatThrownBy(() -> job.join(60, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(
              RayJobFailedException.class,
              e -> {
                assertThat(e.status()).isEqualTo(JobStatus.FAILED);
                assertThat(e.rayMessage())
                    .startsWith("Job entrypoint command failed with exit code 1");
                assertThat(e.driverError()).contains(FailingUdf.MESSAGE);
                assertThat(e.logTail()).isNotEmpty();
                assertThat(e.logTail().get(e.logTail().size() - 1)).startsWith("GENEVA_ERROR ");
              })
          .isInstanceOf(dev.geneva.GenevaException.class)
          .hasMessageContaining(FailingUdf.MESSAGE)
          .hasMessageContaining("Last log lines");
    }
  }

  @Test
  void cancel_whenJobRuns_stopsRayJobAndFutureIsCancelled() throws Exception {
    BlockingUdf.reset();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "slow", new BlockingUdf(), 400);
      BackfillJob job =
          remote(true).start(t, "slow", BackfillOptions.builder().concurrency(2).build());
      assertThat(BlockingUdf.started.await(30, TimeUnit.SECONDS)).isTrue();

      boolean cancelled = job.cancel();

      assertThatThrownBy(() -> job.join(60, TimeUnit.SECONDS))
          .isInstanceOf(CancellationException.class);
      assertThat(cancelled).isTrue();
      assertThat(dashboard.stopRequests).hasSize(1);
      assertThat(dashboard.requests).anyMatch(r -> r.matches("POST /api/jobs/.+/stop"));
      assertThat(job.future().isCompletedExceptionally()).isTrue();
      assertThat(job.cancel()).isFalse();
    }
  }

  @Test
  void start_whenUdfClassNotInShippedJars_errorNamesClass() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 300);

      BackfillJob job = remote(false).start(t, "len", BackfillOptions.defaults());

      assertThatThrownBy(() -> job.join(60, TimeUnit.SECONDS))
          .isInstanceOf(RayJobFailedException.class)
          .hasMessageContaining(TextLength.class.getName())
          .hasMessageContaining("not on the classpath");
      String pkg = dashboard.packages.keySet().iterator().next();
      assertThat(dashboard.packageHasClass(pkg, TextLength.class.getName())).isFalse();
      assertThat(dashboard.packageHasClass(pkg, BackfillDriver.class.getName())).isTrue();
    }
  }

  @Test
  void start_whenDashboardDown_errorNamesUrl() throws Exception {
    URI down = URI.create("http://127.0.0.1:" + freePort());
    RayJobsClient unreachable =
        RayJobsClient.builder()
            .dashboardUrl(down)
            .retries(2, Duration.ofMillis(10))
            .unreachableHint("check kubectl port-forward pod/head 8265")
            .build();
    RayJobBackfill remote =
        RayJobBackfill.builder(unreachable)
            .packager(JobPackager.of(classDirectories(true)))
            .build();

    assertThatThrownBy(() -> remote.start(dir + "/docs.lance", "len", BackfillOptions.defaults()))
        .isInstanceOf(RayDashboardException.class)
        .hasMessageContaining("cannot reach the Ray dashboard at " + down)
        .hasMessageContaining("check kubectl port-forward pod/head 8265");
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
