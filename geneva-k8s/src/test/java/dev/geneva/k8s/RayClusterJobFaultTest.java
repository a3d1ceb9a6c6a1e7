package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.k8s.testing.FakeKubeRay.Behaviour;
import dev.geneva.k8s.testing.FakeKubeRay.Version;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.ray.RayExecutor;
import dev.geneva.ray.driver.InProcessDriver;
import dev.geneva.ray.jobs.FakeRayDashboard;
import dev.geneva.ray.jobs.FakeRayDashboard.Fault;
import dev.geneva.ray.jobs.JobPackager;
import dev.geneva.ray.jobs.RayDashboardException;
import dev.geneva.ray.jobs.RayJobContactLostException;
import dev.geneva.ray.testing.BlockingUdf;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Udf;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, defects 6 and 7, on a RayCluster (mock API server, fake KubeRay, the dashboard port
 * forwarded by a killable {@link ProxyForwarder} to geneva-ray-jobs's {@link FakeRayDashboard},
 * jobs running the real driver on embedded Ray): a rejected submission and lost contact mark the
 * run failed, a job lost contact with is still stopped by close(), and a dropped port-forward is
 * re-opened while the backfill carries on.
 */
class RayClusterJobFaultTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";
  private static final String ANY_JOB_CALL = "/api/jobs/geneva-.+";

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
    keepAlive = RayExecutor.local(allocator);
  }

  @AfterAll
  static void stopRay() {
    keepAlive.close();
    allocator.close();
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @BeforeEach
  void setUp() throws Exception {
    BlockingUdf.reset();
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
    env.close();
  }

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

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      Thread.sleep(10);
    }
  }

  @Test
  void backfill_whenSubmissionRejected_throwsAndRetainOnFailureKeepsCluster() {
    dashboard.fault("POST", "/api/jobs/", Fault.HTTP_500, 1);
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "len", new TextLength(), 100);
      try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).start()) {
        assertThatThrownBy(() -> t.backfill("len"))
            .isInstanceOfSatisfying(
                RayDashboardException.class, e -> assertThat(e.statusCode()).isEqualTo(500))
            .hasMessageContaining("POST /api/jobs/ with HTTP 500");
      }
    }
    assertThat(dashboard.jobs).isEmpty();
    assertThat(dashboard.requests.stream().filter(r -> r.equals("POST /api/jobs/"))).hasSize(1);
    // The rejected submission marked the run failed, so RETAIN_ON_FAILURE kept the cluster.
    assertThat(env.rayClusters()).hasSize(1);
    assertThat(forwarder.stillOpen()).isZero();
  }

  @Test
  void close_afterLostContact_stillStopsJobAndRetainOnFailureKeepsCluster() throws Exception {
    BackfillJob job;
    String id;
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "slow", new BlockingUdf(), 400);
      try (RayCluster cluster =
          cluster()
              .jobContactTimeout(Duration.ofSeconds(1))
              .exitMode(ExitMode.RETAIN_ON_FAILURE)
              .start()) {
        job = t.backfillAsync("slow");
        assertThat(BlockingUdf.started.await(30, TimeUnit.SECONDS)).isTrue();
        id = dashboard.jobIds().get(0);
        long t0 = System.nanoTime();
        dashboard.fault("GET", ANY_JOB_CALL, Fault.HTTP_500, Integer.MAX_VALUE);

        assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
            .isInstanceOf(RayJobContactLostException.class)
            .hasMessageContaining("lost contact with Ray job " + id)
            .hasMessageContaining("ray job status " + id);
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
            .isBetween(Duration.ofMillis(900), Duration.ofSeconds(20));
        assertThat(dashboard.jobs.get(id).status).isEqualTo("RUNNING");
        assertThat(dashboard.stopRequests).isEmpty();
        dashboard.clearFaults(); // the dashboard answers again by the time the block ends
      }
    }
    assertThat(dashboard.stopRequests).containsExactly(id);
    awaitTrue(() -> dashboard.jobs.get(id).status.equals("STOPPED"), "the job to stop");
    assertThat(env.rayClusters()).hasSize(1);
    assertThat(forwarder.stillOpen()).isZero();
  }

  @Test
  void backfill_whenPortForwardDropsMidRun_reopensForwardToSamePodAndCompletes() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "slow", new BlockingUdf(), 400);
      try (RayCluster cluster = cluster().start()) {
        URI before = cluster.dashboardUrl();
        String pod = cluster.headPodName();
        BackfillJob job = t.backfillAsync("slow");
        assertThat(BlockingUdf.started.await(30, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();

        assertThat(forwarder.kill(RayCluster.DASHBOARD_PORT)).isEqualTo(1);
        awaitTrue(() -> forwarder.opened(RayCluster.DASHBOARD_PORT).size() == 2, "a new forward");
        BlockingUdf.release.countDown();
        BackfillResult r = job.join(60, TimeUnit.SECONDS);

        assertThat(r.rowsProcessed()).isEqualTo(400);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
        assertThat(forwarder.opened(RayCluster.DASHBOARD_PORT))
            .extracting(ProxyForwarder.Opened::pod)
            .containsExactly(pod, pod);
        assertThat(cluster.dashboardUrl()).isNotEqualTo(before);
        assertThat(forwarder.stillOpen()).isEqualTo(1); // the dropped one was closed
      }
    }
    assertThat(dashboard.stopRequests).isEmpty();
    assertThat(forwarder.stillOpen()).isZero();
  }

  @Test
  void backfill_whenHeadPodReplacedAndForwardDrops_reopensForwardToNewPod() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, "slow", new BlockingUdf(), 400);
      try (RayCluster cluster = cluster().start()) {
        String oldPod = cluster.headPodName();
        BackfillJob job = t.backfillAsync("slow");
        assertThat(BlockingUdf.started.await(30, TimeUnit.SECONDS)).isTrue();

        replaceHeadPod(oldPod, "test-cluster-head-n3wp0");
        forwarder.kill(RayCluster.DASHBOARD_PORT);
        awaitTrue(() -> forwarder.opened(RayCluster.DASHBOARD_PORT).size() == 2, "a new forward");
        BlockingUdf.release.countDown();
        BackfillResult r = job.join(60, TimeUnit.SECONDS);

        assertThat(r.rowsProcessed()).isEqualTo(400);
        assertThat(forwarder.opened(RayCluster.DASHBOARD_PORT))
            .extracting(ProxyForwarder.Opened::pod)
            .containsExactly(oldPod, "test-cluster-head-n3wp0");
        assertThat(cluster.headPodName()).isEqualTo("test-cluster-head-n3wp0");
      }
    }
  }

  /** KubeRay recreated the head pod under a new name (the status still names the old one). */
  private void replaceHeadPod(String oldName, String newName) {
    Pod old = env.client().pods().inNamespace(NS).withName(oldName).get();
    Pod replacement =
        new PodBuilder(old)
            .editMetadata()
            .withName(newName)
            .withResourceVersion(null)
            .withUid(null)
            .withCreationTimestamp(null)
            .endMetadata()
            .build();
    env.client().pods().inNamespace(NS).withName(oldName).delete();
    env.client().pods().inNamespace(NS).resource(replacement).create();
  }
}
