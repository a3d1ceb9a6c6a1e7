package dev.geneva.cloud.aws;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.cloud.aws.internal.AssumedRoleCredentials;
import dev.geneva.cloud.aws.internal.AwsErrors;
import dev.geneva.cloud.aws.internal.EksTokenGenerator;
import dev.geneva.cloud.aws.internal.EksTokenProvider;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.client.Config;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.eks.model.Cluster;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;

/**
 * Reaches an Amazon EKS cluster with IAM, as Geneva's Python {@code ray_cluster(config_method=
 * EKS_AUTH, region=..., role_name=...)} does: optionally assumes the Geneva client role with STS
 * {@code AssumeRole}, reads the cluster's endpoint and CA with EKS {@code DescribeCluster}, and
 * authenticates to the API server with EKS bearer tokens (a presigned STS {@code GetCallerIdentity}
 * URL, as {@code aws eks get-token} makes) that refresh themselves before their 15-minute life ends
 * and after a 401.
 *
 * <pre>{@code
 * KubeAuth auth = EksAuth.builder()
 *     .clusterName("geneva")
 *     .region("us-east-1")
 *     .roleName("geneva-client-role")   // or a full role ARN; omit to use the base credentials
 *     .build();
 * }</pre>
 *
 * <p>Base credentials come from the AWS SDK's default chain (environment, profile, SSO, instance or
 * pod role) unless {@link Builder#credentialsProvider} gives others. The value is immutable; {@link
 * #resolve()} and {@link #credentialsProvider()} share one assumed-role session per instance.
 * {@link #toString()} names the cluster, region and role, never a key or token.
 *
 * <p>Needs {@code dev.geneva:geneva-k8s} on the class path (this module declares it optional, so
 * that {@link S3StorageOptions} comes without Kubernetes); add it, as for {@code RayCluster}.
 */
public final class EksAuth implements KubeAuth {
  /** The role session name used unless {@link Builder#roleSessionName} sets one. */
  public static final String DEFAULT_ROLE_SESSION_NAME = "geneva-java";

  /** The role session duration asked for unless {@link Builder#roleSessionDuration} sets one. */
  public static final Duration DEFAULT_ROLE_SESSION_DURATION = Duration.ofHours(1);

  private static final Logger LOG = LoggerFactory.getLogger(EksAuth.class);
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");

  private final String clusterName;
  private final String region;
  private final String roleName;
  private final String roleSessionName;
  private final Duration roleSessionDuration;
  private final AwsCredentialsProvider baseCredentials;
  private final URI stsEndpoint;
  private final URI eksEndpoint;
  private final Clock clock;

  private StsClient sts;
  private String roleArn;
  private AwsCredentialsProvider sessionCredentials;

  private EksAuth(Builder b) {
    this.clusterName = b.clusterName;
    this.region = b.region;
    this.roleName = b.roleName;
    this.roleSessionName = b.roleSessionName;
    this.roleSessionDuration = b.roleSessionDuration;
    this.baseCredentials = b.credentialsProvider;
    this.stsEndpoint = b.stsEndpoint;
    this.eksEndpoint = b.eksEndpoint;
    this.clock = b.clock;
  }

  /**
   * Starts an EKS auth.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this auth's settings into a builder.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.clusterName = clusterName;
    b.region = region;
    b.roleName = roleName;
    b.roleSessionName = roleSessionName;
    b.roleSessionDuration = roleSessionDuration;
    b.credentialsProvider = baseCredentials;
    b.stsEndpoint = stsEndpoint;
    b.eksEndpoint = eksEndpoint;
    b.clock = clock;
    return b;
  }

  /**
   * The EKS cluster's name.
   *
   * @return the name
   */
  public String clusterName() {
    return clusterName;
  }

  /**
   * The cluster's AWS region.
   *
   * @return e.g. {@code us-east-1}
   */
  public String region() {
    return region;
  }

  /**
   * The role to assume, as given: a name or an ARN; empty when the base credentials are used as
   * they are.
   *
   * @return the role
   */
  public Optional<String> roleName() {
    return Optional.ofNullable(roleName);
  }

  /**
   * The role session name (shows in CloudTrail).
   *
   * @return the name
   */
  public String roleSessionName() {
    return roleSessionName;
  }

  /**
   * The role's ARN: {@link #roleName()} when it is an ARN, else {@code
   * arn:<partition>:iam::<account>:role/<name>} with the account of the base credentials (found
   * with STS {@code GetCallerIdentity}, once).
   *
   * @return the ARN, empty when no role is assumed
   * @throws GenevaException when STS cannot be called; the message names the fix
   */
  public synchronized Optional<String> roleArn() {
    if (roleName == null) {
      return Optional.empty();
    }
    if (roleArn == null) {
      if (roleName.startsWith("arn:")) {
        roleArn = roleName;
      } else {
        String caller = callerArn();
        String[] parts = caller.split(":", 6);
        roleArn = "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + roleName;
      }
    }
    return Optional.of(roleArn);
  }

