package dev.geneva.cloud.aws.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Objects;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Mints EKS bearer tokens: {@code "k8s-aws-v1." + base64url(presigned STS GetCallerIdentity URL)}
 * signed with header {@code x-k8s-aws-id: <cluster>} and {@code X-Amz-Expires=60}, as {@code aws
 * eks get-token} and aws-iam-authenticator do. Signing is local: no network. Not API.
 */
public final class EksTokenGenerator {
  /** The prefix of every EKS token. */
  public static final String TOKEN_PREFIX = "k8s-aws-v1.";

  /** The header that binds a token to one cluster. */
  public static final String CLUSTER_ID_HEADER = "x-k8s-aws-id";

  private static final Duration PRESIGN_EXPIRY = Duration.ofSeconds(60);

  private final String clusterName;
  private final String region;
  private final String stsHost;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  /**
   * Creates a generator.
   *
   * @param clusterName the EKS cluster name (the {@code x-k8s-aws-id} header)
   * @param region the cluster's region (the STS endpoint and signing region)
   */
  public EksTokenGenerator(String clusterName, String region) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    this.region = Objects.requireNonNull(region, "region");
    this.stsHost = stsHost(region);
  }

  /**
   * The regional STS host the token's URL points at; the API server calls it to check the token.
   *
   * @param region the region
   * @return e.g. {@code sts.us-east-1.amazonaws.com}
   */
  public static String stsHost(String region) {
    return "sts." + region + (region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
  }

  /**
   * Mints a token.
   *
   * @param credentials the identity the API server will see (session credentials add {@code
   *     X-Amz-Security-Token})
   * @param now the signing time
   * @return the bearer token
   */
  public String token(AwsCredentialsIdentity credentials, Instant now) {
    return TOKEN_PREFIX
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(presignedUrl(credentials, now).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The presigned {@code GetCallerIdentity} URL inside a token.
   *
   * @param credentials the signing identity
   * @param now the signing time
   * @return the URL
   */
  public String presignedUrl(AwsCredentialsIdentity credentials, Instant now) {
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.GET)
            .protocol("https")
            .host(stsHost)
            .encodedPath("/")
            .putRawQueryParameter("Action", "GetCallerIdentity")
            .putRawQueryParameter("Version", "2011-06-15")
            .putHeader(CLUSTER_ID_HEADER, clusterName)
            .build();
    SignedRequest signed =
        signer.sign(
            r ->
                r.identity(credentials)
                    .request(request)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
                    .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, PRESIGN_EXPIRY)
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC)));
    return signed.request().getUri().toString();
  }

  @Override
  public String toString() {
    return "EksTokenGenerator{cluster=" + clusterName + ", region=" + region + "}";
  }
}
