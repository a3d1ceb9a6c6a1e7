package dev.geneva.cloud.aws.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The credentials of an assumed IAM role, assumed with STS {@code AssumeRole} on first use and
 * again {@link #REFRESH_BEFORE_EXPIRY} before they expire (by an injected clock), or after {@link
 * #invalidate()}. Not API.
 */
public final class AssumedRoleCredentials implements AwsCredentialsProvider {
  /** How long before expiry the role is assumed again. */
  public static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(AssumedRoleCredentials.class);

  private final StsClient sts;
  private final String roleArn;
  private final String sessionName;
  private final Duration duration;
  private final Clock clock;
  private final Supplier<String> caller;
  private AwsSessionCredentials current;
  private Instant expiration;

  /**
   * Creates the provider; nothing is called until {@link #resolveCredentials()}.
   *
   * @param sts the STS client, authenticated with the base credentials
   * @param roleArn the role to assume
   * @param sessionName the role session name (shows in CloudTrail)
   * @param duration the session duration asked for
   * @param clock decides when the credentials are due for refresh
   * @param caller names the base identity in error messages (best effort)
   */
  public AssumedRoleCredentials(
      StsClient sts,
      String roleArn,
      String sessionName,
      Duration duration,
      Clock clock,
      Supplier<String> caller) {
    this.sts = Objects.requireNonNull(sts, "sts");
    this.roleArn = Objects.requireNonNull(roleArn, "roleArn");
    this.sessionName = Objects.requireNonNull(sessionName, "sessionName");
    this.duration = Objects.requireNonNull(duration, "duration");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.caller = Objects.requireNonNull(caller, "caller");
  }

  @Override
  public synchronized AwsCredentials resolveCredentials() {
    if (current == null || !clock.instant().isBefore(expiration.minus(REFRESH_BEFORE_EXPIRY))) {
      assume();
    }
    return current;
  }

  /** Forgets the current credentials, so the next use assumes the role again. */
  public synchronized void invalidate() {
    current = null;
    expiration = null;
  }

  /**
   * The role's ARN.
   *
   * @return the ARN
   */
  public String roleArn() {
    return roleArn;
  }

  private void assume() {
    AssumeRoleResponse response;
    try {
      response =
          sts.assumeRole(
              r ->
                  r.roleArn(roleArn)
                      .roleSessionName(sessionName)
                      .durationSeconds((int) duration.toSeconds()));
    } catch (StsException e) {
      throw AwsErrors.assumeRoleFailed(roleArn, caller, e);
    } catch (RuntimeException e) {
      throw AwsErrors.callFailed("STS AssumeRole of " + roleArn, e);
    }
    Credentials c = response.credentials();
    expiration = c.expiration();
    current =
        AwsSessionCredentials.builder()
            .accessKeyId(c.accessKeyId())
            .secretAccessKey(c.secretAccessKey())
            .sessionToken(c.sessionToken())
            .expirationTime(c.expiration())
            .build();
    LOG.debug(
        "Assumed IAM role {} as session {}; credentials expire at {}",
        roleArn,
        sessionName,
        expiration);
  }

  @Override
  public String toString() {
    return "AssumedRoleCredentials{role=" + roleArn + ", session=" + sessionName + "}";
  }
}
