package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeKubeRay.Behaviour;
import dev.geneva.k8s.testing.FakeKubeRay.Version;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.spi.BackfillTargets;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lifecycle against fabric8's mock API server in CRUD mode and a fake KubeRay operator. The
 * server is {@link MockKubernetes}, not {@code @EnableKubernetesMockClient}: the stock server can
 * freeze its event loop for 30 s when a watch closes while an event for it is being written (see
 * {@link MockKubernetes}), and its tear-down closes the server before the client. Here each test
 * gets its own server, closed last, after checking that every watch was closed.
 */
class RayClusterLifecycleTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";

  private MockRayEnvironment env;
  private KubernetesMockServer server;
  private KubernetesClient client;
  private ProxyForwarder forwarder;

  @BeforeEach
  void setUp() {
    env =
        MockRayEnvironment.builder()
            .namespace(NS)
            .serviceAccount(SA)
            .serviceAccountAnnotation("eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/geneva")
            .dashboardFailFirst(2)
            .build();
    server = env.server();
    client = env.client();
    forwarder = env.forwarder();
  }

  @AfterEach
  void tearDown() throws Exception {
    env.close(); // the operator (no errors), the dashboard, the mock server last
  }

  private void operator(Version version, Behaviour behaviour) {
    env.startOperator(version, behaviour);
  }

  private RayCluster.Builder cluster() {
    return RayCluster.builder()
        .name("test-cluster")
        .namespace(NS)
        .auth(env.kubeAuth())
        // A deadline, not a delay: a healthy start returns as soon as it is ready. Tests of the
        // timeout set their own; 5 s was too little on a 2-core CI machine under parallel builds.
        .waitTimeout(Duration.ofSeconds(30))
        .portForwarder(forwarder)
        .headGroup(HeadGroupSpec.builder().serviceAccount(SA).cpus(1).memoryMiB(2048).build())
        .workerGroup(
            WorkerGroupSpec.builder().name("worker").replicas(2).serviceAccount(SA).build());
  }

  private List<RayClusterResource> rayClusters() {
    return env.rayClusters();
  }

  @Test
  void start_whenPortForwardingOff_expectInClusterServiceUrlAndNoForward() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);

    // In a pod of the same cluster the dashboard is reached through the head service; this test
    // runs outside, so readiness stops short of calling the dashboard.
    try (RayCluster cluster =
        cluster()
            .portForwarding(false)
            .readinessChecks(
                List.of(ReadinessCheck.clusterProvisioned(), ReadinessCheck.headPodReady()))
            .start()) {
      assertThat(cluster.dashboardUrl().toString())
          .startsWith("http://")
          .endsWith("." + NS + ".svc.cluster.local:8265");
      assertThat(forwarder.opened()).isEmpty();
    }

    assertThat(rayClusters()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void start_whenOperatorBecomesReady_expectForwardedDashboardAndDeletedOnClose(Version version)
      throws Exception {
    Rbac.allowAllExcept(server);
    operator(version, Behaviour.HEALTHY);

    try (RayCluster cluster = cluster().start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(cluster.headPodName()).isEqualTo("test-cluster-head-x7k2p");
      assertThat(forwarder.opened())
          .containsExactly(new ProxyForwarder.Opened(NS, "test-cluster-head-x7k2p", 8265));
      assertThat(env.dashboard().versionCalls()).isGreaterThanOrEqualTo(3);

      HttpResponse<String> version1 =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(cluster.dashboardUrl().resolve("/api/version")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(version1.body()).contains("\"ray_version\":\"2.39.0\"");

      ClusterStatus status = cluster.status();
      assertThat(status.provisioned()).isTrue();
      assertThat(status.desiredWorkers()).isEqualTo(2);
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(forwarder.stillOpen()).isZero();
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void start_whenClientPortRequested_expectBothPortsForwarded() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().forwardClientPort(true).start()) {
      assertThat(cluster.clientUrl()).isPresent();
      assertThat(cluster.clientUrl().get().getScheme()).isEqualTo("ray");
      assertThat(forwarder.opened())
          .extracting(ProxyForwarder.Opened::remotePort)
          .containsExactly(8265, 10001);
    }
    assertThat(forwarder.stillOpen()).isZero();
  }

  @Test
  void start_whenCreated_expectOwnershipLabelsOnClusterAndPods() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_2, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN).start()) {
      RayClusterResource rc = rayClusters().get(0);
      assertThat(rc.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", "geneva")
          .containsEntry(RayCluster.OWNER_LABEL, cluster.owner())
          .containsEntry(RayCluster.SESSION_LABEL, cluster.sessionId())
          .containsKey(RayCluster.SDK_VERSION_LABEL);
      assertThat(rc.getSpec().getHeadGroupSpec().getTemplate().getMetadata().getLabels())
          .containsEntry(RayCluster.SESSION_LABEL, cluster.sessionId());
      assertThat(rc.getSpec().getWorkerGroupSpecs().get(0).getTemplate().getMetadata().getLabels())
          .containsEntry(RayCluster.SESSION_LABEL, cluster.sessionId());
    }
    KubeAuth auth = KubeAuth.of(client.getConfiguration());
    List<RayClusters.ManagedCluster> managed = RayClusters.list(auth, NS);
    assertThat(managed)
        .extracting(RayClusters.ManagedCluster::name)
        .containsExactly("test-cluster");
    assertThat(RayClusters.reap(auth, NS, Duration.ofHours(1))).isEmpty();
    assertThat(RayClusters.reapCreatedBefore(auth, NS, Instant.now().plusSeconds(60)))
        .containsExactly("test-cluster");
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void close_whenExitModeRetain_expectClusterKept() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().exitMode("retain").start()) {
      assertThat(cluster.exitMode()).isEqualTo(ExitMode.RETAIN);
    }
    assertThat(rayClusters()).hasSize(1);
    assertThat(forwarder.stillOpen()).isZero();
  }

  @Test
  void close_whenRetainOnFailureAndWorkFailed_expectClusterKept() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).start()) {
      cluster.markFailed(new IllegalStateException("backfill failed"));
    }
    assertThat(rayClusters()).hasSize(1);
  }

  @Test
  void close_whenRetainOnFailureAndWorkSucceeded_expectClusterDeleted() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).start()) {
      assertThat(cluster.isRunning()).isTrue();
    }
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void start_whenDashboardRunsOtherRayVersion_expectFailureNamingBothAndClusterDeleted() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    env.restartDashboard("2.43.0");
    assertThatThrownBy(() -> cluster().start())
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining(
            "RayCluster test-cluster runs Ray 2.43.0 but was declared with rayVersion 2.39.0")
        .hasMessageContaining("must run Ray 2.39.0")
        .hasMessageContaining("docs/ray-image.md");
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void preflight_whenNoServiceAccountSet_expectGuideAccountChecked() {
    Rbac.allowAllExcept(server);
    PreflightReport report =
        RayCluster.builder()
            .name("test-cluster")
            .namespace(NS)
            .auth(env.kubeAuth())
            .build()
            .preflight();
    assertThat(report.ok()).isTrue();
    assertThat(report.items())
        .extracting(PreflightReport.Item::check)
        .contains("service account geneva-ray-runner");
  }

  @Test
  void start_whenDefaultServiceAccountMissing_expectPreflightNamesItAsTheDefault() {
    Rbac.allowAllExcept(server);
    client.serviceAccounts().inNamespace(NS).withName(SA).delete();
    RayCluster cluster =
        RayCluster.builder().name("test-cluster").namespace(NS).auth(env.kubeAuth()).build();
    assertThatThrownBy(cluster::start)
        .isInstanceOf(PreflightFailedException.class)
        .hasMessageContaining("service account geneva-ray-runner missing in namespace geneva")
        .hasMessageContaining("Geneva's default service account");
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void start_whenCrdIsKubeRay13_expectGroupIdleTimeoutRendered() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().start()) {
      RayClusterResource created =
          client.resources(RayClusterResource.class).inNamespace(NS).withName("test-cluster").get();
      assertThat(created.getSpec().getWorkerGroupSpecs().get(0).getIdleTimeoutSeconds())
          .isEqualTo(60);
      assertThat(cluster.isRunning()).isTrue();
    }
  }

  @Test
  void start_whenCalledTwice_expectSameHandleAndOneCluster() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    RayCluster cluster = cluster().start();
    try {
      assertThat(cluster.start()).isSameAs(cluster);
      assertThat(BackfillTargets.current()).contains(cluster.backfillTarget());
      assertThat(rayClusters()).hasSize(1);
      assertThat(forwarder.opened()).hasSize(1);
    } finally {
      cluster.close();
      cluster.close();
    }
    assertThat(BackfillTargets.current()).isEmpty();
    assertThatThrownBy(cluster::start)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(cluster::dashboardUrl).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @EnumSource(
      value = Behaviour.class,
      names = {"CRASH_LOOP", "IMAGE_PULL", "UNSCHEDULABLE"})
  void start_whenHeadPodCannotRun_expectFailFastWithReasonEventsAndCleanup(Behaviour behaviour) {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, behaviour);
    RayCluster cluster = cluster().waitTimeout(Duration.ofSeconds(30)).build();
    long t0 = System.nanoTime();

    String expectedReason =
        switch (behaviour) {
          case CRASH_LOOP -> "CrashLoopBackOff";
          case IMAGE_PULL -> "ImagePullBackOff";
          default -> "Unschedulable";
        };
    String expectedEvent =
        switch (behaviour) {
          case CRASH_LOOP -> "Back-off restarting failed container";
          case IMAGE_PULL -> "Failed to pull image";
          default -> "FailedScheduling";
        };
    assertThatThrownBy(cluster::start)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("test-cluster-head-x7k2p")
        .hasMessageContaining(expectedReason)
        .hasMessageContaining(expectedEvent)
        .hasMessageContaining("Fix:");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(rayClusters()).isEmpty();
    assertThat(forwarder.stillOpen()).isZero();
    cluster.close();
    assertThatThrownBy(cluster::start)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void start_whenFailedTwice_expectClearErrorWithoutRetrying() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.CRASH_LOOP);
    RayCluster cluster = cluster().build();
    assertThatThrownBy(cluster::start).isInstanceOf(RayClusterException.class);
    assertThatThrownBy(cluster::start)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("failed to start before")
        .hasMessageContaining("toBuilder().start()");
    cluster.close();
  }

  @Test
  void start_whenFailsWithRetainOnFailure_expectClusterKeptForInspection() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.CRASH_LOOP);
    RayCluster cluster = cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).build();
    assertThatThrownBy(cluster::start).hasMessageContaining("CrashLoopBackOff");
    cluster.close();
    assertThat(rayClusters()).hasSize(1);
  }

  @Test
  void start_whenNeverReady_expectTimeoutWithDiagnosticSummaryAndCleanup() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.NEVER_READY);
    RayCluster cluster = cluster().waitTimeout(Duration.ofMillis(1500)).build();
    assertThatThrownBy(cluster::start)
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("was not ready within PT1.5S")
        .hasMessageContaining("still waiting for RayCluster provisioned")
        .hasMessageContaining("RayClusterProvisioned=False")
        .hasMessageContaining("test-cluster-head-x7k2p phase=Pending")
        .hasMessageContaining("Raise waitTimeout");
    assertThat(rayClusters()).isEmpty();
    cluster.close();
  }

  @Test
  void start_whenVerbForbidden_expectVerbNamedAndNothingCreated() {
    List<String> asked = Rbac.allowAllExcept(server, "create rayclusters", "watch rayclusters");
    assertThatThrownBy(() -> cluster().start())
        .isInstanceOf(PreflightFailedException.class)
        .hasMessageContaining("can-i create rayclusters.ray.io in namespace geneva")
        .hasMessageContaining("can-i watch rayclusters.ray.io")
        .hasMessageContaining("only grants get/patch/delete on rayclusters")
        .hasMessageContaining("also needs create, list and watch")
        .satisfies(
            e ->
                assertThat(((PreflightFailedException) e).report().failures())
                    .extracting(PreflightReport.Item::status)
                    .containsOnly(PreflightReport.Status.FORBIDDEN));
    assertThat(asked)
        .contains(
            "create rayclusters",
            "get rayclusters",
            "list rayclusters",
            "watch rayclusters",
            "delete rayclusters",
            "patch rayclusters",
            "get pods",
            "list pods",
            "watch pods",
            "get services",
            "list services",
            "create pods/portforward",
            "list events");
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void start_whenServiceAccountMissing_expectItemAndFix() {
    Rbac.allowAllExcept(server);
    RayCluster cluster =
        cluster()
            .workerGroup(
                WorkerGroupSpec.builder().name("other").serviceAccount("missing-sa").build())
            .build();
    assertThatThrownBy(cluster::start)
        .isInstanceOf(PreflightFailedException.class)
        .hasMessageContaining("service account missing-sa missing in namespace geneva")
        .hasMessageContaining("kubectl create serviceaccount missing-sa -n geneva")
        .hasMessageContaining("RayClusterManifests / the deployment guide")
        .hasMessageNotContaining("service account geneva-ray-runner:");
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void preflight_whenAllPresent_expectEveryItemOkIncludingCloudAnnotation() {
    Rbac.allowAllExcept(server);
    PreflightReport report = cluster().build().preflight();
    assertThat(report.ok()).isTrue();
    assertThat(report.items())
        .extracting(PreflightReport.Item::check)
        .contains(
            "namespace geneva", "service account geneva-ray-runner", "CRD rayclusters.ray.io");
    assertThat(report.toString()).contains("bound to IAM role arn:aws:iam::1:role/geneva");
  }

  @Test
  void start_whenCrdAbsent_expectInstallHintAndNothingCreated() {
    Rbac.allowAllExcept(server);
    client.apiextensions().v1().customResourceDefinitions().withName("rayclusters.ray.io").delete();
    assertThatThrownBy(() -> cluster().start())
        .isInstanceOf(PreflightFailedException.class)
        .hasMessageContaining("CRD rayclusters.ray.io")
        .hasMessageContaining("not installed")
        .hasMessageContaining("install the KubeRay operator");
  }

  @Test
  void start_whenNamespaceMissing_expectCreateNamespaceFix() {
    Rbac.allowAllExcept(server);
    assertThatThrownBy(() -> cluster().namespace("elsewhere").start())
        .isInstanceOf(PreflightFailedException.class)
        .hasMessageContaining("namespace elsewhere does not exist")
        .hasMessageContaining("kubectl create namespace elsewhere");
  }

  @Test
  void start_whenClusterExistsWithoutReuse_expectClearErrorAndExistingKept() {
    Rbac.allowAllExcept(server);
    operator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster first = cluster().start()) {
      assertThatThrownBy(() -> cluster().start())
          .isInstanceOf(RayClusterException.class)
          .hasMessageContaining("already exists in namespace geneva")
          .hasMessageContaining("reuseExisting(true)");
      assertThat(rayClusters()).hasSize(1);

      try (RayCluster reused = cluster().reuseExisting(true).start()) {
        assertThat(reused.createdCluster()).isFalse();
        assertThat(reused.headPodName()).isEqualTo(first.headPodName());
      }
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();
  }

  @Test
  void start_whenOverrideBreaksTemplate_expectInvalidInputBeforeAnyRequest() {
    int before = server.getRequestCount();
    RayCluster cluster =
        cluster().headGroup(HeadGroupSpec.builder().podTemplateOverride(t -> null).build()).build();
    assertThatThrownBy(cluster::start)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("HeadGroupSpec.podTemplateOverride");
    assertThat(server.getRequestCount()).isEqualTo(before);
    assertThat(rayClusters()).isEmpty();
    cluster.close();
  }
}
