package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshJob;
import dev.geneva.RefreshOptions;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeKubeRay.Behaviour;
import dev.geneva.k8s.testing.FakeKubeRay.Version;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.ray.RayExecutor;
import dev.geneva.ray.driver.InProcessDriver;
import dev.geneva.ray.jobs.FakeRayDashboard;
import dev.geneva.ray.jobs.JobPackager;
import dev.geneva.ray.jobs.JobStatus;
import dev.geneva.ray.jobs.RayJobFailedException;
import dev.geneva.ray.jobs.RefreshArgs;
import dev.geneva.ray.testing.BlockingUdf;
import dev.geneva.ray.testing.FailingUdf;
import dev.geneva.ray.testing.RayRecordingChunker;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTargets;
import dev.geneva.testing.ChunkEmbedding;
import dev.geneva.testing.Columns;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextChunker;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Resources;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdtfSpec;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's end-to-end test: {@code try (RayCluster c = ...start()) { table.backfill(col); }}
 * against fabric8's mock API server and the fake KubeRay operator, with the dashboard port
 * forwarded (through {@link ProxyForwarder}) to geneva-ray-jobs's {@link FakeRayDashboard}, whose
 * jobs run the real driver on embedded Ray over a real Lance table.
 */
class RayClusterBackfillTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";

  private static RootAllocator allocator;
  private static RayExecutor keepAlive;

  @TempDir Path dir;
  private MockRayEnvironment env;
  private FakeRayDashboard dashboard;
  private ProxyForwarder forwarder;
  private final InProcessDriver driver = new InProcessDriver();

  @BeforeAll
  static void startRay() {
    RayTestSupport.init();
    allocator = new RootAllocator();
    keepAlive = RayExecutor.local(allocator); // one Ray for every job of the class
  }

  @AfterAll
  static void stopRay() {
    keepAlive.close();
    allocator.close();
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @BeforeEach
  void setUp() throws Exception {
    dashboard = new FakeRayDashboard();
    dashboard.runner = driver;
    env =
        MockRayEnvironment.builder()
            .namespace(NS)
            .serviceAccount(SA)
            .forwardDashboardTo(() -> dashboard.server.getAddress())
            .alsoClose(dashboard)
            .build();
    Rbac.allowAllExcept(env.server());
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    forwarder = env.forwarder();
  }

  @AfterEach
  void tearDown() throws Exception {
    BlockingUdf.release.countDown();
    env.close(); // the operator (no errors), the Ray dashboard, the mock server last
  }

  /** Geneva's own classes and test classes only: a small package, quick to zip. */
  private static JobPackager genevaClasses() {
    List<Path> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      if (p.toFile().isDirectory() || p.getFileName().toString().startsWith("geneva-")) {
        entries.add(p);
      }
    }
    return JobPackager.of(entries);
  }

  private RayCluster.Builder cluster() {
    return RayCluster.builder()
        .name("test-cluster")
        .namespace(NS)
        .auth(env.kubeAuth())
        .waitTimeout(Duration.ofSeconds(10))
        .portForwarder(forwarder)
        .headGroup(HeadGroupSpec.builder().serviceAccount(SA).cpus(1).memoryMiB(2048).build())
        .workerGroup(
            WorkerGroupSpec.builder().name("worker").replicas(1).serviceAccount(SA).build())
        .jobPackager(genevaClasses())
        .jobPollInterval(Duration.ofMillis(50));
  }

  private Table table(Connection db, String column, Udf udf, int rows) {
    Table t = SampleTables.create(db, "docs", rows, 500);
    t.addColumns(Map.of(column, udf));
    return t;
  }

  private List<RayClusterResource> rayClusters() {
    return env.rayClusters();
  }

  @Test
  void backfill_insideTryBlock_runsAsRayJobsUploadsOnceAndDeletesCluster() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 1_200);
      BackfillResult first;
      BackfillResult second;
      try (RayCluster cluster = cluster().dashboardBearerToken("tok-123").start()) {
        assertThat(BackfillTargets.current()).contains(cluster.backfillTarget());

        first = t.backfill("len");

        // Another thread names the cluster's target explicitly; same package, no new upload.
        second =
            CompletableFuture.supplyAsync(
                    () ->
                        t.backfill(
                            "len",
                            BackfillOptions.builder()
                                .where("id < 100")
                                .target(cluster.backfillTarget())
                                .build()),
                    other)
                .get(60, TimeUnit.SECONDS);
        assertThat(rayClusters()).hasSize(1);
      }

      assertThat(first.executor()).isEqualTo("ray-local"); // the driver's Ray, not this JVM's
      assertThat(first.rowsProcessed()).isEqualTo(1_200);
      assertThat(second.rowsProcessed()).isEqualTo(100);
      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(1_200);
      len.forEach(
          (id, v) -> assertThat(v).as("len of id %d", id).isEqualTo(TextLength.expected(id)));

      // The drivers recorded both jobs under the Ray submission ids, in the database.
      List<dev.geneva.JobRecord> jobs = db.jobs();
      assertThat(jobs)
          .extracting(dev.geneva.JobRecord::jobId)
          .containsExactlyInAnyOrderElementsOf(dashboard.jobs.keySet());
      assertThat(jobs)
          .allSatisfy(
              j -> {
                assertThat(j.state()).isEqualTo(dev.geneva.JobState.DONE);
                assertThat(j.cluster()).contains(NS + "/test-cluster");
                assertThat(j.executor()).isEqualTo("ray-local");
                assertThat(j.udfClass()).isEqualTo(TextLength.class.getName());
              });
      assertThat(jobs)
          .extracting(j -> j.metric(dev.geneva.JobMetrics.ROWS_COMMITTED))
          .containsExactly(100L, 1_200L);
    } finally {
      other.shutdownNow();
    }
    assertThat(dashboard.jobs).hasSize(2);
    assertThat(dashboard.requests.stream().filter(r -> r.equals("POST /api/jobs/"))).hasSize(2);
    assertThat(dashboard.uploads.get()).isEqualTo(1);
    assertThat(dashboard.authorizations).isNotEmpty().allMatch("Bearer tok-123"::equals);
    assertThat(dashboard.jobs.values())
        .allSatisfy(
            j ->
                assertThat(j.request.path("metadata").path("geneva.raycluster").asText())
                    .isEqualTo(NS + "/test-cluster"));
    assertThat(forwarder.opened()).extracting(ProxyForwarder.Opened::remotePort).contains(8265);
    assertThat(forwarder.stillOpen()).isZero();
    assertThat(rayClusters()).isEmpty();
    assertThat(BackfillTargets.current()).isEmpty();
  }

  @Test
  void backfill_whenJobFails_throwsWithRayStatusAndLogTailAndMarksClusterFailed() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "twice", new FailingUdf(), 1_500);
      try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).start()) {
        assertThatThrownBy(() -> t.backfill("twice"))
            .isInstanceOfSatisfying(
                RayJobFailedException.class,
                e -> {
                  assertThat(e.status()).isEqualTo(JobStatus.FAILED);
                  assertThat(e.rayMessage())
                      .startsWith("Job entrypoint command failed with exit code 1");
                  assertThat(e.logTail()).isNotEmpty();
                })
            .hasMessageContaining("status FAILED")
            .hasMessageContaining(FailingUdf.MESSAGE)
            .hasMessageContaining("Last log lines");
      }
      dev.geneva.JobRecord job = db.jobs().get(0);
      assertThat(job.state()).isEqualTo(dev.geneva.JobState.FAILED);
      assertThat(job.error().orElseThrow()).contains(FailingUdf.MESSAGE);
      assertThat(job.cluster()).contains(NS + "/test-cluster");
    }
    // The failed job marked the cluster failed, so RETAIN_ON_FAILURE kept it.
    assertThat(rayClusters()).hasSize(1);
    assertThat(forwarder.stillOpen()).isZero();
  }

  /** A chunker asking for more CPUs than the test cluster's workers have. */
  public static final class EightCpuChunker extends TextChunker {
    @Override
    public UdtfSpec spec() {
      return super.spec().toBuilder().resources(Resources.of(8, 0, 0)).build();
    }
  }

  /** Text length that asks for more CPUs than the test cluster's workers have. */
  public static final class EightCpuLength extends TextLength {
    @Override
    public dev.geneva.udf.UdfSpec spec() {
      return super.spec().toBuilder().resources(dev.geneva.udf.Resources.of(8, 0, 0)).build();
    }
  }

  @Test
  void refresh_insideTryBlock_runsTheWholeRefreshAsOneRayJobLikeALocalRefresh() {
    RayRecordingChunker.TASKS.clear();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createUdtfView(
              "chunks",
              docs.query().select("id", "text"),
              new RayRecordingChunker(),
              Map.of("embedding", new ChunkEmbedding()));
      MaterializedView local =
          db.createUdtfView(
              "local",
              docs.query().select("id", "text"),
              new TextChunker(),
              Map.of("embedding", new ChunkEmbedding()));
      RefreshResult r;
      try (RayCluster cluster = cluster().start()) {
        r = view.refresh();
      }
      try (BackfillExecutor threads = BackfillExecutors.threads()) {
        local.refresh(
            RefreshOptions.builder()
                .backfillOptions(BackfillOptions.builder().executor(threads).build())
                .build());
      }

      assertThat(driver.javaCommands()).hasSize(1);
      assertThat(driver.javaCommands().get(0))
          .contains(RefreshArgs.MODE, view.table().uri())
          .doesNotContain("--where");
      assertThat(RayRecordingChunker.TASKS).as("the UDTF ran in the job's Ray tasks").isNotEmpty();
      assertThat(r.view()).isEqualTo("chunks");
      assertThat(r.sourceRowsAdded()).isPositive();
      assertThat(r.backfills()).containsOnlyKeys("embedding");
      assertThat(LanceColumns.sortedRows(view.table().uri()))
          .isEqualTo(LanceColumns.sortedRows(local.table().uri()));
      assertThat(view.refreshedVersion()).isPresent();
      assertThat(view.planRefresh().resuming()).isFalse();
    }
    assertThat(dashboard.jobs).hasSize(1);
  }

  @Test
  void refreshAsync_whenCancelledInsideTryBlock_stopsItsRayJob() throws Exception {
    BlockingUdf.reset();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createMaterializedView(
              "slow", docs.query().select("id", "text"), Map.of("slow", new BlockingUdf()));
      try (RayCluster cluster = cluster().start()) {
        RefreshJob job = view.refreshAsync();
        assertThat(BlockingUdf.started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(cluster.runningBackfills()).hasSize(1);

        assertThat(job.cancel()).isTrue();
        BlockingUdf.release.countDown();

        assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
            .isInstanceOf(CancellationException.class);
      }
    }
    assertThat(dashboard.stopRequests).hasSize(1);
    assertThat(dashboard.jobs.values()).allSatisfy(j -> assertThat(j.status).isEqualTo("STOPPED"));
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void refresh_whenTheUdtfNeedsMoreCpusThanAnyWorker_failsBeforeSubmittingOrWriting() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createUdtfView(
              "chunks",
              docs.query().select("id", "text"),
              new EightCpuChunker(),
              Map.of("embedding", new ChunkEmbedding()));
      long version = view.table().version();
      try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).start()) {
        assertThatThrownBy(view::refresh)
            .isInstanceOf(ResourcesDoNotFitException.class)
            .hasMessageContaining("of view 'chunks' asks for 8 CPUs")
            .hasMessageContaining("'worker': 2 CPUs");
      }
      assertThat(view.table().version()).as("nothing written").isEqualTo(version);
      assertThat(view.planRefresh().resuming()).isFalse();
    }
    assertThat(dashboard.jobs).isEmpty();
    assertThat(dashboard.uploads.get()).isZero();
    assertThat(rayClusters()).as("bad input does not mark the cluster failed").isEmpty();
  }

  @Test
  void backfill_whenUdfNeedsMoreCpusThanAnyWorker_failsBeforeSubmitting() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new EightCpuLength(), 600);
      try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).start()) {
        assertThatThrownBy(() -> t.backfill("len"))
            .isInstanceOf(ResourcesDoNotFitException.class)
            .hasMessageContaining("asks for 8 CPUs")
            .hasMessageContaining("'worker': 2 CPUs");
      }
      assertThat(db.jobs()).as("nothing was submitted, so nothing recorded").isEmpty();
      assertThat(t.countRows("len IS NULL")).isEqualTo(600);
    }
    assertThat(dashboard.jobs).isEmpty();
    assertThat(dashboard.uploads.get()).isZero();
    assertThat(rayClusters()).as("bad input does not mark the cluster failed").isEmpty();
  }

  @Test
  void backfill_whenDriverDiesWithoutReporting_clientRecordsTheJobFailed() {
    dashboard.runner = run -> 137; // killed before it could write anything
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 600);
      try (RayCluster cluster = cluster().start()) {
        assertThatThrownBy(() -> t.backfill("len")).isInstanceOf(RayJobFailedException.class);
      }
      assertThat(db.jobs())
          .singleElement()
          .satisfies(
              j -> {
                assertThat(j.jobId()).isEqualTo(dashboard.jobs.keySet().iterator().next());
                assertThat(j.state()).isEqualTo(dev.geneva.JobState.FAILED);
                assertThat(j.error().orElseThrow()).contains("status FAILED");
                assertThat(j.cluster()).contains(NS + "/test-cluster");
                assertThat(j.udfClass()).isEqualTo(TextLength.class.getName());
                assertThat(j.endedAt()).isPresent();
              });
    }
  }

  @Test
  void close_whenBackfillAsyncStillRunning_stopsRayJobBeforeDeletingCluster() throws Exception {
    BlockingUdf.reset();
    BackfillJob job;
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "slow", new BlockingUdf(), 400);
      try (RayCluster cluster = cluster().start()) {
        job = t.backfillAsync("slow");
        assertThat(BlockingUdf.started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(cluster.runningBackfills()).containsExactly(job);
      }
      assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
          .isInstanceOf(CancellationException.class);
    }
    assertThat(dashboard.stopRequests).hasSize(1);
    assertThat(dashboard.requests).anyMatch(r -> r.matches("POST /api/jobs/.+/stop"));
    assertThat(dashboard.jobs.values()).allSatisfy(j -> assertThat(j.status).isEqualTo("STOPPED"));
    assertThat(rayClusters()).isEmpty();
    assertThat(forwarder.stillOpen()).isZero();
  }

  @Test
  void close_onAnotherThread_backfillsOnStartingThreadRunInThisJvm() throws Exception {
    ExecutorService starter = Executors.newSingleThreadExecutor();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 100);
      RayCluster cluster = starter.submit(() -> cluster().start()).get(30, TimeUnit.SECONDS);

      cluster.close(); // on this thread, not the starter

      assertThat(BackfillTargets.current()).isEmpty();
      BackfillResult local = starter.submit(() -> t.backfill("len")).get(60, TimeUnit.SECONDS);
      assertThat(dashboard.jobs).as("no Ray job: it ran in this JVM").isEmpty();
      assertThat(local.rowsProcessed()).isEqualTo(100);
      assertThatThrownBy(() -> cluster.backfillTarget().start(t, "len", BackfillOptions.defaults()))
          .isInstanceOf(RayClusterException.class)
          .hasMessageContaining("RayCluster geneva/test-cluster is closed");
    } finally {
      starter.shutdownNow();
    }
    assertThat(dashboard.jobs).isEmpty();
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void backfill_fromPoolThreadInsideTryBlock_runsAsRayJobOnTheCluster() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 300);
      BackfillResult r;
      try (RayCluster cluster = cluster().start()) {
        r = pool.submit(() -> t.backfill("len")).get(60, TimeUnit.SECONDS);
      }

      assertThat(r.executor()).isEqualTo("ray-local"); // the job driver's Ray
      assertThat(r.rowsProcessed()).isEqualTo(300);
      assertThat(Columns.byId(t, "len")).hasSize(300);
    } finally {
      pool.shutdownNow();
    }
    assertThat(dashboard.jobs).hasSize(1);
  }

  @Test
  void backfill_whenExecutorNamedInsideTryBlock_runsInThisJvm() {
    try (Connection db = Geneva.connect(dir.toString());
        BackfillExecutor threads = BackfillExecutors.threads()) {
      Table t = table(db, "len", new TextLength(), 200);
      BackfillResult r;
      try (RayCluster cluster = cluster().start()) {
        r = t.backfill("len", BackfillOptions.builder().executor(threads).build());
      }

      assertThat(r.executor()).isEqualTo("threads");
      assertThat(r.rowsProcessed()).isEqualTo(200);
    }
    assertThat(dashboard.jobs).isEmpty();
  }

  @Test
  void backfill_afterClose_runsInThisJvm() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 200);
      try (RayCluster cluster = cluster().start()) {
        assertThat(BackfillTargets.current()).contains(cluster.backfillTarget());
      }

      BackfillResult r = t.backfill("len");

      assertThat(dashboard.jobs).as("no Ray job: it ran in this JVM").isEmpty();
      assertThat(r.rowsProcessed()).isEqualTo(200);
    }
    assertThat(dashboard.jobs).isEmpty();
  }

  @Test
  void backfill_whenClustersNested_innerRunsUntilClosedAndExplicitClusterAlwaysWins() {
    try (Connection db = Geneva.connect(dir.toString());
        BackfillExecutor threads = BackfillExecutors.threads()) {
      Table t = table(db, "len", new TextLength(), 300);
      BackfillOptions firstRows = BackfillOptions.builder().where("id < 100").build();
      try (RayCluster outer = cluster().name("outer").start()) {
        try (RayCluster inner = cluster().name("inner").start()) {
          t.backfill("len", firstRows); // inner: started last
          outer.backfill(t, "len", firstRows); // named: outer
          t.backfill(
              "len",
              BackfillOptions.builder().executor(threads).target(outer.backfillTarget()).build());
        }
        t.backfill("len", firstRows); // inner closed: outer again
      }
    }
    assertThat(dashboard.jobs.values())
        .extracting(j -> j.request.path("metadata").path("geneva.raycluster").asText())
        .containsExactlyInAnyOrder(NS + "/inner", NS + "/outer", NS + "/outer", NS + "/outer");
    assertThat(rayClusters()).isEmpty();
  }
}
