package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeKubeRay;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.k8s.testing.SdkRequests;
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
  private MockRayEnvironment env;
  private KubernetesMockServer server;

  @BeforeEach
  void setUp() throws Exception {
    google = new FakeGoogle();
    env =
        MockRayEnvironment.builder()
            .https(true)
            .namespace(NS)
            .serviceAccount(SA)
            .serviceAccountAnnotation("iam.gke.io/gcp-service-account", FakeGoogle.SA_EMAIL)
            .alsoClose(google)
            .build();
    server = env.server();
    String caPem =
        Files.readString(
            Path.of(server.getSelfSignedCertificate().certificatePath()), StandardCharsets.UTF_8);
    google.addCluster(
        "p", "us-central1", "geneva", server.getHostName() + ":" + server.getPort(), caPem);
    Rbac.allowAllExcept(server);
    env.startOperator(FakeKubeRay.Version.V1_3, FakeKubeRay.Behaviour.HEALTHY);
  }

  @AfterEach
  void tearDown() throws Exception {
    env.close(); // the operator (no errors), the dashboard, the fake Google, the mock server last
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
        .portForwarder(env.forwarder())
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
    return env.rayClusters();
  }

  @Test
  void start_whenGkeAuth_everySdkRequestCarriesGoogleAccessToken() throws Exception {
    SdkRequests.take(server); // the set-up's requests
    try (RayCluster cluster = cluster().start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(env.forwarder().opened())
          .containsExactly(new ProxyForwarder.Opened(NS, "test-cluster-head-x7k2p", 8265));
      assertThat(env.dashboard().versionCalls()).isPositive();
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    assertThat(google.issuedTokens()).hasSize(1);
    String token = "Bearer " + google.issuedTokens().get(0);
    assertThat(google.gkeAuthorizations()).containsExactly(token);
    SdkRequests.assertEveryCarries(sdkRequests(), SdkRequests::authorization, token);
  }

  @Test
  void start_whenApiServerAnswers401ToCreate_fetchesOneNewTokenAndRetriesCreateWithIt()
      throws Exception {
    SdkRequests.refuseCreateOnce(server, NS);
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
    env.mock()
        .answerOnce(
            r ->
                isGoogleToken(SdkRequests.authorization(r))
                    && SdkRequests.rayClusterWatch(NS, CLUSTER).test(r),
            401,
            SdkRequests.UNAUTHORIZED_STATUS);
    SdkRequests.take(server);

    try (RayCluster cluster = cluster().start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(env.forwarder().opened()).hasSize(1);
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

    SdkRequests.assertOneRefreshAndRetry(
        sdk, refusedKind, SdkRequests::authorization, first, second, NS, CLUSTER);
  }
}
