package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeDashboard;
import dev.geneva.k8s.testing.FakeKubeRay;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.k8s.testing.SdkRequests;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end: {@code RayCluster.builder()...auth(GkeAuth)...start()} against the fake Google token
 * endpoint and GKE API and fabric8's mock API server over TLS (GKE API endpoints are host[:port]
 * reached over https, so the server must speak TLS; its CA comes from the fake GKE API): the SDK's
 * whole start (preflight, create, watch-based readiness with the fake KubeRay operator, port
 * forward to the fake dashboard) and close (delete).
 *
 * <p>Whose request is whose: the SDK's client sends {@code Bearer <Google access token>}; the
 * test's own client and the fake operator share the mock server's client, which sends fabric8's
 * fixed mock token ({@link SdkRequests#MOCK_CLIENT_AUTHORIZATION}).
 *
 * <p>Not the parity form {@code configMethod(ConfigMethod.GKE).project(..).location(..)
 * .clusterName(..)}: it reads application-default credentials and calls the public GKE API, and
 * neither can be pointed at a fake from inside the JVM (no parameter for the API root, and the
 * credentials come from the environment). {@code GkeAuth.builder()} with {@code credentials} and
 * {@code containerApiRoot} builds the same auth with the fakes'.
 */
class RayClusterGkeAuthTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";
  private static final String CLUSTER = "test-cluster";

  private FakeGoogle google;
  private MockKubernetes mock;
  private KubernetesMockServer server;
  private KubernetesClient client;
  private FakeDashboard dashboard;
  private ProxyForwarder forwarder;
  private FakeKubeRay operator;

  @BeforeEach
  void setUp() throws Exception {
    google = new FakeGoogle();
    mock = new MockKubernetes(true);
    server = mock.server();
    client = mock.client();
    String caPem =
        Files.readString(
            Path.of(server.getSelfSignedCertificate().certificatePath()), StandardCharsets.UTF_8);
    google.addCluster(
        "p", "us-central1", "geneva", server.getHostName() + ":" + server.getPort(), caPem);
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(KubeRayCrds.crd("1.3.2"))
        .create();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    client
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(SA)
                .addToAnnotations("iam.gke.io/gcp-service-account", FakeGoogle.SA_EMAIL)
                .endMetadata()
                .build())
        .create();
    dashboard = new FakeDashboard("2.39.0");
    forwarder = new ProxyForwarder(port -> dashboard.address());
    Rbac.allowAllExcept(server);
    operator =
        new FakeKubeRay(client, NS, FakeKubeRay.Version.V1_3, FakeKubeRay.Behaviour.HEALTHY)
            .start();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    try {
      operator.close();
      assertThat(operator.errors()).isEmpty();
    } finally {
      dashboard.close();
      google.close();
      mock.close(); // last: fails if a watch of the SDK, the test or the operator is still open
    }
  }

  private GkeAuth gkeAuth() {
    return GkeAuth.builder()
        .project("p")
        .location("us-central1")
        .clusterName("geneva")
        .credentials(google.credentials())
        .containerApiRoot(google.root())
        .build();
  }

  private RayCluster.Builder cluster() {
    return RayCluster.builder()
        .name(CLUSTER)
        .namespace(NS)
        .auth(gkeAuth())
        .waitTimeout(Duration.ofSeconds(30))
        .portForwarder(forwarder)
        .headGroup(HeadGroupSpec.builder().serviceAccount(SA).cpus(1).memoryMiB(2048).build())
        .workerGroup(
            WorkerGroupSpec.builder().name("worker").replicas(2).serviceAccount(SA).build());
  }

  /** Whether the header is a token the fake Google token endpoint issued. */
  private boolean isGoogleToken(String authorization) {
    return google.issuedTokens().stream().anyMatch(t -> authorization.equals("Bearer " + t));
  }

  private List<RecordedRequest> sdkRequests() throws InterruptedException {
    return SdkRequests.sdkOnly(SdkRequests.take(server), NS, CLUSTER, this::isGoogleToken);
  }

  private List<RayClusterResource> rayClusters() {
    return client.resources(RayClusterResource.class).inNamespace(NS).list().getItems();
  }

  @Test
  void start_whenGkeAuth_everySdkRequestCarriesGoogleAccessToken() throws Exception {
    SdkRequests.take(server); // the set-up's requests
    try (RayCluster cluster = cluster().start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(forwarder.opened())
          .containsExactly(new ProxyForwarder.Opened(NS, "test-cluster-head-x7k2p", 8265));
      assertThat(dashboard.versionCalls()).isPositive();
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    assertThat(google.issuedTokens()).hasSize(1);
    String token = "Bearer " + google.issuedTokens().get(0);
    assertThat(google.gkeAuthorizations()).containsExactly(token);
    assertThat(sdkRequests())
        .allSatisfy(
            r ->
                assertThat(SdkRequests.authorization(r))
                    .as(SdkRequests.describe(r))
                    .isEqualTo(token));
  }

  @Test
  void start_whenApiServerAnswers401ToCreate_fetchesOneNewTokenAndRetriesCreateWithIt()
      throws Exception {
    server
        .expect()
        .post()
        .withPath(SdkRequests.rayClusters(NS))
        .andReturn(401, SdkRequests.UNAUTHORIZED_STATUS)
        .once();
    SdkRequests.take(server);

    try (RayCluster cluster = cluster().start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    assertOneRefreshAndRetry(sdkRequests(), SdkRequests.rayClusterCreate(NS));
  }

  @Test
  void start_whenApiServerAnswers401ToRayClusterWatch_fetchesOneNewTokenAndReopensWatchWithIt()
      throws Exception {
    // The watch's query (resourceVersion) is not known in advance, so not server.expect().
    mock.answerOnce(
        r ->
            isGoogleToken(SdkRequests.authorization(r))
                && SdkRequests.rayClusterWatch(NS, CLUSTER).test(r),
        401,
        SdkRequests.UNAUTHORIZED_STATUS);
    SdkRequests.take(server);

    try (RayCluster cluster = cluster().start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(forwarder.opened()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    assertOneRefreshAndRetry(sdkRequests(), SdkRequests.rayClusterWatch(NS, CLUSTER));
  }

  /**
   * One request of the kind was refused with the first token, the fake token endpoint issued
   * exactly one more token, the same request was sent again with it, and every later SDK request
   * (the rest of start, and close) carries the new token.
   */
  private void assertOneRefreshAndRetry(
      List<RecordedRequest> sdk, Predicate<RecordedRequest> refusedKind) {
    assertThat(google.issuedTokens()).hasSize(2);
    String first = "Bearer " + google.issuedTokens().get(0);
    String second = "Bearer " + google.issuedTokens().get(1);
    assertThat(second).isNotEqualTo(first);

    List<RecordedRequest> ofKind = sdk.stream().filter(refusedKind).toList();
    assertThat(ofKind).extracting(SdkRequests::describe).hasSize(2);
    RecordedRequest refused = ofKind.get(0);
    RecordedRequest retry = ofKind.get(1);
    assertThat(SdkRequests.describe(retry)).isEqualTo(SdkRequests.describe(refused));
    assertThat(SdkRequests.authorization(refused)).isEqualTo(first);
    assertThat(SdkRequests.authorization(retry)).isEqualTo(second);

    int refusedAt = sdk.indexOf(refused);
    assertThat(sdk.subList(0, refusedAt + 1))
        .allSatisfy(
            r ->
                assertThat(SdkRequests.authorization(r))
                    .as(SdkRequests.describe(r))
                    .isEqualTo(first));
    assertThat(sdk.subList(refusedAt + 1, sdk.size()))
        .isNotEmpty()
        .allSatisfy(
            r ->
                assertThat(SdkRequests.authorization(r))
                    .as(SdkRequests.describe(r))
                    .isEqualTo(second));
    assertThat(sdk.get(sdk.size() - 1)).matches(SdkRequests.rayClusterDelete(NS, CLUSTER));
  }
}
