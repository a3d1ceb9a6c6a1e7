package dev.geneva.cloud.aws.internal;

import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * fabric8's token hook for EKS. fabric8's {@code TokenRefreshInterceptor} calls {@link #getToken()}
 * before every request, once a minute to refresh, and again after a 401 to retry the request once.
 * This provider returns a cached token until it is {@link #REFRESH_AFTER} old (EKS accepts a token
 * for 15 minutes) or the credentials provider hands out new credentials (an assumed-role session is
 * renewed before it expires, and a token dies with the session that signed it), and mints a new
 * one, with freshly assumed role credentials, when called while fabric8 handles a 401 ({@code
 * Interceptor.afterFailure} is on the stack). Not API.
 */
public final class EksTokenProvider implements OAuthTokenProvider {
  /** Tokens are re-minted once this old, well inside their 15-minute life. */
  public static final Duration REFRESH_AFTER = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(EksTokenProvider.class);
  private static final StackWalker WALKER = StackWalker.getInstance();

  private final EksTokenGenerator generator;
  private final AwsCredentialsProvider credentials;
  private final Clock clock;
  private final String clusterName;
  private final String principal;
  private String token;
  private Instant mintedAt;
  private AwsCredentialsIdentity signedWith;
  private long minted;

  /**
   * Creates the provider.
   *
   * @param generator signs tokens for the cluster
   * @param credentials the identity the API server sees; {@link AssumedRoleCredentials} are
   *     invalidated after a 401
   * @param clock decides when a token is due
   * @param clusterName for log lines
   * @param principal the role ARN (or a description of the identity) for log lines
   */
  public EksTokenProvider(
      EksTokenGenerator generator,
      AwsCredentialsProvider credentials,
      Clock clock,
      String clusterName,
      String principal) {
    this.generator = Objects.requireNonNull(generator, "generator");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    this.principal = Objects.requireNonNull(principal, "principal");
  }

  @Override
  public synchronized String getToken() {
    if (token != null && handlingUnauthorized()) {
      LOG.warn(
          "The API server of EKS cluster {} rejected the token of {} (401); minting a new one. If"
              + " this repeats, the principal has no access entry: aws eks create-access-entry"
              + " --cluster-name {} --principal-arn {} --type STANDARD, then aws eks"
              + " associate-access-policy (deployment guide: 'Create EKS Access Entry')",
          clusterName,
          principal,
          clusterName,
          principal);
      invalidate();
    }
    Instant now = clock.instant();
    AwsCredentialsIdentity identity = credentials.resolveCredentials();
    if (token == null
        || !identity.equals(signedWith)
        || !now.isBefore(mintedAt.plus(REFRESH_AFTER))) {
      token = generator.token(identity, now);
      signedWith = identity;
      mintedAt = now;
      minted++;
      LOG.debug("Minted EKS token #{} for cluster {} as {}", minted, clusterName, principal);
    }
    return token;
  }

  /** Drops the cached token and assumed-role credentials, so the next request gets new ones. */
  public synchronized void invalidate() {
    token = null;
    signedWith = null;
    if (credentials instanceof AssumedRoleCredentials assumed) {
      assumed.invalidate();
    }
  }

  /**
   * How many tokens this provider has minted.
   *
   * @return the count
   */
  public synchronized long mintedCount() {
    return minted;
  }

  private static boolean handlingUnauthorized() {
    return WALKER.walk(
        frames ->
            frames
                .limit(64)
                .anyMatch(
                    f ->
                        f.getMethodName().equals("afterFailure")
                            && f.getClassName().startsWith("io.fabric8.")));
  }

  @Override
  public String toString() {
    return "EKS token provider{cluster=" + clusterName + ", principal=" + principal + "}";
  }
}
