package dev.geneva.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.geneva.k8s.ExitMode;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterException;
import dev.geneva.k8s.RayClusterLeakedException;
import dev.geneva.k8s.RayClusters;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeKubeRay;
import dev.geneva.k8s.testing.FakeKubeRay.Behaviour;
import dev.geneva.k8s.testing.FakeKubeRay.Version;
import dev.geneva.k8s.testing.FaultProxy;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.Rbac;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The promise of issue 11: whatever happens, the cluster is gone after {@code close()} unless the
 * user asked to keep it, and a broken start fails in seconds with the reason. Faults are injected
 * by a {@link FaultProxy} between the SDK and the mock API server (the test's own client and the
 * fake operator talk to the server directly). Time bounds are generous: they tell "seconds" from
 * "the whole wait timeout" (minutes here), not fast from slow.
 */
class ClusterLifecycleFaultTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";
  private static final String CLUSTERS = "/apis/ray.io/v1/namespaces/geneva/rayclusters";
  private static final String CLUSTER = CLUSTERS + "/test-cluster";

  private MockRayEnvironment env;
  private FaultProxy proxy;

  @BeforeEach
  void setUp() {
    env = MockRayEnvironment.builder().namespace(NS).serviceAccount(SA).build();
    proxy = new FaultProxy(env.serverAddress());
    Rbac.allowAllExcept(env.server());
  }

  @AfterEach
  void tearDown() throws Exception {
    proxy.close();
    env.close();
  }

  private RayCluster.Builder cluster() {
    return RayCluster.builder()
        .name("test-cluster")
        .namespace(NS)
        .auth(env.kubeAuthVia(proxy.url()))
        .waitTimeout(Duration.ofMinutes(5)) // the faults, not the timeout, must end a start
        .portForwarder(env.forwarder())
        .headGroup(HeadGroupSpec.builder().serviceAccount(SA).build())
        .workerGroup(
            WorkerGroupSpec.builder().name("worker").replicas(1).serviceAccount(SA).build());
  }

  private List<RayClusterResource> clustersOfSession(String session) {
    return env.client()
        .resources(RayClusterResource.class)
        .inNamespace(NS)
        .withLabel(RayCluster.SESSION_LABEL, session)
        .list()
        .getItems();
  }

  private static void awaitTrue(String what, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  // 1. A lost create answer.

  @ParameterizedTest
  @EnumSource(ExitMode.class)
  void start_whenCreateAnswerLostWith504_expectClusterAdoptedAndExitModeApplied(ExitMode mode) {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    proxy.dropAnswerWith504("POST", CLUSTERS, 1);

    RayCluster cluster = cluster().exitMode(mode).start();
    try {
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(proxy.requests("POST", CLUSTERS)).hasSize(2); // the lost one, the 409 retry
      assertThat(clustersOfSession(cluster.sessionId())).hasSize(1);
    } finally {
      cluster.close();
    }
    assertThat(clustersOfSession(cluster.sessionId())).hasSize(mode == ExitMode.RETAIN ? 1 : 0);
  }

  @Test
  void start_whenCreateConnectionResetAfterStore_expectClusterAdoptedAndDeletedOnClose() {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    proxy.dropAnswerWithReset("POST", CLUSTERS, 1);

    RayCluster cluster = cluster().start();
    try {
      assertThat(cluster.createdCluster()).isTrue();
    } finally {
      cluster.close();
    }
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
  }

  @Test
  void start_whenCreateAnswerLostAndStartThenFails_expectAdoptedClusterDeleted() {
    env.startOperator(Version.V1_3, Behaviour.CRASH_LOOP);
    proxy.dropAnswerWith504("POST", CLUSTERS, 1);
    RayCluster cluster = cluster().build();

    assertThatThrownBy(cluster::start)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("CrashLoopBackOff");
    cluster.close();
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
  }

  @Test
  void create_whenFabric8RetriesOnItsOwnAndAnswerLost_expectResentPostGets409() {
    // What fabric8 8.0.0 does with its default retry (the SDK turns it off): a POST whose answer
    // was lost is sent again, and the second answer is a 409 for the cluster the first one made.
    proxy.dropAnswerWith504("POST", CLUSTERS, 1);
    try (KubernetesClient direct =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(env.client().getConfiguration())
                    .withMasterUrl(proxy.url())
                    .build())
            .build()) {
      RayClusterResource rc = new RayClusterResource();
      rc.setMetadata(new ObjectMetaBuilder().withName("plain").build());
      assertThatThrownBy(
              () ->
                  direct.resources(RayClusterResource.class).inNamespace(NS).resource(rc).create())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    }
    assertThat(proxy.requests("POST", CLUSTERS)).hasSize(2);
    assertThat(env.rayClusters())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("plain");
  }

  // 2. close() aborts a waiting start.

  @ParameterizedTest
  @EnumSource(ExitMode.class)
  void close_whenStartWaitsForReadiness_expectStartAbortedAndClusterDeletedWithinSeconds(
      ExitMode mode) throws Exception {
    env.startOperator(Version.V1_3, Behaviour.NEVER_READY);
    RayCluster cluster = cluster().exitMode(mode).waitTimeout(Duration.ofMinutes(10)).build();
    CompletableFuture<Throwable> started =
        CompletableFuture.supplyAsync(() -> catchThrowable(cluster::start));
    awaitTrue("the RayCluster is created", () -> !clustersOfSession(cluster.sessionId()).isEmpty());
    Thread.sleep(200); // well inside the readiness wait

    long t0 = System.nanoTime();
    cluster.close();
    Duration closeTook = since(t0);
    Throwable startError = started.get(5, TimeUnit.SECONDS);

    assertThat(closeTook).isLessThan(Duration.ofSeconds(5));
    assertThat(startError)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("aborted by close()")
        .hasMessageContaining("the cluster it created is deleted");
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
    assertThat(cluster.isRunning()).isFalse();
    cluster.close(); // twice is fine
    assertThatThrownBy(cluster::start).hasMessageContaining("closed");
  }

  @Test
  void close_whenStartWaitsForDashboard_expectStartAbortedWithinSeconds() throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    env.dashboard().failFirst(Integer.MAX_VALUE);
    RayCluster cluster = cluster().build();
    CompletableFuture<Throwable> started =
        CompletableFuture.supplyAsync(() -> catchThrowable(cluster::start));
    awaitTrue("the dashboard is probed", () -> env.dashboard().versionCalls() > 0);

    long t0 = System.nanoTime();
    cluster.close();

    assertThat(since(t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(started.get(5, TimeUnit.SECONDS)).hasMessageContaining("aborted by close()");
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
    assertThat(env.forwarder().stillOpen()).isZero();
  }

  // 3. Readiness fails fast on the cluster's state.

  @Test
  void start_whenClusterDeletedWhileDashboardRetries_expectFailFastNamingDeletion()
      throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    env.dashboard().failFirst(Integer.MAX_VALUE);
    RayCluster cluster = cluster().build();
    CompletableFuture<Throwable> started =
        CompletableFuture.supplyAsync(() -> catchThrowable(cluster::start));
    awaitTrue("the dashboard is probed", () -> env.dashboard().versionCalls() > 0);

    long t0 = System.nanoTime();
    env.client()
        .resources(RayClusterResource.class)
        .inNamespace(NS)
        .withName("test-cluster")
        .delete();
    Throwable error = started.get(10, TimeUnit.SECONDS);

    assertThat(since(t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(error)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("disappeared while starting")
        .hasMessageNotContaining("dashboard");
    cluster.close();
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
  }

  @Test
  void start_whenClusterMarkedFailedWhileDashboardRetries_expectFailFastAndClusterDeleted()
      throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    env.dashboard().failFirst(Integer.MAX_VALUE);
    RayCluster cluster = cluster().build();
    CompletableFuture<Throwable> started =
        CompletableFuture.supplyAsync(() -> catchThrowable(cluster::start));
    awaitTrue("the dashboard is probed", () -> env.dashboard().versionCalls() > 0);

    long t0 = System.nanoTime();
    env.client()
        .genericKubernetesResources(FakeKubeRay.RAY_CLUSTER)
        .inNamespace(NS)
        .withName("test-cluster")
        .editStatus(
            r -> {
              @SuppressWarnings("unchecked")
              Map<String, Object> status =
                  (Map<String, Object>) r.getAdditionalProperties().get("status");
              status.put("state", "failed");
              status.put("reason", "HeadPodEvicted");
              return r;
            });
    Throwable error = started.get(10, TimeUnit.SECONDS);

    assertThat(since(t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(error)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("KubeRay marked it failed: HeadPodEvicted");
    cluster.close();
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
  }

  @Test
  void start_whenWatchesCutWhileWaiting_expectWatchesReopenedAndStartSucceeds() throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    env.dashboard().failFirst(Integer.MAX_VALUE);
    RayCluster cluster = cluster().build();
    CompletableFuture<Throwable> started =
        CompletableFuture.supplyAsync(() -> catchThrowable(cluster::start));
    awaitTrue("the dashboard is probed", () -> env.dashboard().versionCalls() > 0);
    int watchesBefore = watchRequests();

    proxy.cutWatches(); // a dropped network: no event about the cluster itself
    awaitTrue("the watches are reopened", () -> watchRequests() > watchesBefore);
    env.dashboard().failFirst(0);

    assertThat(started.get(30, TimeUnit.SECONDS)).isNull();
    assertThat(cluster.isRunning()).isTrue();
    cluster.close();
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
  }

  private int watchRequests() {
    return (int) proxy.requests().stream().filter(r -> r.path().contains("watch=true")).count();
  }

  // 4. A failed delete is retried, reported, and stays known to the exit hook.

  @Test
  void close_whenDeleteAnswers500Twice_expectRetriedAndDeleted() {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    RayCluster cluster = cluster().start();
    proxy.answer("DELETE", CLUSTER, 2, 500, Map.of());

    cluster.close();

    assertThat(proxy.requests("DELETE", CLUSTER)).hasSize(3);
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
  }

  @Test
  void close_whenDeleteKeepsFailing_expectLeakedErrorWithCommandsAndRetryOnNextClose() {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    int hooksBefore = ShutdownHooks.openCount();
    RayCluster cluster = cluster().deleteTimeout(Duration.ofSeconds(1)).start();
    proxy.answer("DELETE", CLUSTER, FaultProxy.ALWAYS, 500, Map.of());

    long t0 = System.nanoTime();
    assertThatThrownBy(cluster::close)
        .isInstanceOf(RayClusterLeakedException.class)
        .hasMessageContaining("LEAKED")
        .hasMessageContaining("kubectl delete raycluster test-cluster -n geneva")
        .hasMessageContaining("geneva clusters delete test-cluster -n geneva")
        .hasMessageContaining("HTTP 500");
    assertThat(since(t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(proxy.requests("DELETE", CLUSTER)).hasSizeGreaterThan(1);
    assertThat(clustersOfSession(cluster.sessionId())).hasSize(1);
    assertThat(ShutdownHooks.openCount()).isEqualTo(hooksBefore + 1);
    assertThat(cluster.isRunning()).isFalse();

    proxy.clearRules();
    cluster.close();
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
    assertThat(ShutdownHooks.openCount()).isEqualTo(hooksBefore);
  }

  @Test
  void closeAll_whenDeleteFailedAtClose_expectExitHookDeletesIt() {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    int hooksBefore = ShutdownHooks.openCount();
    RayCluster cluster = cluster().deleteTimeout(Duration.ofMillis(500)).start();
    proxy.answer("DELETE", CLUSTER, FaultProxy.ALWAYS, 503, Map.of());
    assertThatThrownBy(cluster::close).isInstanceOf(RayClusterLeakedException.class);

    proxy.clearRules();
    ShutdownHooks.closeAll(); // what the JVM's shutdown hook runs

    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
    assertThat(ShutdownHooks.openCount()).isEqualTo(hooksBefore);
  }

  @Test
  void start_whenFailsAndCleanupDeleteFails_expectLeakSuppressedAndCloseRetries() {
    env.startOperator(Version.V1_3, Behaviour.CRASH_LOOP);
    RayCluster cluster = cluster().deleteTimeout(Duration.ofMillis(500)).build();
    proxy.answer("DELETE", CLUSTER, FaultProxy.ALWAYS, 500, Map.of());

    Throwable error = catchThrowable(cluster::start);
    assertThat(error).hasMessageContaining("CrashLoopBackOff");
    assertThat(error.getSuppressed())
        .anySatisfy(s -> assertThat(s).isInstanceOf(RayClusterLeakedException.class));
    assertThat(clustersOfSession(cluster.sessionId())).hasSize(1);

    proxy.clearRules();
    cluster.close();
    assertThat(clustersOfSession(cluster.sessionId())).isEmpty();
  }

  // 5. An API server that refuses connections.

  @Test
  void start_whenApiServerRefusesConnections_expectCannotReachWithinSeconds() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: connections to it are refused
    }
    String url = "http://127.0.0.1:" + port + "/";
    KubeAuth refused =
        KubeAuth.of(new ConfigBuilder(env.client().getConfiguration()).withMasterUrl(url).build());
    RayCluster cluster = cluster().auth(refused).build();

    long t0 = System.nanoTime();
    assertThatThrownBy(cluster::start)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("Cannot reach the API server at " + url)
        .hasMessageContaining("connection refused");
    assertThat(since(t0)).isLessThan(Duration.ofSeconds(5));

    t0 = System.nanoTime();
    assertThatThrownBy(cluster::preflight).hasMessageContaining("Cannot reach the API server at");
    assertThat(since(t0)).isLessThan(Duration.ofSeconds(5));
    cluster.close();
  }

  @Test
  void list_whenApiServerRefusesConnections_expectCannotReachWithinSeconds() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: connections to it are refused
    }
    String url = "http://127.0.0.1:" + port + "/";
    KubeAuth refused =
        KubeAuth.of(new ConfigBuilder(env.client().getConfiguration()).withMasterUrl(url).build());

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> RayClusters.list(refused, NS))
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("Cannot reach the API server at " + url);
    assertThat(since(t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void reap_whenListAndDeleteAnswer5xxFirst_expectRetriedAndClusterDeleted() {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN).start()) {
      assertThat(cluster.createdCluster()).isTrue();
    }
    assertThat(env.rayClusters()).hasSize(1);
    int listsBefore = proxy.requests("GET", CLUSTERS).size();
    int deletesBefore = proxy.requests("DELETE", CLUSTER).size();
    proxy.answer("GET", CLUSTERS, 2, 500, Map.of());
    proxy.answer("DELETE", CLUSTER, 1, 503, Map.of());

    List<String> reaped =
        RayClusters.reapCreatedBefore(
            env.kubeAuthVia(proxy.url()), NS, java.time.Instant.now().plusSeconds(60));

    assertThat(reaped).containsExactly("test-cluster");
    assertThat(proxy.requests("GET", CLUSTERS)).hasSize(listsBefore + 3);
    assertThat(proxy.requests("DELETE", CLUSTER)).hasSize(deletesBefore + 2);
    assertThat(env.rayClusters()).isEmpty();
  }

  // 8. Retry-After on 429.

  @Test
  void start_whenCreateAnswered429WithRetryAfter_expectRetryAfterHonouredAndStarted() {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    proxy.answer("POST", CLUSTERS, 1, 429, Map.of("Retry-After", "1"));

    try (RayCluster cluster = cluster().start()) {
      assertThat(cluster.createdCluster()).isTrue();
    }

    List<FaultProxy.Seen> posts = proxy.requests("POST", CLUSTERS);
    assertThat(posts).hasSize(2);
    assertThat(Duration.ofNanos(posts.get(1).atNanos() - posts.get(0).atNanos()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(env.rayClusters()).isEmpty();
  }

  @Test
  void preflight_whenAnswered429WithRetryAfter_expectRetryAfterHonouredAndOk() {
    proxy.answer("GET", "/api/v1/namespaces/geneva", 1, 429, Map.of("Retry-After", "1"));

    assertThat(cluster().build().preflight().ok()).isTrue();

    List<FaultProxy.Seen> reads = proxy.requests("GET", "/api/v1/namespaces/geneva");
    assertThat(reads).hasSize(2);
    assertThat(Duration.ofNanos(reads.get(1).atNanos() - reads.get(0).atNanos()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
  }
}
