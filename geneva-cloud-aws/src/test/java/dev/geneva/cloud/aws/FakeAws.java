package dev.geneva.cloud.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * JDK HttpServer fakes of STS (query protocol: form POST, XML answers) and EKS (REST JSON {@code
 * GET /clusters/{name}}), one server each. Records every STS action.
 */
final class FakeAws implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  static final String CALLER_ARN = "arn:aws:iam::" + ACCOUNT + ":user/alice";

  final HttpServer sts;
  final HttpServer eks;
  final List<Map<String, String>> stsCalls = new CopyOnWriteArrayList<>();
  final AtomicInteger describeCalls = new AtomicInteger();
  final AtomicInteger assumed = new AtomicInteger();
  final Map<String, String[]> clusters = new LinkedHashMap<>();
  volatile Clock clock = Clock.systemUTC();
  volatile Duration sessionLength = Duration.ofHours(1);
  volatile String assumeRoleErrorCode;
  volatile String describeErrorCode;

  FakeAws() throws IOException {
    sts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sts.createContext("/", this::sts);
    sts.start();
    eks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    eks.createContext("/", this::eks);
    eks.start();
  }

  URI stsUri() {
    return URI.create("http://127.0.0.1:" + sts.getAddress().getPort());
  }

  URI eksUri() {
    return URI.create("http://127.0.0.1:" + eks.getAddress().getPort());
  }

  /**
   * An auth for cluster {@code geneva} in {@code us-east-1} that assumes {@code geneva-client-role}
   * with the base credentials {@code AKIABASE}, STS and EKS pointed here.
   */
  EksAuth.Builder eksAuth() {
    return eksAuth("AKIABASE", "base-secret");
  }

  /** The same, with other base credentials. */
  EksAuth.Builder eksAuth(String baseKey, String baseSecret) {
    return EksAuth.builder()
        .clusterName("geneva")
        .region("us-east-1")
        .roleName("geneva-client-role")
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(baseKey, baseSecret)))
        .stsEndpoint(stsUri())
        .eksEndpoint(eksUri());
  }

  /** Serves cluster {@code geneva} as fabric8's https mock server: its address and its CA. */
  void clusterServedBy(KubernetesMockServer server) throws IOException {
    String ca =
        Base64.getEncoder()
            .encodeToString(
                Files.readAllBytes(Path.of(server.getSelfSignedCertificate().certificatePath())));
    cluster("geneva", "https://" + server.getHostName() + ":" + server.getPort(), ca);
  }

  /** Serves a cluster: its endpoint and base64 PEM CA. */
  void cluster(String name, String endpoint, String caBase64) {
    clusters.put(name, new String[] {endpoint, caBase64});
  }

  long count(String action) {
    return stsCalls.stream().filter(c -> action.equals(c.get("Action"))).count();
  }

  private void sts(HttpExchange ex) throws IOException {
    Map<String, String> form = new LinkedHashMap<>();
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    stsCalls.add(form);
    String action = form.get("Action");
    if ("GetCallerIdentity".equals(action)) {
      reply(
          ex,
          200,
          "text/xml",
          "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
              + "<GetCallerIdentityResult><Arn>"
              + CALLER_ARN
              + "</Arn><UserId>AIDAFAKE</UserId><Account>"
              + ACCOUNT
              + "</Account></GetCallerIdentityResult>"
              + "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
              + "</GetCallerIdentityResponse>");
    } else if ("AssumeRole".equals(action)) {
      String error = assumeRoleErrorCode;
      if (error != null) {
        reply(
            ex,
            403,
            "text/xml",
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                + "<Type>Sender</Type><Code>"
                + error
                + "</Code><Message>User: "
                + CALLER_ARN
                + " is not authorized to perform: sts:AssumeRole on resource: "
                + form.get("RoleArn")
                + "</Message></Error><RequestId>r-2</RequestId></ErrorResponse>");
        return;
      }
      int n = assumed.incrementAndGet();
      reply(
          ex,
          200,
          "text/xml",
          "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
              + "<AssumeRoleResult><Credentials>"
              + "<AccessKeyId>ASIAFAKEKEY"
              + n
              + "</AccessKeyId><SecretAccessKey>fake-secret-"
              + n
              + "</SecretAccessKey><SessionToken>fake-session-token-"
              + n
              + "</SessionToken><Expiration>"
              + clock.instant().plus(sessionLength)
              + "</Expiration></Credentials><AssumedRoleUser><Arn>"
              + form.get("RoleArn")
              + "/"
              + form.get("RoleSessionName")
              + "</Arn><AssumedRoleId>AROAFAKE:"
              + form.get("RoleSessionName")
              + "</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>"
              + "<ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata>"
              + "</AssumeRoleResponse>");
    } else {
      reply(ex, 400, "text/xml", "<ErrorResponse><Error><Code>InvalidAction</Code></Error>");
    }
  }

  private void eks(HttpExchange ex) throws IOException {
    describeCalls.incrementAndGet();
    String path = ex.getRequestURI().getPath();
    String name = path.startsWith("/clusters/") ? path.substring("/clusters/".length()) : "";
    String error = describeErrorCode;
    if (error != null) {
      ex.getResponseHeaders().add("x-amzn-ErrorType", error);
      reply(ex, 403, "application/json", "{\"message\":\"not authorized: eks:DescribeCluster\"}");
      return;
    }
    String[] cluster = clusters.get(name);
    if (!"GET".equals(ex.getRequestMethod()) || cluster == null) {
      ex.getResponseHeaders().add("x-amzn-ErrorType", "ResourceNotFoundException");
      reply(
          ex,
          404,
          "application/json",
          "{\"message\":\"No cluster found for name: " + name + ".\"}");
      return;
    }
    reply(
        ex,
        200,
        "application/json",
        "{\"cluster\":{\"name\":\""
            + name
            + "\",\"arn\":\"arn:aws:eks:us-east-1:"
            + ACCOUNT
            + ":cluster/"
            + name
            + "\",\"endpoint\":\""
            + cluster[0]
            + "\",\"certificateAuthority\":{\"data\":\""
            + cluster[1]
            + "\"},\"status\":\"ACTIVE\"}}");
  }

  private static void reply(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.getResponseHeaders().add("x-amzn-RequestId", "fake-request");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    sts.stop(0);
    eks.stop(0);
  }
}
