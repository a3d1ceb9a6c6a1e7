package dev.geneva.cloud.gcp.testing;

import com.google.auth.oauth2.ServiceAccountCredentials;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JDK {@link HttpServer} fakes of Google's OAuth token endpoint ({@code POST /token}, JWT-bearer
 * grant) and the GKE API ({@code GET /v1/projects/{p}/locations/{l}/clusters/{c}}), with a test
 * service-account key generated at runtime. Issued access tokens look like {@code
 * ya29.fake-access-token-<n>-s3cr3t}, so tests can check no output shows {@code ya29.} or {@code
 * s3cr3t}.
 */
public final class FakeGoogle implements AutoCloseable {
  /** The email of the test service account, the principal of {@link #credentials()}. */
  public static final String SA_EMAIL = "geneva-test@p.iam.gserviceaccount.com";

  private static final String KEY_ID = "test-key-1";
  private static final KeyPair KEY = generateKey();

  private final HttpServer server;

  /** Every access token the fake token endpoint issued, in order. */
  private final List<String> issuedTokens = new CopyOnWriteArrayList<>();

  /** Every assertion (signed JWT) the token endpoint received. */
  private final List<String> assertions = new CopyOnWriteArrayList<>();

  /** Authorization headers the GKE API received. */
  private final List<String> gkeAuthorizations = new CopyOnWriteArrayList<>();

  /** Paths the GKE API received. */
  private final List<String> gkePaths = new CopyOnWriteArrayList<>();

  /** Cluster path ("p/l/c") to JSON resource. */
  private final Map<String, String> clusters = new ConcurrentHashMap<>();

  /** Project ids whose callers get 403 PERMISSION_DENIED. */
  private final List<String> deniedProjects = new CopyOnWriteArrayList<>();

  /** When set, the token endpoint answers 400 invalid_grant. */
  private volatile boolean rejectGrant;

  private final AtomicInteger counter = new AtomicInteger();

