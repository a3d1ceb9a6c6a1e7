package dev.geneva.cloud.gcp.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.geneva.GenevaException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

/**
 * Reads a GKE cluster's endpoint and CA with {@code GET
 * {root}/v1/projects/{p}/locations/{l}/clusters/{c}}, turning failures into messages that name the
 * cluster and the missed setup step. Not API.
 */
public final class GkeClusterApi {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI root;
  private final HttpClient http;

  /** What the SDK needs from the cluster resource. */
  public record Endpoint(String masterUrl, String caCertData) {
    @Override
    public String toString() {
      return "Endpoint{" + masterUrl + "}";
    }
  }

  /**
   * Creates the client.
   *
   * @param root the GKE API root, e.g. {@code https://container.googleapis.com/}
   */
  public GkeClusterApi(URI root) {
    this.root = Objects.requireNonNull(root, "root");
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /**
   * Fetches the cluster's endpoint and CA.
   *
   * @param project the project id
   * @param location the region or zone
   * @param cluster the cluster name
   * @param tokens the caller's access tokens
   * @param describe names the cluster in messages, e.g. {@code GKE cluster 'c' (project 'p',
   *     location 'l')}
   * @return the endpoint
   */
  public Endpoint fetch(
      String project, String location, String cluster, GoogleAccessTokens tokens, String describe) {
    URI uri = uri(project, location, cluster);
    String token = tokens.getToken();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new GenevaException(
          describe
              + ": cannot reach the GKE API at "
              + root
              + " ("
              + Redact.describe(e)
              + "). Check network access to container.googleapis.com (or the configured"
              + " containerApiRoot)",
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GenevaException(describe + ": interrupted while calling the GKE API", e);
    }
    int status = response.statusCode();
    if (status == 200) {
      return parse(response.body(), describe, uri);
    }
    String principal = GoogleAccessTokens.describePrincipal(tokens.loadCredentials());
    String google = googleError(response.body());
    String head = describe + ": GET " + uri + " returned " + status + google + ". ";
    switch (status) {
      case 404:
        throw new GenevaException(
            head
                + "No such cluster: check the project id, the location (a zonal cluster lives in a"
                + " zone such as us-central1-a, a regional one in a region such as us-central1)"
                + " and the cluster name, as listed in the Google Cloud console under Kubernetes"
                + " Engine > Clusters");
      case 403:
        throw new GenevaException(
            head
                + principal
                + " may not read the cluster (it needs container.clusters.get). Grant it"
                + " roles/container.developer on project '"
                + project
                + "' (gcloud projects add-iam-policy-binding "
                + project
                + " --member="
                + (principal.startsWith("serviceAccount:") ? principal : "<member>")
                + " --role=roles/container.developer) and check the Kubernetes"
                + " Engine API (container.googleapis.com) is enabled there. In a pod on GKE, also"
                + " check its Kubernetes service account is annotated with"
                + " iam.gke.io/gcp-service-account and bound to that Google service account with"
                + " roles/iam.workloadIdentityUser");
      case 401:
        throw new GenevaException(
            head
                + "Google rejected the access token of "
                + principal
                + ": check the credentials are current (gcloud auth application-default login,"
                + " or a new service-account key)");
      default:
        throw new GenevaException(
            head + "Retry later; if it persists check the GKE API status for project " + project);
    }
  }

  private URI uri(String project, String location, String cluster) {
    String base = root.toString().endsWith("/") ? root.toString() : root + "/";
    return URI.create(
        base
            + "v1/projects/"
            + enc(project)
            + "/locations/"
            + enc(location)
            + "/clusters/"
            + enc(cluster));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Endpoint parse(String body, String describe, URI uri) {
    JsonObject json;
    try {
      json = JsonParser.parseString(body).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new GenevaException(
          describe + ": GET " + uri + " did not return a JSON cluster resource", null);
    }
    String endpoint = string(json, "endpoint");
    if (endpoint == null || endpoint.isBlank()) {
      throw new GenevaException(
          describe
              + ": the GKE API returned no endpoint for the cluster (status "
              + string(json, "status")
              + "). Wait until the cluster is RUNNING, or use GkeAuth.builder().kubeconfig(...)");
    }
    JsonElement masterAuth = json.get("masterAuth");
    String ca =
        masterAuth != null && masterAuth.isJsonObject()
            ? string(masterAuth.getAsJsonObject(), "clusterCaCertificate")
            : null;
    if (ca == null || ca.isBlank()) {
      throw new GenevaException(
          describe + ": the GKE API returned no masterAuth.clusterCaCertificate for the cluster");
    }
    String pem;
    try {
      pem = new String(Base64.getMimeDecoder().decode(ca), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      pem = "";
    }
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new GenevaException(
          describe
              + ": masterAuth.clusterCaCertificate from the GKE API is not a base64-encoded PEM"
              + " certificate");
    }
    String url = endpoint.startsWith("https://") ? endpoint : "https://" + hostPort(endpoint);
    return new Endpoint(url, ca.replaceAll("\\s", ""));
  }

  private static String hostPort(String endpoint) {
    // A bare IPv6 address needs brackets; IPv4, names and host:port pass through.
    long colons = endpoint.chars().filter(ch -> ch == ':').count();
    return colons > 1 && !endpoint.startsWith("[") ? "[" + endpoint + "]" : endpoint;
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  /** {@code " (NOT_FOUND: Not found: ...)"} from Google's error JSON, redacted; else empty. */
  private static String googleError(String body) {
    try {
      JsonObject error = JsonParser.parseString(body).getAsJsonObject().getAsJsonObject("error");
      if (error == null) {
        return "";
      }
      String status = string(error, "status");
      String message = string(error, "message");
      return " ("
          + (status == null ? "" : status + ": ")
          + Redact.secrets(message == null ? "" : message)
          + ")";
    } catch (RuntimeException e) {
      return "";
    }
  }
}
