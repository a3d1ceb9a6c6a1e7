package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.aws.internal.EksTokenProvider;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.ReadinessCheck;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeKubeRay;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.k8s.testing.SdkRequests;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end: {@code RayCluster.builder()...auth(EksAuth)...start()} against fake STS and EKS and
 * fabric8's mock API server over TLS (the endpoint and CA come from the fake DescribeCluster): the
 * SDK's whole start (preflight, create, watch-based readiness with the fake KubeRay operator, port
 * forward to the fake dashboard) and close (delete).
 *
 * <p>Whose request is whose: the SDK's client sends {@code Bearer k8s-aws-v1.<presigned URL>}; the
 * test's own client and the fake operator share the mock server's client, which sends fabric8's
 * fixed mock token ({@link SdkRequests#MOCK_CLIENT_AUTHORIZATION}). Every recorded request must
 * carry one or the other.
 */
class RayClusterEksAuthTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";
  private static final String CLUSTER = "test-cluster";

  private static final String EKS_TOKEN_PREFIX = "Bearer k8s-aws-v1.";

  private FakeAws aws;
  private MockRayEnvironment env;
  private KubernetesMockServer server;

  /** The token provider of the SDK's own client, caught by {@link #tokenProbe()}. */
  private final List<EksTokenProvider> sdkTokenProviders = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    aws = new FakeAws();
    env =
        MockRayEnvironment.builder()
            .https(true)
            .namespace(NS)
            .serviceAccount(SA)
            .serviceAccountAnnotation(
                "eks.amazonaws.com/role-arn",
                "arn:aws:iam::" + FakeAws.ACCOUNT + ":role/geneva-ray-runner")
            .alsoClose(aws)
            .build();
    server = env.server();
    aws.clusterServedBy(server);
    Rbac.allowAllExcept(server);
    env.startOperator(FakeKubeRay.Version.V1_3, FakeKubeRay.Behaviour.HEALTHY);
  }

  @AfterEach
  void tearDown() throws Exception {
    env.close(); // the operator (no errors), the dashboard, the fake AWS, the mock server last
  }

  /**
   * The auth under test. Not the parity form {@code configMethod(ConfigMethod.EKS_AUTH)}: that
   * takes only cluster name, region and role name, and uses the default credentials chain and the
   * public STS and EKS endpoints, so it cannot be pointed at the fakes without JVM-wide AWS
   * settings. {@link #start_whenConfigMethodEksAuthLikePython_sdkRequestsCarryAssumedRoleToken}
   * does exactly that once; the other tests pass the fakes' endpoints and base credentials here.
   */
  private EksAuth eksAuth() {
    return aws.eksAuth().build();
  }

  /**
   * A last readiness check that only records the token provider of the client the SDK built from
   * {@code auth.resolve()} (the provider is made inside {@code start()}), for its minted count.
   */
  private ReadinessCheck tokenProbe() {
    return ctx ->
        sdkTokenProviders.add(
            (EksTokenProvider) ctx.client().getConfiguration().getOauthTokenProvider());
  }

  private RayCluster.Builder cluster() {
    List<ReadinessCheck> checks = new ArrayList<>(ReadinessCheck.defaults());
    checks.add(tokenProbe());
    return RayCluster.builder()
        .name(CLUSTER)
        .namespace(NS)
        .waitTimeout(Duration.ofSeconds(30))
        .portForwarder(env.forwarder())
        .readinessChecks(checks)
        .headGroup(HeadGroupSpec.builder().serviceAccount(SA).cpus(1).memoryMiB(2048).build())
        .workerGroup(
            WorkerGroupSpec.builder().name("worker").replicas(2).serviceAccount(SA).build());
  }

  private List<RecordedRequest> takeRequests() throws InterruptedException {
    return SdkRequests.take(server);
  }

  private static boolean fromSdk(RecordedRequest r) {
    return SdkRequests.authorization(r).startsWith(EKS_TOKEN_PREFIX);
  }

  /** The SDK's requests of a start and close, after checking them against the mock client's. */
  private static List<RecordedRequest> sdkRequests(List<RecordedRequest> all) {
    return SdkRequests.sdkOnly(all, NS, CLUSTER, a -> a.startsWith(EKS_TOKEN_PREFIX));
  }

  /** The presigned URL's query of the request's EKS token, checked to be a well-formed token. */
  private static Map<String, String> presigned(RecordedRequest r) {
    String url = EksTokenTest.decode(SdkRequests.authorization(r).substring("Bearer ".length()));
    assertThat(url)
        .startsWith("https://sts.us-east-1.amazonaws.com/?")
        .contains("Action=GetCallerIdentity", "Version=2011-06-15");
    Map<String, String> q = EksTokenTest.query(url);
    assertThat(q)
        .containsEntry("X-Amz-Expires", "60")
        .containsEntry("X-Amz-SignedHeaders", "host;x-k8s-aws-id")
        .containsEntry("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    return q;
  }

  /** The assumed-role session token the request's EKS token was signed with. */
  private static String session(RecordedRequest r) {
    return presigned(r).get("X-Amz-Security-Token");
  }

  private List<RayClusterResource> rayClusters() {
    return env.rayClusters();
  }

  @Test
  void start_whenEksAuth_everySdkRequestCarriesAssumedRoleEksToken() throws Exception {
    takeRequests(); // the set-up's requests
    try (RayCluster cluster = cluster().auth(eksAuth()).start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(env.forwarder().opened())
          .containsExactly(new ProxyForwarder.Opened(NS, "test-cluster-head-x7k2p", 8265));
      assertThat(env.dashboard().versionCalls()).isPositive();
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    List<RecordedRequest> sdk = sdkRequests(takeRequests());
    SdkRequests.assertEveryCarries(sdk, RayClusterEksAuthTest::session, "fake-session-token-1");
    assertThat(sdk)
        .allSatisfy(
            r -> assertThat(presigned(r).get("X-Amz-Credential")).startsWith("ASIAFAKEKEY1/"));
    assertThat(sdkTokenProviders).hasSize(1);
    assertThat(sdkTokenProviders.get(0).mintedCount()).isEqualTo(1);
    assertThat(aws.count("AssumeRole")).isEqualTo(1);
    assertThat(aws.stsCalls)
        .filteredOn(c -> "AssumeRole".equals(c.get("Action")))
        .extracting(c -> c.get("RoleArn"))
        .containsExactly("arn:aws:iam::" + FakeAws.ACCOUNT + ":role/geneva-client-role");
  }

  @Test
  void start_whenApiServerAnswers401ToCreate_mintsOneNewTokenAndRetriesCreateWithIt()
      throws Exception {
    SdkRequests.refuseCreateOnce(server, NS);
    takeRequests();

    try (RayCluster cluster = cluster().auth(eksAuth()).start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    assertOneRefreshAndRetry(sdkRequests(takeRequests()), SdkRequests.rayClusterCreate(NS));
  }

  @Test
  void start_whenApiServerAnswers401ToRayClusterWatch_mintsOneNewTokenAndReopensWatchWithIt()
      throws Exception {
    // The watch's query (resourceVersion) is not known in advance, so not server.expect().
    env.mock()
        .answerOnce(
            r -> fromSdk(r) && SdkRequests.rayClusterWatch(NS, CLUSTER).test(r),
            401,
            SdkRequests.UNAUTHORIZED_STATUS);
    takeRequests();

    try (RayCluster cluster = cluster().auth(eksAuth()).start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(env.forwarder().opened()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    assertOneRefreshAndRetry(sdkRequests(takeRequests()), SdkRequests.rayClusterWatch(NS, CLUSTER));
  }

  /**
   * One request of the kind was refused with the first token, exactly one new token was minted (one
   * more AssumeRole), the same request was sent again with it, and every later SDK request (the
   * rest of start, and close) carries the new token.
   */
  private void assertOneRefreshAndRetry(
      List<RecordedRequest> sdk, Predicate<RecordedRequest> refusedKind) {
    SdkRequests.assertOneRefreshAndRetry(
        sdk,
        refusedKind,
        RayClusterEksAuthTest::session,
        "fake-session-token-1",
        "fake-session-token-2",
        NS,
        CLUSTER);
    assertThat(sdkTokenProviders).hasSize(1);
    assertThat(sdkTokenProviders.get(0).mintedCount()).isEqualTo(2);
    assertThat(aws.count("AssumeRole")).isEqualTo(2);
  }

  /**
   * The Python call {@code ray_cluster(config_method=EKS_AUTH, cluster_name=..., region=...,
   * role_name=...)} as the builder's parity form. {@code ConfigMethod.EKS_AUTH} takes no endpoints
   * or credentials, so this test points the AWS SDK at the fakes with the SDK's own JVM-wide
   * settings (system properties {@code aws.endpointUrlSts}, {@code aws.endpointUrlEks}, {@code
   * aws.accessKeyId}, {@code aws.secretAccessKey}, read by the default credentials chain and
   * endpoint resolution), and restores them afterwards.
   */
  @Test
  void start_whenConfigMethodEksAuthLikePython_sdkRequestsCarryAssumedRoleToken() throws Exception {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("aws.endpointUrlSts", aws.stsUri().toString());
    settings.put("aws.endpointUrlEks", aws.eksUri().toString());
    settings.put("aws.accessKeyId", "AKIABASE");
    settings.put("aws.secretAccessKey", "base-secret");
    Map<String, String> saved = new LinkedHashMap<>();
    settings.keySet().forEach(k -> saved.put(k, System.getProperty(k)));
    takeRequests();
    try {
      settings.forEach(System::setProperty);
      RayCluster handle =
          cluster()
              .configMethod(ConfigMethod.EKS_AUTH)
              .clusterName("geneva")
              .region("us-east-1")
              .roleName("geneva-client-role")
              .build();
      assertThat(handle.auth()).isInstanceOf(EksAuth.class);
      try (RayCluster cluster = handle.start()) {
        assertThat(cluster.isRunning()).isTrue();
        assertThat(rayClusters()).hasSize(1);
      }
    } finally {
      saved.forEach(
          (k, v) -> {
            if (v == null) {
              System.clearProperty(k);
            } else {
              System.setProperty(k, v);
            }
          });
    }
    assertThat(rayClusters()).isEmpty();

    SdkRequests.assertEveryCarries(
        sdkRequests(takeRequests()), RayClusterEksAuthTest::session, "fake-session-token-1");
    assertThat(aws.count("GetCallerIdentity")).isEqualTo(1);
    assertThat(aws.stsCalls)
        .filteredOn(c -> "AssumeRole".equals(c.get("Action")))
        .extracting(c -> c.get("RoleArn"))
        .containsExactly("arn:aws:iam::" + FakeAws.ACCOUNT + ":role/geneva-client-role");
    assertThat(aws.describeCalls.get()).isEqualTo(1);
  }
}
