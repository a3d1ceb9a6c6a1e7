package dev.geneva.cloud.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import dev.geneva.InvalidInputException;
import dev.geneva.cloud.gcp.internal.GkeClusterApi;
import dev.geneva.cloud.gcp.internal.GoogleAccessTokens;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reaches a GKE cluster with Google credentials and no gcloud binary. The API server's endpoint and
 * CA come from the GKE API ({@code GET
 * https://container.googleapis.com/v1/projects/{project}/locations/{location}/clusters/{name}}), or
 * from a kubeconfig context; every Kubernetes request carries a Google OAuth access token, fetched
 * again before it expires. Of the endpoints GKE reports, {@link Builder#endpoint(GkeEndpoint)}
 * chooses one as gcloud does (by default the DNS endpoint when IP endpoints are disabled, else the
 * cluster's {@code endpoint}); the DNS endpoint is verified against the JVM's public CAs, an IP
 * endpoint against the cluster's CA only.
 *
 * <pre>{@code
 * KubeAuth auth = GkeAuth.builder()
 *     .project("my-project").location("us-central1").clusterName("geneva")
 *     .build();                                   // application-default credentials
 * KubeAuth fromKey = GkeAuth.builder()
 *     .project("my-project").location("us-central1-a").clusterName("geneva")
 *     .serviceAccountKeyFile(Path.of("/secrets/sa.json"))
 *     .build();
 * KubeAuth dnsOnly = GkeAuth.builder()
 *     .project("my-project").location("us-central1").clusterName("geneva")
 *     .endpoint(GkeEndpoint.DNS)                  // like gcloud --dns-endpoint
 *     .build();
 * KubeAuth fromKubeconfig = GkeAuth.builder()
 *     .kubeconfig(null, "gke_my-project_us-central1_geneva") // server and CA from kubeconfig
 *     .build();
 * }</pre>
 *
 * <p>Credentials, by default Google's application-default credentials (workload identity on GKE,
 * {@code GOOGLE_APPLICATION_CREDENTIALS}, or gcloud's application-default login), need {@code
 * container.clusters.get} on the project ({@code roles/container.developer} grants it together with
 * the Kubernetes access Geneva needs). They are loaded on {@link #resolve()}, not on {@link
 * Builder#build()}. Unscoped credentials (service-account keys) get the scopes {@code
 * cloud-platform} and {@code userinfo.email}, as gke-gcloud-auth-plugin asks for: with the email
 * scope GKE authenticates a Google service account as its email, so RBAC bindings to {@code
 * <name>@<project>.iam.gserviceaccount.com} match.
 *
 * <p>fabric8 asks the token provider for a token before every request and again after a 401; the
 * provider returns its cached token until the {@linkplain Builder#clock clock} reaches {@linkplain
 * Builder#tokenRefreshMargin the margin} before expiry, then fetches a new one. When the API server
 * answers 401 (a token revoked before its expiry, say), the provider fetches a new token once and
 * fabric8 retries the request once with it; a second 401 fails the request.
 *
 * <p>Immutable. {@link #toString()} names the cluster and the credentials' source, never a token.
 *
 * <p>Needs {@code dev.geneva:geneva-k8s} on the class path (this module declares it optional, so
 * that {@link GcsStorageOptions} comes without Kubernetes); add it, as for {@code RayCluster}.
 */
public final class GkeAuth implements KubeAuth {
  /** The public GKE API root. */
  public static final URI DEFAULT_CONTAINER_API_ROOT =
      URI.create("https://container.googleapis.com/");

  /** Default for {@link Builder#tokenRefreshMargin(Duration)}: five minutes. */
  public static final Duration DEFAULT_TOKEN_REFRESH_MARGIN = Duration.ofMinutes(5);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]*");

  private final String project;
  private final String location;
  private final String clusterName;
  private final Path kubeconfigFile;
  private final String kubeconfigContext;
  private final boolean fromKubeconfig;
  private final GoogleCredentialsSource credentials;
  private final URI containerApiRoot;
  private final Clock clock;
  private final Duration tokenRefreshMargin;
  private final GkeEndpoint endpoint;

  private GkeAuth(Builder b) {
    this.project = b.project;
    this.location = b.location;
    this.clusterName = b.clusterName;
    this.kubeconfigFile = b.kubeconfigFile;
    this.kubeconfigContext = b.kubeconfigContext;
    this.fromKubeconfig = b.fromKubeconfig;
    this.credentials = b.credentials;
    this.containerApiRoot = b.containerApiRoot;
    this.clock = b.clock;
    this.tokenRefreshMargin = b.tokenRefreshMargin;
    this.endpoint = b.endpoint;
  }

  /**
   * Starts a GKE auth.
   *
   * @return a builder with application-default credentials and the public GKE API
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this auth into a builder.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.project = project;
    b.location = location;
    b.clusterName = clusterName;
    b.kubeconfigFile = kubeconfigFile;
    b.kubeconfigContext = kubeconfigContext;
    b.fromKubeconfig = fromKubeconfig;
    b.credentials = credentials;
    b.containerApiRoot = containerApiRoot;
    b.clock = clock;
    b.tokenRefreshMargin = tokenRefreshMargin;
    b.endpoint = endpoint;
    return b;
  }

  /**
   * The Google Cloud project id of the cluster.
   *
   * @return the project, empty when the endpoint comes from kubeconfig and none was given
   */
  public Optional<String> project() {
    return Optional.ofNullable(project);
  }

  /**
   * The cluster's region or zone.
   *
   * @return the location, empty when the endpoint comes from kubeconfig and none was given
   */
  public Optional<String> location() {
    return Optional.ofNullable(location);
  }

  /**
   * The cluster's name in GKE.
   *
   * @return the name, empty when the endpoint comes from kubeconfig and none was given
   */
  public Optional<String> clusterName() {
    return Optional.ofNullable(clusterName);
  }

  /**
   * Which control-plane endpoint of the cluster is used.
   *
   * @return the choice; {@link GkeEndpoint#AUTO} unless {@link Builder#endpoint} set another
   */
  public GkeEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Whether the endpoint and CA come from a kubeconfig context rather than the GKE API.
   *
   * @return true for {@link Builder#kubeconfig(Path, String)}
   */
  public boolean fromKubeconfig() {
    return fromKubeconfig;
  }

  /**
   * Looks up the cluster's endpoint and CA (GKE API or kubeconfig) and returns a configuration
   * whose token provider supplies Google access tokens. Fetches the first token now, so missing or
   * rejected credentials fail here rather than on the first Kubernetes call.
   *
   * @return the fabric8 configuration
   * @throws dev.geneva.GenevaException naming the cluster and the fix when there are no
   *     credentials, the cluster is not found (404), access is denied (403) or the GKE API cannot
   *     be reached
   */
  @Override
  public Config resolve() {
    String subject = describe();
    GoogleAccessTokens tokens =
        new GoogleAccessTokens(
            credentials, clock, tokenRefreshMargin, subject, GoogleAccessTokens.KUBERNETES_SCOPES);
    Config config;
    if (fromKubeconfig) {
      config = KubeAuth.kubeconfig(kubeconfigFile, kubeconfigContext).resolve();
      tokens.getToken();
      // The Google token replaces whatever user the context names (gke-gcloud-auth-plugin needs
      // gcloud, which Geneva does not assume).
      config.setUsername(null);
      config.setPassword(null);
      config.setOauthToken(null);
    } else {
      GkeClusterApi.Endpoint found =
          new GkeClusterApi(containerApiRoot)
              .fetch(project, location, clusterName, tokens, subject, endpoint);
      config = Config.empty();
      config.setMasterUrl(found.masterUrl());
      // Null for the DNS endpoint: its certificate is from a public CA, in the JVM's trust store.
      config.setCaCertData(found.caCertData());
    }
    config.setOauthTokenProvider(new Fabric8Tokens(tokens));
    return config;
  }

  /**
   * fabric8's view of the Google access tokens. A separate class so that {@link GoogleAccessTokens}
   * (also used by {@link GcsStorageOptions} and {@link GcsWriteCheck}) does not need fabric8.
   */
  private static final class Fabric8Tokens implements OAuthTokenProvider {
    private final GoogleAccessTokens tokens;

    Fabric8Tokens(GoogleAccessTokens tokens) {
      this.tokens = tokens;
    }

    @Override
    public String getToken() {
      return tokens.getToken();
    }

    @Override
    public String toString() {
      return tokens.toString();
    }
  }

  private String describe() {
    if (fromKubeconfig) {
      return "GKE kubeconfig "
          + (kubeconfigFile == null ? "(KUBECONFIG or ~/.kube/config)" : kubeconfigFile.toString())
          + (kubeconfigContext == null
              ? " at its current context"
              : " context '" + kubeconfigContext + "'");
    }
    return "GKE cluster '"
        + clusterName
        + "' (project '"
        + project
        + "', location '"
        + location
        + "')";
  }

  @Override
  public String toString() {
    return "GkeAuth{"
        + (fromKubeconfig
            ? "kubeconfig="
                + (kubeconfigFile == null ? "default" : kubeconfigFile)
                + ", context="
                + kubeconfigContext
            : "project="
                + project
                + ", location="
                + location
                + ", clusterName="
                + clusterName
                + (endpoint == GkeEndpoint.AUTO ? "" : ", endpoint=" + endpoint))
        + ", credentials="
        + credentials
        + (fromKubeconfig || containerApiRoot.equals(DEFAULT_CONTAINER_API_ROOT)
            ? ""
            : ", containerApiRoot=" + containerApiRoot)
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GkeAuth g
        && Objects.equals(project, g.project)
        && Objects.equals(location, g.location)
        && Objects.equals(clusterName, g.clusterName)
        && Objects.equals(kubeconfigFile, g.kubeconfigFile)
        && Objects.equals(kubeconfigContext, g.kubeconfigContext)
        && fromKubeconfig == g.fromKubeconfig
        && credentials.equals(g.credentials)
        && containerApiRoot.equals(g.containerApiRoot)
        && clock.equals(g.clock)
        && tokenRefreshMargin.equals(g.tokenRefreshMargin)
        && endpoint == g.endpoint;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        project,
        location,
        clusterName,
        kubeconfigFile,
        kubeconfigContext,
        fromKubeconfig,
        endpoint);
  }

  /** Builds {@link GkeAuth}. */
  public static final class Builder {
    private String project;
    private String location;
    private String clusterName;
    private Path kubeconfigFile;
    private String kubeconfigContext;
    private boolean fromKubeconfig;
    private GoogleCredentialsSource credentials = GoogleCredentialsSource.applicationDefault();
    private URI containerApiRoot = DEFAULT_CONTAINER_API_ROOT;
    private Clock clock = Clock.systemUTC();
    private Duration tokenRefreshMargin = DEFAULT_TOKEN_REFRESH_MARGIN;
    private GkeEndpoint endpoint = GkeEndpoint.AUTO;

    private Builder() {}

    /**
     * The Google Cloud project id of the cluster, e.g. {@code my-project}.
     *
     * @param project the project id
     * @return this builder
     */
    public Builder project(String project) {
      this.project = project;
      return this;
    }

    /**
     * The cluster's location: a region ({@code us-central1}) for a regional cluster or a zone
     * ({@code us-central1-a}) for a zonal one.
     *
     * @param location the region or zone
     * @return this builder
     */
    public Builder location(String location) {
      this.location = location;
      return this;
    }

    /**
     * The cluster's name in GKE.
     *
     * @param clusterName the name
     * @return this builder
     */
    public Builder clusterName(String clusterName) {
      this.clusterName = clusterName;
      return this;
    }

    /**
     * Which of the cluster's control-plane endpoints to connect to; default {@link
     * GkeEndpoint#AUTO}, which picks as {@code gcloud container clusters get-credentials} does
     * without flags (the DNS endpoint when the cluster's IP endpoints are disabled, else its {@code
     * endpoint}). {@link GkeEndpoint#DNS} is gcloud's {@code --dns-endpoint}, {@link
     * GkeEndpoint#PRIVATE_IP} its {@code --internal-ip}. When the cluster does not offer the chosen
     * endpoint, {@link GkeAuth#resolve()} fails naming the choice and what the cluster reports.
     * Applies to the GKE API lookup only, not to {@link #kubeconfig(Path, String)}.
     *
     * @param endpoint the choice
     * @return this builder
     */
    public Builder endpoint(GkeEndpoint endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Takes the API server and CA from a kubeconfig context instead of the GKE API (which then
     * needs no project, location or name), keeping the Google credentials for the token: the
     * context's own user (often {@code gke-gcloud-auth-plugin}) is replaced.
     *
     * @param file the kubeconfig file, or null for {@code KUBECONFIG} / {@code ~/.kube/config}
     * @param context the context, or null for the file's current context
     * @return this builder
     */
    public Builder kubeconfig(Path file, String context) {
      this.kubeconfigFile = file;
      this.kubeconfigContext = context;
      this.fromKubeconfig = true;
      return this;
    }

    /**
     * Where the Google credentials come from; default {@link
     * GoogleCredentialsSource#applicationDefault()}.
     *
     * @param source the source
     * @return this builder
     */
    public Builder credentialsSource(GoogleCredentialsSource source) {
      this.credentials = Objects.requireNonNull(source, "credentialsSource");
      return this;
    }

    /**
     * Uses these credentials (a service account, impersonated or user credentials). Unscoped
     * credentials are scoped to {@code cloud-platform} and {@code userinfo.email}, as by
     * gke-gcloud-auth-plugin: with the email scope the API server sees a service account as its
     * email, which RBAC bindings name.
     *
     * @param credentials the credentials
     * @return this builder
     */
    public Builder credentials(GoogleCredentials credentials) {
      return credentialsSource(GoogleCredentialsSource.of(credentials));
    }

    /**
     * Uses a service-account key file (JSON).
     *
     * @param keyFile the key file
     * @return this builder
     */
    public Builder serviceAccountKeyFile(Path keyFile) {
      return credentialsSource(GoogleCredentialsSource.serviceAccountKeyFile(keyFile));
    }

    /**
     * The GKE API root; default {@link #DEFAULT_CONTAINER_API_ROOT}. For tests and private service
     * endpoints. (The OAuth token URL belongs to the credentials: see {@code
     * ServiceAccountCredentials.Builder#setTokenServerUri}.)
     *
     * @param root an http(s) URI
     * @return this builder
     */
    public Builder containerApiRoot(URI root) {
      this.containerApiRoot = Objects.requireNonNull(root, "containerApiRoot");
      return this;
    }

    /**
     * The clock that decides when a token is due for refresh; default the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long before expiry a token is replaced; default {@link #DEFAULT_TOKEN_REFRESH_MARGIN}.
     *
     * @param margin zero or more, less than an hour (Google tokens live one hour)
     * @return this builder
     */
    public Builder tokenRefreshMargin(Duration margin) {
      this.tokenRefreshMargin = margin;
      return this;
    }

    /**
     * Checks the values and builds the auth; contacts nothing.
     *
     * @return the auth
     * @throws InvalidInputException naming the missing or malformed field and how to fix it
     */
    public GkeAuth build() {
      if (!fromKubeconfig) {
        require(
            project,
            "project",
            ".project(\"my-project\"): the Google Cloud project id of the cluster");
        require(
            location,
            "location",
            ".location(\"us-central1\"): the cluster's region, or zone for a zonal cluster");
        require(clusterName, "clusterName", ".clusterName(\"geneva\"): the cluster's name in GKE");
      }
      if (fromKubeconfig && endpoint != GkeEndpoint.AUTO) {
        throw new InvalidInputException(
            "GkeAuth endpoint(GkeEndpoint."
                + endpoint
                + ") chooses among the endpoints the GKE API reports, but kubeconfig(...) takes"
                + " the server from the kubeconfig context: drop one of them (gcloud container"
                + " clusters get-credentials --dns-endpoint or --internal-ip writes a context"
                + " with that endpoint)");
      }
      check(project, "project");
      check(location, "location");
      check(clusterName, "clusterName");
      if (kubeconfigContext != null && kubeconfigContext.isBlank()) {
        throw new InvalidInputException(
            "GkeAuth kubeconfig context is blank: pass a context name from `kubectl config"
                + " get-contexts`, or null for the kubeconfig's current-context");
      }
      String scheme = containerApiRoot.getScheme();
      if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)
          || containerApiRoot.getHost() == null) {
        throw new InvalidInputException(
            "GkeAuth containerApiRoot '"
                + containerApiRoot
                + "' is not an http(s) URL: pass e.g. "
                + DEFAULT_CONTAINER_API_ROOT);
      }
      if (tokenRefreshMargin == null
          || tokenRefreshMargin.isNegative()
          || tokenRefreshMargin.compareTo(Duration.ofMinutes(59)) > 0) {
        throw new InvalidInputException(
            "GkeAuth tokenRefreshMargin "
                + tokenRefreshMargin
                + " is out of range: pass a duration from zero to 59 minutes (default "
                + DEFAULT_TOKEN_REFRESH_MARGIN
                + "); Google access tokens live one hour");
      }
      return new GkeAuth(this);
    }

    private static void require(String value, String field, String fix) {
      if (value == null || value.isBlank()) {
        throw new InvalidInputException(
            "GkeAuth "
                + field
                + " is missing: pass "
                + fix
                + ", or use .kubeconfig(file, context)");
      }
    }

    private static void check(String value, String field) {
      if (value != null && !NAME.matcher(value).matches()) {
        throw new InvalidInputException(
            "GkeAuth "
                + field
                + " '"
                + value
                + "' is malformed: use the id as shown in the Google Cloud console (letters,"
                + " digits, '-', '_', '.', ':'), without slashes or spaces");
      }
    }
  }
}