  /**
   * The credentials Geneva acts with: the assumed role's (refreshed before they expire) or the base
   * credentials. Use them for S3 too, for example with {@link S3StorageOptions}.
   *
   * @return the provider, shared by every use of this auth
   */
  public synchronized AwsCredentialsProvider credentialsProvider() {
    if (sessionCredentials == null) {
      Optional<String> arn = roleArn();
      sessionCredentials =
          arn.isEmpty()
              ? baseCredentials
              : new AssumedRoleCredentials(
                  sts(),
                  arn.get(),
                  roleSessionName,
                  roleSessionDuration,
                  clock,
                  this::callerArnOrNull);
    }
    return sessionCredentials;
  }

  /**
   * Assumes the role (when one is set), describes the cluster and returns a configuration whose
   * token provider mints EKS tokens. The first token is minted here, so missing credentials fail
   * now rather than on the first Kubernetes request.
   *
   * @return the fabric8 configuration: the cluster endpoint, its CA and the token provider
   * @throws GenevaException when the role cannot be assumed, the cluster does not exist or may not
   *     be described; the message names the role or cluster and the deployment-guide step to fix
   */
  @Override
  public Config resolve() {
    AwsCredentialsProvider credentials = credentialsProvider();
    String principal = roleArn().orElse("the base AWS credentials");
    Cluster cluster;
    try (EksClient eks = eksClient(credentials)) {
      cluster = eks.describeCluster(r -> r.name(clusterName)).cluster();
    } catch (AwsServiceException e) {
      throw AwsErrors.describeClusterFailed(clusterName, region, principal, e);
    } catch (RuntimeException e) {
      throw AwsErrors.callFailed("EKS DescribeCluster of '" + clusterName + "' in " + region, e);
    }
    if (cluster == null || cluster.endpoint() == null || cluster.certificateAuthority() == null) {
      throw new GenevaException(
          "EKS cluster '"
              + clusterName
              + "' in "
              + region
              + " has no API endpoint or CA yet (status "
              + (cluster == null ? "unknown" : cluster.statusAsString())
              + "): wait until it is ACTIVE and try again");
    }
    EksTokenProvider tokens =
        new EksTokenProvider(
            new EksTokenGenerator(clusterName, region), credentials, clock, clusterName, principal);
    try {
      tokens.getToken();
    } catch (RuntimeException e) {
      throw AwsErrors.callFailed("Minting an EKS token for '" + clusterName + "'", e);
    }
    Config config = Config.empty();
    config.setMasterUrl(cluster.endpoint());
    config.setCaCertData(cluster.certificateAuthority().data());
    config.setOauthTokenProvider(tokens);
    LOG.debug(
        "EKS cluster {} ({}) at {} as {}",
        clusterName,
        cluster.statusAsString(),
        cluster.endpoint(),
        principal);
    return config;
  }

