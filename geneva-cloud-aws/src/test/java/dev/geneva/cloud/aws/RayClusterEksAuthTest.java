package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.aws.internal.EksTokenProvider;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.ReadinessCheck;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.ConfigMethod;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

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
  private MockKubernetes mock;
  private KubernetesMockServer server;
  private KubernetesClient client;
  private FakeDashboard dashboard;
  private ProxyForwarder forwarder;
  private FakeKubeRay operator;

  /** The token provider of the SDK's own client, caught by {@link #tokenProbe()}. */
  private final List<EksTokenProvider> sdkTokenProviders = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    aws = new FakeAws();
    mock = new MockKubernetes(true);
    server = mock.server();
    client = mock.client();
    String ca =
        Base64.getEncoder()
            .encodeToString(
                Files.readAllBytes(Path.of(server.getSelfSignedCertificate().certificatePath())));
    aws.cluster("geneva", "https://" + server.getHostName() + ":" + server.getPort(), ca);
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
                .addToAnnotations(
                    "eks.amazonaws.com/role-arn",
                    "arn:aws:iam::" + FakeAws.ACCOUNT + ":role/geneva-ray-runner")
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
      aws.close();
      mock.close(); // last: fails if a watch of the SDK, the test or the operator is still open
    }
  }

  /**
   * The auth under test. Not the parity form {@code configMethod(ConfigMethod.EKS_AUTH)}: that
   * takes only cluster name, region and role name, and uses the default credentials chain and the
   * public STS and EKS endpoints, so it cannot be pointed at the fakes without JVM-wide AWS
   * settings. {@link #start_whenConfigMethodEksAuthLikePython_sdkRequestsCarryAssumedRoleToken}
   * does exactly that once; the other tests pass the fakes' endpoints and base credentials here.
   */
  private EksAuth eksAuth() {
    return EksAuth.builder()
        .clusterName("geneva")
        .region("us-east-1")
        .roleName("geneva-client-role")
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIABASE", "base-secret")))
        .stsEndpoint(aws.stsUri())
        .eksEndpoint(aws.eksUri())
        .build();
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
        .portForwarder(forwarder)
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
    return client.resources(RayClusterResource.class).inNamespace(NS).list().getItems();
  }

  @Test
  void start_whenEksAuth_everySdkRequestCarriesAssumedRoleEksToken() throws Exception {
    takeRequests(); // the set-up's requests
    try (RayCluster cluster = cluster().auth(eksAuth()).start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(cluster.createdCluster()).isTrue();
      assertThat(forwarder.opened())
          .containsExactly(new ProxyForwarder.Opened(NS, "test-cluster-head-x7k2p", 8265));
      assertThat(dashboard.versionCalls()).isPositive();
      assertThat(rayClusters()).hasSize(1);
    }
    assertThat(rayClusters()).isEmpty();

    List<RecordedRequest> sdk = sdkRequests(takeRequests());
    assertThat(sdk)
        .allSatisfy(
            r -> {
              Map<String, String> q = presigned(r);
              assertThat(q.get("X-Amz-Security-Token"))
                  .as(SdkRequests.describe(r))
                  .isEqualTo("fake-session-token-1");
              assertThat(q.get("X-Amz-Credential")).startsWith("ASIAFAKEKEY1/");
            });
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
    server
        .expect()
        .post()
        .withPath(SdkRequests.rayClusters(NS))
        .andReturn(401, SdkRequests.UNAUTHORIZED_STATUS)
        .once();
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
    mock.answerOnce(
        r -> fromSdk(r) && SdkRequests.rayClusterWatch(NS, CLUSTER).test(r),
        401,
        SdkRequests.UNAUTHORIZED_STATUS);
    takeRequests();

    try (RayCluster cluster = cluster().auth(eksAuth()).start()) {
      assertThat(cluster.isRunning()).isTrue();
      assertThat(forwarder.opened()).hasSize(1);
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
    List<RecordedRequest> ofKind = sdk.stream().filter(refusedKind).toList();
    assertThat(ofKind).extracting(SdkRequests::describe).hasSize(2);
    RecordedRequest refused = ofKind.get(0);
    RecordedRequest retry = ofKind.get(1);
    assertThat(SdkRequests.describe(retry)).isEqualTo(SdkRequests.describe(refused));
    assertThat(session(refused)).isEqualTo("fake-session-token-1");
    assertThat(session(retry)).isEqualTo("fake-session-token-2");

    assertThat(sdkTokenProviders).hasSize(1);
    assertThat(sdkTokenProviders.get(0).mintedCount()).isEqualTo(2);
    assertThat(aws.count("AssumeRole")).isEqualTo(2);

    int refusedAt = sdk.indexOf(refused);
    assertThat(sdk.subList(0, refusedAt + 1))
        .allSatisfy(
            r ->
                assertThat(session(r))
                    .as(SdkRequests.describe(r))
                    .isEqualTo("fake-session-token-1"));
    assertThat(sdk.subList(refusedAt + 1, sdk.size()))
        .isNotEmpty()
        .allSatisfy(
            r ->
                assertThat(session(r))
                    .as(SdkRequests.describe(r))
                    .isEqualTo("fake-session-token-2"));
    assertThat(sdk.get(sdk.size() - 1)).matches(SdkRequests.rayClusterDelete(NS, CLUSTER));
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

    List<RecordedRequest> sdk = sdkRequests(takeRequests());
    assertThat(sdk)
        .allSatisfy(
            r ->
                assertThat(session(r))
                    .as(SdkRequests.describe(r))
                    .isEqualTo("fake-session-token-1"));
    assertThat(aws.count("GetCallerIdentity")).isEqualTo(1);
    assertThat(aws.stsCalls)
        .filteredOn(c -> "AssumeRole".equals(c.get("Action")))
        .extracting(c -> c.get("RoleArn"))
        .containsExactly("arn:aws:iam::" + FakeAws.ACCOUNT + ":role/geneva-client-role");
    assertThat(aws.describeCalls.get()).isEqualTo(1);
  }
}
