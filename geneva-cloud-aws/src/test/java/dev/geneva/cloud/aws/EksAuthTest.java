package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.testing.MutableClock;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EksAuthTest {
  static final String BASE_SECRET = "base-secret-key-value";
  FakeAws aws;
  MutableClock clock;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
    clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
    aws.clock = clock;
    aws.cluster("geneva", "https://ABC.gr7.us-east-1.eks.amazonaws.com", "Q0EtUEVN");
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  EksAuth.Builder auth() {
    return aws.eksAuth("AKIABASE", BASE_SECRET).clock(clock);
  }

  @Test
  void resolve_whenRoleName_assumesRoleInCallersAccountAndReturnsEndpointCaAndToken() {
    EksAuth auth = auth().build();

    Config config = auth.resolve();

    assertThat(config.getMasterUrl()).startsWith("https://ABC.gr7.us-east-1.eks.amazonaws.com");
    assertThat(config.getCaCertData()).isEqualTo("Q0EtUEVN");
    assertThat(aws.count("GetCallerIdentity")).isEqualTo(1);
    assertThat(aws.stsCalls)
        .filteredOn(c -> "AssumeRole".equals(c.get("Action")))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c)
                  .containsEntry("RoleArn", "arn:aws:iam::123456789012:role/geneva-client-role")
                  .containsEntry("RoleSessionName", "geneva-java")
                  .containsEntry("DurationSeconds", "3600");
            });
    String token = config.getOauthTokenProvider().getToken();
    Map<String, String> q = EksTokenTest.query(EksTokenTest.decode(token));
    assertThat(q)
        .containsEntry("X-Amz-Security-Token", "fake-session-token-1")
        .containsEntry("X-Amz-Credential", "ASIAFAKEKEY1/20260102/us-east-1/sts/aws4_request");
  }

  @Test
  void resolve_whenRoleArnGiven_skipsGetCallerIdentityAndUsesCustomSessionName() {
    EksAuth auth =
        auth()
            .roleName("arn:aws:iam::999999999999:role/other")
            .roleSessionName("backfill-42")
            .build();

    auth.resolve();

    assertThat(aws.count("GetCallerIdentity")).isZero();
    assertThat(aws.stsCalls)
        .singleElement()
        .satisfies(
            c ->
                assertThat(c)
                    .containsEntry("RoleArn", "arn:aws:iam::999999999999:role/other")
                    .containsEntry("RoleSessionName", "backfill-42"));
  }

  @Test
  void resolve_whenNoRole_signsWithBaseCredentials() {
    EksAuth auth = auth().roleName(null).build();

    String token = auth.resolve().getOauthTokenProvider().getToken();

    assertThat(aws.stsCalls).isEmpty();
    assertThat(EksTokenTest.query(EksTokenTest.decode(token)))
        .containsEntry("X-Amz-Credential", "AKIABASE/20260102/us-east-1/sts/aws4_request")
        .doesNotContainKey("X-Amz-Security-Token");
  }

  @Test
  void getToken_whenTenMinutesPass_mintsNewTokenButReusesItBefore() {
    var tokens = auth().build().resolve().getOauthTokenProvider();
    String first = tokens.getToken();

    clock.advance(Duration.ofMinutes(9));
    assertThat(tokens.getToken()).isEqualTo(first);
    clock.advance(Duration.ofMinutes(1));
    String second = tokens.getToken();

    assertThat(second).isNotEqualTo(first);
    assertThat(EksTokenTest.query(EksTokenTest.decode(second)))
        .containsEntry("X-Amz-Date", "20260102T031405Z");
    assertThat(aws.count("AssumeRole")).isEqualTo(1);
  }

  @Test
  void getToken_whenRoleSessionNearsExpiry_assumesRoleAgain() {
    var tokens = auth().build().resolve().getOauthTokenProvider();

    clock.advance(Duration.ofMinutes(54));
    tokens.getToken();
    assertThat(aws.count("AssumeRole")).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    String token = tokens.getToken();

    assertThat(aws.count("AssumeRole")).isEqualTo(2);
    assertThat(EksTokenTest.query(EksTokenTest.decode(token)))
        .containsEntry("X-Amz-Security-Token", "fake-session-token-2");
  }

  @Test
  void resolve_whenClusterUnknown_namesClusterRegionAndHowToList() {
    EksAuth auth = auth().clusterName("nope").build();

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("EKS cluster 'nope' was not found in region us-east-1")
        .hasMessageContaining("aws eks list-clusters --region us-east-1");
  }

  @Test
  void resolve_whenAssumeRoleDenied_namesRoleCallerAndTrustPolicyFix() {
    aws.assumeRoleErrorCode = "AccessDenied";

    assertThatThrownBy(auth().build()::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining(
            "Cannot assume IAM role arn:aws:iam::123456789012:role/geneva-client-role as "
                + FakeAws.CALLER_ARN)
        .hasMessageContaining("trust policy must allow sts:AssumeRole by " + FakeAws.CALLER_ARN)
        .hasMessageContaining("Create Geneva Client IAM Role");
  }

  @Test
  void resolve_whenBaseCredentialsExpired_saysRefreshThem() {
    aws.assumeRoleErrorCode = "ExpiredToken";

    assertThatThrownBy(auth().build()::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("geneva-client-role")
        .hasMessageContaining("credentials have expired (ExpiredToken)")
        .hasMessageContaining("aws sso login");
  }

  @Test
  void resolve_whenDescribeClusterDenied_pointsAtClientRolePolicy() {
    aws.describeErrorCode = "AccessDeniedException";

    assertThatThrownBy(auth().build()::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("arn:aws:iam::123456789012:role/geneva-client-role")
        .hasMessageContaining("may not call eks:DescribeCluster on EKS cluster 'geneva'")
        .hasMessageContaining("EksIamDocuments.clientRolePolicy()");
  }

  @Test
  void build_whenRegionMissing_namesSettingAndFix() {
    assertThatThrownBy(() -> auth().region(null).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("EksAuth region is not set for EKS cluster 'geneva'")
        .hasMessageContaining(".region(\"us-east-1\")");
  }

  @Test
  void build_whenBadSettings_namesEachSetting() {
    assertThatThrownBy(() -> auth().clusterName(" ").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("clusterName is not set");
    assertThatThrownBy(() -> auth().region("Virginia").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("region 'Virginia' is not an AWS region name");
    assertThatThrownBy(() -> auth().roleName("arn:aws:iam::1:user/bob").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not an IAM role ARN");
    assertThatThrownBy(() -> auth().roleSessionName("has space").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("roleSessionName 'has space' is invalid");
    assertThatThrownBy(() -> auth().roleSessionDuration(Duration.ofMinutes(5)).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("roleSessionDuration PT5M is out of range");
  }

  @Test
  void toBuilder_whenRebuilt_keepsEverySetting() {
    EksAuth auth = auth().roleSessionName("s-1").build();

    EksAuth copy = auth.toBuilder().build();

    assertThat(copy.toString()).isEqualTo(auth.toString());
    assertThat(copy.roleName()).contains("geneva-client-role");
    assertThat(copy.roleSessionName()).isEqualTo("s-1");
    assertThat(copy.clusterName()).isEqualTo("geneva");
    assertThat(copy.region()).isEqualTo("us-east-1");
  }

  @Test
  void forMethod_whenEksAuth_findsProviderWithPythonParameters() {
    KubeAuth auth =
        KubeAuth.forMethod(
            ConfigMethod.EKS_AUTH,
            Map.of(
                "cluster_name",
                "geneva",
                "region",
                "us-east-1",
                "role_name",
                "geneva-client-role"));

    assertThat(auth).isInstanceOf(EksAuth.class);
    EksAuth eks = (EksAuth) auth;
    assertThat(eks.clusterName()).isEqualTo("geneva");
    assertThat(eks.region()).isEqualTo("us-east-1");
    assertThat(eks.roleName()).contains("geneva-client-role");
  }

  @Test
  void forMethod_whenUnknownOrMissingParameter_namesIt() {
    assertThatThrownBy(
            () ->
                KubeAuth.forMethod(
                    ConfigMethod.EKS_AUTH,
                    Map.of("cluster_name", "geneva", "region", "us-east-1", "zone", "a")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("does not take parameters [zone]")
        .hasMessageContaining("[cluster_name, region, role_name]");
    assertThatThrownBy(() -> KubeAuth.forMethod(ConfigMethod.EKS_AUTH, Map.of("cluster_name", "g")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("region is not set");
  }
}
