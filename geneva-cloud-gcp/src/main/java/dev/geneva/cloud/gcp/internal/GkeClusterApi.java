package dev.geneva.cloud.gcp.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.geneva.GenevaException;
import dev.geneva.cloud.gcp.GkeEndpoint;
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
 * {root}/v1/projects/{p}/locations/{l}/clusters/{c}}, picks the endpoint {@link GkeEndpoint} asks
 * for (as {@code gcloud container clusters get-credentials} does), and turns failures into messages
 * that name the cluster and the missed setup step. Not API.
 */
public final class GkeClusterApi {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI root;
  private final HttpClient http;

  /**
   * What the SDK needs from the cluster resource.
   *
   * @param masterUrl the API server's URL, e.g. {@code https://34.1.2.3}
   * @param caCertData the cluster CA (base64 PEM) to trust, or null for the DNS endpoint, whose
   *     certificate comes from a public CA
   * @param kind which endpoint it is: {@link GkeEndpoint#DNS}, {@link GkeEndpoint#PUBLIC_IP} or
   *     {@link GkeEndpoint#PRIVATE_IP}; {@link GkeEndpoint#AUTO} for the cluster's {@code endpoint}
   *     field (public or private IP, as GKE decides)
   */
  public record Endpoint(String masterUrl, String caCertData, GkeEndpoint kind) {
    @Override
    public String toString() {
      return "Endpoint{" + masterUrl + ", " + kind + "}";
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
   * @param choice which endpoint to use
   * @return the endpoint
   */
  public Endpoint fetch(
      String project,
      String location,
      String cluster,
      GoogleAccessTokens tokens,
      String describe,
      GkeEndpoint choice) {
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
      return select(parse(response.body(), describe, uri), choice, describe);
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

  private static JsonObject parse(String body, String describe, URI uri) {
    try {
      return JsonParser.parseString(body).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new GenevaException(
          describe + ": GET " + uri + " did not return a JSON cluster resource", null);
    }
  }

  /**
   * Picks the endpoint from a cluster resource as gcloud's {@code get-credentials} does: {@code
   * AUTO} takes the DNS endpoint when IP endpoints are disabled, else {@code endpoint}; {@code DNS}
   * is {@code --dns-endpoint}, {@code PRIVATE_IP} is {@code --internal-ip}.
   *
   * @param cluster the cluster resource (GKE API JSON)
   * @param choice which endpoint to use
   * @param describe names the cluster in messages
   * @return the endpoint, with the CA to pin (none for the DNS endpoint)
   * @throws GenevaException naming the choice, what the cluster reports and the other choices
   */
  public static Endpoint select(JsonObject cluster, GkeEndpoint choice, String describe) {
    JsonObject endpoints = object(cluster, "controlPlaneEndpointsConfig");
    JsonObject ip = endpoints == null ? null : object(endpoints, "ipEndpointsConfig");
    JsonObject dns = endpoints == null ? null : object(endpoints, "dnsEndpointConfig");
    JsonObject priv = object(cluster, "privateClusterConfig");
    // As gcloud: an ipEndpointsConfig whose `enabled` is not true means IP access is disabled.
    boolean ipDisabled = ip != null && !Boolean.TRUE.equals(bool(ip, "enabled"));
    String status = string(cluster, "status");
    String notRunning =
        status == null || "RUNNING".equals(status)
            ? ""
            : " The cluster's status is " + status + ": wait until it is RUNNING and retry.";
    switch (choice) {
      case AUTO:
        if (ipDisabled) {
          if (Boolean.FALSE.equals(dns == null ? null : bool(dns, "allowExternalTraffic"))) {
            throw unavailable(
                describe,
                choice,
                "its IP endpoints are disabled (controlPlaneEndpointsConfig.ipEndpointsConfig"
                    + ".enabled=false) and its DNS endpoint does not allow user traffic"
                    + " (dnsEndpointConfig.allowExternalTraffic=false), so no endpoint is open to"
                    + " clients. An admin can allow it: gcloud container clusters update <name>"
                    + " --location <location> --enable-dns-access",
                notRunning);
          }
          return dnsEndpoint(dns, choice, describe, notRunning);
        }
        String endpoint = string(cluster, "endpoint");
        if (blank(endpoint)) {
          throw new GenevaException(
              describe
                  + ": the GKE API returned no endpoint for the cluster (status "
                  + status
                  + ")."
                  + (notRunning.isEmpty()
                      ? " Choose one explicitly with GkeAuth.builder().endpoint(GkeEndpoint.DNS)"
                          + " or endpoint(GkeEndpoint.PRIVATE_IP), or use"
                          + " GkeAuth.builder().kubeconfig(...)"
                      : notRunning));
        }
        return ipEndpoint(cluster, endpoint, GkeEndpoint.AUTO, describe);
      case DNS:
        if (dns != null && !Boolean.TRUE.equals(bool(dns, "allowExternalTraffic"))) {
          throw unavailable(
              describe,
              choice,
              "its DNS endpoint does not allow user traffic"
                  + " (controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic is not"
                  + " true). An admin can allow it: gcloud container clusters update <name>"
                  + " --location <location> --enable-dns-access"
                  + (ipDisabled
                      ? ""
                      : "; or choose endpoint(GkeEndpoint.AUTO) for its IP endpoint"),
              notRunning);
        }
        return dnsEndpoint(dns, choice, describe, notRunning);
      case PRIVATE_IP:
        {
          if (ipDisabled) {
            throw ipDisabled(describe, choice, notRunning);
          }
          String address =
              firstNonBlank(
                  priv == null ? null : string(priv, "privateEndpoint"),
                  ip == null ? null : string(ip, "privateEndpoint"));
          if (address == null) {
            throw unavailable(
                describe,
                choice,
                "the cluster reports no private endpoint (privateClusterConfig.privateEndpoint"
                    + " and controlPlaneEndpointsConfig.ipEndpointsConfig.privateEndpoint are"
                    + " empty); choose endpoint(GkeEndpoint.AUTO) or endpoint(GkeEndpoint.DNS)",
                notRunning);
          }
          return ipEndpoint(cluster, address, GkeEndpoint.PRIVATE_IP, describe);
        }
      case PUBLIC_IP:
        {
          if (ipDisabled) {
            throw ipDisabled(describe, choice, notRunning);
          }
          boolean noPublic =
              Boolean.FALSE.equals(ip == null ? null : bool(ip, "enablePublicEndpoint"))
                  || Boolean.TRUE.equals(priv == null ? null : bool(priv, "enablePrivateEndpoint"));
          if (noPublic) {
            throw unavailable(
                describe,
                choice,
                "the cluster has no public IP endpoint (ipEndpointsConfig.enablePublicEndpoint="
                    + "false or privateClusterConfig.enablePrivateEndpoint=true); choose"
                    + " endpoint(GkeEndpoint.PRIVATE_IP) from inside its VPC, or"
                    + " endpoint(GkeEndpoint.DNS)",
                notRunning);
          }
          String address =
              firstNonBlank(
                  ip == null ? null : string(ip, "publicEndpoint"),
                  priv == null ? null : string(priv, "publicEndpoint"),
                  string(cluster, "endpoint"));
          if (address == null) {
            throw unavailable(
                describe,
                choice,
                "the GKE API returned no public endpoint for the cluster (status " + status + ")",
                notRunning);
          }
          return ipEndpoint(cluster, address, GkeEndpoint.PUBLIC_IP, describe);
        }
      default:
        throw new IllegalArgumentException("unknown endpoint choice " + choice);
    }
  }

  private static Endpoint dnsEndpoint(
      JsonObject dns, GkeEndpoint choice, String describe, String notRunning) {
    String address = dns == null ? null : string(dns, "endpoint");
    if (blank(address)) {
      throw unavailable(
          describe,
          choice,
          (choice == GkeEndpoint.AUTO
                  ? "its IP endpoints are disabled (controlPlaneEndpointsConfig.ipEndpointsConfig"
                      + ".enabled=false) but "
                  : "")
              + "the GKE API returned no DNS endpoint"
              + " (controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint)",
          notRunning);
    }
    // The DNS endpoint's certificate comes from a public CA: trust the JVM's CAs, pin nothing.
    return new Endpoint(url(address), null, GkeEndpoint.DNS);
  }

  private static Endpoint ipEndpoint(
      JsonObject cluster, String address, GkeEndpoint kind, String describe) {
    JsonObject masterAuth = object(cluster, "masterAuth");
    String ca = masterAuth == null ? null : string(masterAuth, "clusterCaCertificate");
    if (blank(ca)) {
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
    return new Endpoint(url(address), ca.replaceAll("\\s", ""), kind);
  }

  private static GenevaException ipDisabled(
      String describe, GkeEndpoint choice, String notRunning) {
    return unavailable(
        describe,
        choice,
        "its IP endpoints are disabled (controlPlaneEndpointsConfig.ipEndpointsConfig.enabled"
            + "=false), so it is reachable only through its DNS endpoint: choose"
            + " endpoint(GkeEndpoint.DNS) or endpoint(GkeEndpoint.AUTO)",
        notRunning);
  }

  private static GenevaException unavailable(
      String describe, GkeEndpoint choice, String why, String notRunning) {
    return new GenevaException(
        describe
            + ": GkeAuth endpoint(GkeEndpoint."
            + choice
            + ") cannot be used: "
            + why
            + "."
            + notRunning
            + " (Choices: GkeAuth.builder().endpoint(GkeEndpoint.AUTO|DNS|PUBLIC_IP|PRIVATE_IP);"
            + " ConfigMethod.GKE parameter endpoint=auto|dns|public_ip|private_ip; geneva"
            + " --gke-endpoint)");
  }

  private static String url(String endpoint) {
    return endpoint.startsWith("https://") ? endpoint : "https://" + hostPort(endpoint);
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (!blank(v)) {
        return v;
      }
    }
    return null;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static JsonObject object(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  private static Boolean bool(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()
        ? e.getAsBoolean()
        : null;
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