  private EksClient eksClient(AwsCredentialsProvider credentials) {
    var b =
        EksClient.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.create());
    if (eksEndpoint != null) {
      b.endpointOverride(eksEndpoint);
    }
    return b.build();
  }

  private synchronized StsClient sts() {
    if (sts == null) {
      StsClientBuilder b =
          StsClient.builder()
              .region(Region.of(region))
              .credentialsProvider(baseCredentials)
              .httpClient(UrlConnectionHttpClient.create());
      if (stsEndpoint != null) {
        b.endpointOverride(stsEndpoint);
      }
      sts = b.build();
    }
    return sts;
  }

  private String callerArn() {
    try {
      return sts().getCallerIdentity().arn();
    } catch (AwsServiceException e) {
      throw AwsErrors.callerIdentityFailed(roleName, e);
    } catch (RuntimeException e) {
      throw AwsErrors.callFailed(
          "STS GetCallerIdentity (to find the account of role '" + roleName + "')", e);
    }
  }

  private String callerArnOrNull() {
    try {
      return sts().getCallerIdentity().arn();
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "EksAuth{cluster="
        + clusterName
        + ", region="
        + region
        + ", role="
        + (roleName == null ? "none" : roleName)
        + ", session="
        + roleSessionName
        + "}";
  }

  /** Builds an {@link EksAuth}; {@link #clusterName} and {@link #region} are required. */
  public static final class Builder {
    private String clusterName;
    private String region;
    private String roleName;
    private String roleSessionName = DEFAULT_ROLE_SESSION_NAME;
    private Duration roleSessionDuration = DEFAULT_ROLE_SESSION_DURATION;
    private AwsCredentialsProvider credentialsProvider;
    private URI stsEndpoint;
    private URI eksEndpoint;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The EKS cluster's name (Python's {@code cluster_name}).
     *
     * @param clusterName the name, e.g. {@code geneva}
     * @return this builder
     */
    public Builder clusterName(String clusterName) {
      this.clusterName = clusterName;
      return this;
    }

    /**
     * The cluster's AWS region (Python's {@code region}).
     *
     * @param region e.g. {@code us-east-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /**
     * The Geneva client role to assume (Python's {@code role_name}): a role name, turned into an
     * ARN in the caller's account, or a full role ARN. Null (the default) uses the base credentials
     * without assuming a role.
     *
     * @param roleName a name such as {@code geneva-client-role} or an ARN
     * @return this builder
     */
    public Builder roleName(String roleName) {
      this.roleName = roleName;
      return this;
    }

    /**
     * The role session name, visible in CloudTrail; 2 to 64 characters of {@code [\w+=,.@-]}.
     *
     * @param roleSessionName the name (default {@value EksAuth#DEFAULT_ROLE_SESSION_NAME})
     * @return this builder
     */
    public Builder roleSessionName(String roleSessionName) {
      this.roleSessionName = roleSessionName;
      return this;
    }

    /**
     * How long each assumed-role session lasts; the role is assumed again 5 minutes before the end.
     *
     * @param duration 15 minutes to 12 hours, within the role's maximum (default 1 hour)
     * @return this builder
     */
    public Builder roleSessionDuration(Duration duration) {
      this.roleSessionDuration = duration;
      return this;
    }

    /**
     * The base credentials, used to assume the role (or directly when no role is set). Default: the
     * AWS SDK's default chain.
     *
     * @param provider the provider, or null for the default chain
     * @return this builder
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentialsProvider = provider;
      return this;
    }

    /**
     * Sends STS calls ({@code AssumeRole}, {@code GetCallerIdentity}) here instead of the regional
     * endpoint: a VPC endpoint, or a fake in tests. Tokens still name {@code
     * sts.<region>.amazonaws.com}, which the API server calls.
     *
     * @param endpoint the endpoint URI, or null for the default
     * @return this builder
     */
    public Builder stsEndpoint(URI endpoint) {
      this.stsEndpoint = endpoint;
      return this;
    }

    /**
     * Sends EKS calls ({@code DescribeCluster}) here instead of the regional endpoint.
     *
     * @param endpoint the endpoint URI, or null for the default
     * @return this builder
     */
    public Builder eksEndpoint(URI endpoint) {
      this.eksEndpoint = endpoint;
      return this;
    }

    /**
     * The clock tokens are signed with and credential expiry is judged by (tests inject one).
     *
     * @param clock the clock (default {@link Clock#systemUTC()})
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Checks the settings and builds the auth. Contacts no AWS API.
     *
     * @return the auth
     * @throws InvalidInputException when a setting is missing or malformed; the message names it
     */
    public EksAuth build() {
      if (clusterName == null || clusterName.isBlank()) {
        throw new InvalidInputException(
            "EksAuth clusterName is not set: call .clusterName(\"<your EKS cluster>\")"
                + " (Python's cluster_name), as listed by aws eks list-clusters");
      }
      if (region == null || region.isBlank()) {
        throw new InvalidInputException(
            "EksAuth region is not set for EKS cluster '"
                + clusterName
                + "': call .region(\"us-east-1\") with the cluster's AWS region (Python's region)");
      }
      if (!REGION.matcher(region).matches()) {
        throw new InvalidInputException(
            "EksAuth region '"
                + region
                + "' is not an AWS region name: use a code such as us-east-1 or eu-west-2");
      }
      if (roleName != null && roleName.isBlank()) {
        throw new InvalidInputException(
            "EksAuth roleName is blank: pass a role name, a role ARN, or null to use the base"
                + " credentials without assuming a role");
      }
      if (roleName != null && roleName.startsWith("arn:") && !roleName.contains(":role/")) {
        throw new InvalidInputException(
            "EksAuth roleName '"
                + roleName
                + "' is an ARN but not an IAM role ARN: use arn:aws:iam::<account>:role/<name>");
      }
      if (roleSessionName == null || !SESSION_NAME.matcher(roleSessionName).matches()) {
        throw new InvalidInputException(
            "EksAuth roleSessionName '"
                + roleSessionName
                + "' is invalid: use 2 to 64 characters of letters, digits and +=,.@_-");
      }
      if (roleSessionDuration == null
          || roleSessionDuration.compareTo(Duration.ofMinutes(15)) < 0
          || roleSessionDuration.compareTo(Duration.ofHours(12)) > 0) {
        throw new InvalidInputException(
            "EksAuth roleSessionDuration "
                + roleSessionDuration
                + " is out of range: STS allows 15 minutes to 12 hours (and at most the role's"
                + " maximum session duration)");
      }
      Objects.requireNonNull(clock, "clock");
      if (credentialsProvider == null) {
        credentialsProvider = DefaultCredentialsProvider.builder().build();
      }
      return new EksAuth(this);
    }
  }
}