  /**
   * Starts the fakes on a free port of 127.0.0.1.
   *
   * @throws IOException when it cannot listen
   */
  public FakeGoogle() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", this::token);
    server.createContext("/v1/", this::gke);
    server.start();
  }

  /**
   * The root of the fake GKE API, for {@code GkeAuth.Builder.containerApiRoot}.
   *
   * @return e.g. {@code http://127.0.0.1:40123/}
   */
  public URI root() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /**
   * The fake OAuth token endpoint.
   *
   * @return e.g. {@code http://127.0.0.1:40123/token}
   */
  public URI tokenUri() {
    return root().resolve("/token");
  }

  /**
   * Service-account credentials whose token URL is this fake; unscoped, like a key file.
   *
   * @return the credentials of {@link #SA_EMAIL}
   */
  public ServiceAccountCredentials credentials() {
    return ServiceAccountCredentials.newBuilder()
        .setClientEmail(SA_EMAIL)
        .setClientId("1234567890")
        .setPrivateKey(KEY.getPrivate())
        .setPrivateKeyId(KEY_ID)
        .setProjectId("p")
        .setTokenServerUri(tokenUri())
        .build();
  }

  /**
   * Writes the test service account's key file, as IAM would download it, with {@code token_uri}
   * pointing at this fake so the key works offline.
   *
   * @param file where to write it
   * @return {@code file}
   * @throws IOException when it cannot be written
   */
  public Path writeServiceAccountKey(Path file) throws IOException {
    String json =
        "{\n"
            + "  \"type\": \"service_account\",\n"
            + "  \"project_id\": \"p\",\n"
            + "  \"private_key_id\": \""
            + KEY_ID
            + "\",\n"
            + "  \"private_key\": \""
            + privateKeyPem().replace("\n", "\\n")
            + "\",\n"
            + "  \"client_email\": \""
            + SA_EMAIL
            + "\",\n"
            + "  \"client_id\": \"1234567890\",\n"
            + "  \"auth_uri\": \"https://accounts.google.com/o/oauth2/auth\",\n"
            + "  \"token_uri\": \""
            + tokenUri()
            + "\"\n"
            + "}\n";
    return Files.writeString(file, json, StandardCharsets.UTF_8);
  }

  /**
   * The private key's encoded bytes in base64, to check they never leak.
   *
   * @return the PKCS#8 bytes in base64, on one line
   */
  public static String privateKeyBase64() {
    return Base64.getEncoder().encodeToString(KEY.getPrivate().getEncoded());
  }

  /**
   * The private key as PEM, as in a key file, to check no line of it leaks.
   *
   * @return {@code -----BEGIN PRIVATE KEY-----}, 64-character base64 lines, {@code -----END ...}
   */
  public static String privateKeyPem() {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(KEY.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  /**
   * Serves a GKE cluster from the fake GKE API.
   *
   * @param project the project id
   * @param location the zone or region
   * @param name the cluster name
   * @param endpoint the API server's address, as GKE reports it (e.g. {@code 127.0.0.1:6443})
   * @param caPem the cluster CA certificate, PEM
   */
  public void addCluster(
      String project, String location, String name, String endpoint, String caPem) {
    String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
    clusters.put(
        project + "/" + location + "/" + name,
        "{\"name\":\""
            + name
            + "\",\"status\":\"RUNNING\",\"endpoint\":\""
            + endpoint
            + "\",\"masterAuth\":{\"clusterCaCertificate\":\""
            + ca
            + "\"}}");
  }

  /**
   * Serves a GKE cluster resource as given, for clusters with DNS, private or disabled IP
   * endpoints; {@code masterAuth.clusterCaCertificate} and other fields are the caller's.
   *
   * @param project the project id
   * @param location the zone or region
   * @param name the cluster name
   * @param clusterJson the cluster resource, as the GKE API returns it
   */
  public void addClusterResource(String project, String location, String name, String clusterJson) {
    clusters.put(project + "/" + location + "/" + name, clusterJson);
  }

  /**
   * The base64 of a PEM, as {@code masterAuth.clusterCaCertificate} carries it.
   *
   * @param pem the PEM text
   * @return its base64
   */
  public static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Makes the GKE API answer 403 PERMISSION_DENIED for a project's clusters.
   *
   * @param project the project id
   */
  public void denyProject(String project) {
    deniedProjects.add(project);
  }

  /**
   * Makes the token endpoint answer 400 invalid_grant (a revoked or deleted key).
   *
   * @param reject whether to reject every grant from now on
   */
  public void rejectGrant(boolean reject) {
    rejectGrant = reject;
  }

  /**
   * How many access tokens the token endpoint issued.
   *
   * @return the count
   */
  public int tokenRequests() {
    return issuedTokens.size();
  }

  /**
   * Every access token the token endpoint issued, in order.
   *
   * @return the tokens, live
   */
  public List<String> issuedTokens() {
    return issuedTokens;
  }

  /**
   * Every assertion (signed JWT) the token endpoint received, in order.
   *
   * @return the assertions, live
   */
  public List<String> assertions() {
    return assertions;
  }

  /**
   * The {@code scope} claim of each assertion (a JWT-bearer grant carries the requested scopes in
   * the signed JWT's payload, space-separated), in order.
   *
   * @return the scope claims; an assertion without one gives an empty string
   */
  public List<String> assertionScopes() {
    List<String> scopes = new java.util.ArrayList<>();
    for (String assertion : assertions) {
      String[] parts = assertion.split("\\.");
      String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
      com.google.gson.JsonElement scope =
          com.google.gson.JsonParser.parseString(payload).getAsJsonObject().get("scope");
      scopes.add(scope == null ? "" : scope.getAsString());
    }
    return scopes;
  }

  /**
   * The {@code Authorization} headers the GKE API received, in order.
   *
   * @return the headers, live
   */
  public List<String> gkeAuthorizations() {
    return gkeAuthorizations;
  }

  /**
   * The paths the GKE API received, in order.
   *
   * @return the paths, live
   */
  public List<String> gkePaths() {
    return gkePaths;
  }

  private void token(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = new ConcurrentHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    if (!"POST".equals(ex.getRequestMethod())
        || !"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
        || form.get("assertion") == null) {
      send(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
      return;
    }
    assertions.add(form.get("assertion"));
    if (rejectGrant) {
      send(
          ex,
          400,
          "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
      return;
    }
    String token = "ya29.fake-access-token-" + counter.incrementAndGet() + "-s3cr3t";
    issuedTokens.add(token);
    send(
        ex,
        200,
        "{\"access_token\":\"" + token + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
  }

  private void gke(HttpExchange ex) throws IOException {
    gkeAuthorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    String path = ex.getRequestURI().getPath();
    gkePaths.add(path);
    String[] parts = path.split("/");
    // /v1/projects/{p}/locations/{l}/clusters/{c}
    if (parts.length != 8 || !"projects".equals(parts[2]) || !"clusters".equals(parts[6])) {
      send(
          ex,
          400,
          "{\"error\":{\"code\":400,\"message\":\"bad path\",\"status\":\"INVALID_ARGUMENT\"}}");
      return;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !issuedTokens.contains(auth.substring("Bearer ".length()))) {
      send(
          ex,
          401,
          "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}");
      return;
    }
    String project = parts[3];
    String key = project + "/" + parts[5] + "/" + parts[7];
    if (deniedProjects.contains(project)) {
      send(
          ex,
          403,
          "{\"error\":{\"code\":403,\"message\":\"Required \\\"container.clusters.get\\\" permission(s)"
              + " for \\\"projects/"
              + project
              + "/locations/"
              + parts[5]
              + "/clusters/"
              + parts[7]
              + "\\\".\",\"status\":\"PERMISSION_DENIED\"}}");
      return;
    }
    String cluster = clusters.get(key);
    if (cluster == null) {
      send(
          ex,
          404,
          "{\"error\":{\"code\":404,\"message\":\"Not found: projects/"
              + project
              + "/locations/"
              + parts[5]
              + "/clusters/"
              + parts[7]
              + ".\",\"status\":\"NOT_FOUND\"}}");
      return;
    }
    send(ex, 200, cluster);
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static KeyPair generateKey() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      return gen.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.stop(0);
  }
}
