package dev.geneva.cloud.gcp.internal;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.ComputeEngineCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.auth.oauth2.UserCredentials;
import dev.geneva.GenevaException;
import dev.geneva.cloud.gcp.GoogleCredentialsSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google OAuth access tokens for the Kubernetes API and the GKE API: loads the credentials once,
 * fetches a token, and fetches a new one when the injected clock says the current one expires
 * within the margin, or when fabric8 asks again after the API server answered 401 (the token may
 * have been revoked before its expiry). fabric8 calls {@link #getToken()} before every request,
 * once a minute to refresh, and from {@code Interceptor.afterFailure} after a 401, retrying the
 * request once with the token returned there. Thread-safe. Never shows a token in {@code
 * toString()}, a log line or an exception. Not API.
 *
 * <p>Not itself a fabric8 {@code OAuthTokenProvider}: {@link
 * dev.geneva.cloud.gcp.GcsStorageOptions} and {@link dev.geneva.cloud.gcp.GcsWriteCheck} use it
 * without Kubernetes on the class path (geneva-k8s and fabric8 are optional in this module), so
 * only {@code GkeAuth} adapts it.
 */
public final class GoogleAccessTokens {
  /** The scope GKE, the Kubernetes API and Cloud Storage accept. */
  public static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

  /**
   * The scope that puts the principal's email in the token's identity, so that the GKE API server
   * authenticates a service account as its email (which RBAC bindings name) rather than its numeric
   * id. gke-gcloud-auth-plugin asks for it too.
   */
  public static final String USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email";

  /** The scopes of tokens for a GKE cluster's API server: cloud-platform and userinfo.email. */
  public static final List<String> KUBERNETES_SCOPES = List.of(CLOUD_PLATFORM, USERINFO_EMAIL);

  private static final Logger LOG = LoggerFactory.getLogger(GoogleAccessTokens.class);
  private static final Duration UNKNOWN_LIFETIME = Duration.ofMinutes(10);
  private static final StackWalker WALKER = StackWalker.getInstance();

  private final GoogleCredentialsSource source;
  private final Clock clock;
  private final Duration margin;
  private final String subject;
  private final List<String> scopes;

  private GoogleCredentials credentials;
  private String token;
  private Instant expiresAt;

  /**
   * Creates the provider.
   *
   * @param source where the credentials come from
   * @param clock decides when a token is due for refresh
   * @param margin refresh this long before the token expires
   * @param subject what the tokens are for, for messages (e.g. the cluster); no secret
   */
  public GoogleAccessTokens(
      GoogleCredentialsSource source, Clock clock, Duration margin, String subject) {
    this(source, clock, margin, subject, List.of(CLOUD_PLATFORM));
  }

  /**
   * Creates the provider with the scopes that unscoped credentials (a service-account key, say) are
   * given; credentials that come scoped (gcloud's user credentials, the metadata server's) keep
   * theirs.
   *
   * @param source where the credentials come from
   * @param clock decides when a token is due for refresh
   * @param margin refresh this long before the token expires
   * @param subject what the tokens are for, for messages (e.g. the cluster); no secret
   * @param scopes the OAuth scopes, e.g. {@link #KUBERNETES_SCOPES}
   */
  public GoogleAccessTokens(
      GoogleCredentialsSource source,
      Clock clock,
      Duration margin,
      String subject,
      List<String> scopes) {
    this.source = Objects.requireNonNull(source, "source");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.margin = Objects.requireNonNull(margin, "margin");
    this.subject = Objects.requireNonNull(subject, "subject");
    this.scopes = List.copyOf(scopes);
  }

  /**
   * The current access token, fetched again when it is due for refresh or when fabric8 asks after a
   * 401.
   *
   * @return the token
   */
  public synchronized String getToken() {
    Instant now = clock.instant();
    if (token != null && calledFromFabric8FailureHandling()) {
      LOG.warn(
          "{}: the API server rejected the Google access token of {} (401); fetching a new one. If"
              + " this repeats, grant the principal Kubernetes access (e.g."
              + " roles/container.developer on the project)",
          subject,
          describePrincipal(credentials));
      refresh(now);
    } else if (token == null || !now.isBefore(expiresAt.minus(margin))) {
      refresh(now);
    }
    return token;
  }

  /**
   * Whether fabric8 is asking for a token because the API server answered 401: its token-refresh
   * interceptor calls {@link #getToken()} synchronously from {@code Interceptor.afterFailure} and
   * retries the request once with the answer, so a new token fetched here is used exactly once and
   * a revoked token is replaced. fabric8's {@code OAuthTokenProvider} tells the provider nothing
   * about why it is called, hence the look at the stack. Mirrors {@code
   * EksTokenProvider.handlingUnauthorized} in geneva-cloud-aws (the modules do not depend on each
   * other, and this is too small for a shared module); keep the two in step when fabric8 changes
   * its interceptor.
   */
  private static boolean calledFromFabric8FailureHandling() {
    return WALKER.walk(
        frames ->
            frames
                .limit(64)
                .anyMatch(
                    f ->
                        f.getMethodName().equals("afterFailure")
                            && f.getClassName().startsWith("io.fabric8.")));
  }

  /**
   * The Google identity the tokens belong to, when the credentials tell it without a network call:
   * a service account's email (key file or impersonation).
   *
   * @return the principal, e.g. {@code geneva@my-project.iam.gserviceaccount.com}
   */
  public synchronized Optional<String> principal() {
    return principalOf(loadCredentials());
  }

  /**
   * The principal of given credentials, when known without a network call.
   *
   * @param credentials the credentials
   * @return the principal
   */
  public static Optional<String> principalOf(GoogleCredentials credentials) {
    if (credentials instanceof ServiceAccountCredentials sa) {
      return Optional.ofNullable(sa.getClientEmail());
    }
    if (credentials instanceof ImpersonatedCredentials ic) {
      return Optional.ofNullable(ic.getAccount());
    }
    return Optional.empty();
  }

  /**
   * Describes the principal for messages: the email when known, else what kind of identity.
   *
   * @param credentials the credentials, or null when they could not be loaded
   * @return e.g. {@code serviceAccount:geneva@p.iam.gserviceaccount.com} or {@code the GKE workload
   *     identity (metadata server) of this pod}
   */
  public static String describePrincipal(GoogleCredentials credentials) {
    Optional<String> email = credentials == null ? Optional.empty() : principalOf(credentials);
    if (email.isPresent()) {
      return "serviceAccount:" + email.get();
    }
    if (credentials instanceof ComputeEngineCredentials) {
      return "the metadata server's Google service account (on GKE: the GSA bound to this pod's"
          + " Kubernetes service account by workload identity)";
    }
    if (credentials instanceof UserCredentials) {
      return "the gcloud user of the application-default credentials";
    }
    return "the caller's Google identity";
  }

  /**
   * The loaded credentials, given this provider's scopes when they need scopes.
   *
   * @return the credentials
   */
  public synchronized GoogleCredentials loadCredentials() {
    if (credentials == null) {
      GoogleCredentials loaded;
      try {
        loaded = source.load();
      } catch (IOException | RuntimeException e) {
        throw new GenevaException(
            subject
                + ": no Google credentials from "
                + source
                + " ("
                + Redact.describe(e)
                + "). On GKE, run as a Kubernetes service account bound to a Google service"
                + " account by workload identity (annotate the KSA with"
                + " iam.gke.io/gcp-service-account=<GSA email> and grant the KSA"
                + " roles/iam.workloadIdentityUser on the GSA); elsewhere set"
                + " GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or pass"
                + " credentials(...) or serviceAccountKeyFile(...) to the builder",
            null);
      }
      if (loaded == null) {
        throw new GenevaException(subject + ": " + source + " returned no credentials");
      }
      credentials = loaded.createScopedRequired() ? loaded.createScoped(scopes) : loaded;
    }
    return credentials;
  }

  private void refresh(Instant now) {
    GoogleCredentials creds = loadCredentials();
    AccessToken fresh = holdsFixedToken(creds) ? fixedToken(creds) : refreshed(creds);
    if (fresh == null || fresh.getTokenValue() == null || fresh.getTokenValue().isBlank()) {
      throw new GenevaException(
          subject
              + ": the Google token endpoint returned no access token for "
              + describePrincipal(creds));
    }
    token = fresh.getTokenValue();
    // The library stamps expiry with the system clock; carry the token's lifetime over to the
    // injected clock so tests (and callers with their own time source) see consistent refreshes.
    Duration lifetime =
        fresh.getExpirationTime() == null
            ? UNKNOWN_LIFETIME.plus(margin)
            : Duration.between(Instant.now(), fresh.getExpirationTime().toInstant());
    expiresAt = now.plus(lifetime);
    LOG.debug(
        "{}: new Google access token for {}, expires at {}",
        subject,
        describePrincipal(creds),
        expiresAt);
  }

  private AccessToken refreshed(GoogleCredentials creds) {
    try {
      return creds.refreshAccessToken();
    } catch (IOException | RuntimeException e) {
      throw new GenevaException(
          subject
              + ": could not get a Google access token for "
              + describePrincipal(creds)
              + " ("
              + Redact.describe(e)
              + "). Check that the service account and its key are enabled and not revoked, that"
              + " the machine's clock is right, and on GKE that the Kubernetes service account is"
              + " bound to the Google service account with roles/iam.workloadIdentityUser",
          null);
    }
  }

  /**
   * Whether the credentials are {@code GoogleCredentials.create(token)}: the base class, holding a
   * token and no way to fetch another ({@code refreshAccessToken()} would throw).
   */
  private static boolean holdsFixedToken(GoogleCredentials creds) {
    return creds.getClass() == GoogleCredentials.class && creds.getAccessToken() != null;
  }

  private AccessToken fixedToken(GoogleCredentials creds) {
    AccessToken fixed = creds.getAccessToken();
    if (fixed.getExpirationTime() != null
        && !Instant.now().isBefore(fixed.getExpirationTime().toInstant())) {
      throw new GenevaException(
          subject
              + ": the Google access token given by GoogleCredentials.create(token) expired at "
              + fixed.getExpirationTime().toInstant()
              + " and cannot be refreshed. Pass credentials that can fetch new tokens (a"
              + " service-account key, GoogleCredentials.getApplicationDefault()), or a new token");
    }
    return fixed;
  }

  @Override
  public String toString() {
    return "Google access tokens from " + source + " for " + subject;
  }
}
