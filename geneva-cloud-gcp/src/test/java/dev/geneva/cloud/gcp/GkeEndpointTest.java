package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GkeAuth#endpoint()} against cluster resources shaped as the GKE API returns them: a
 * DNS-only cluster (IP endpoints disabled), a public cluster with all three endpoints, a cluster
 * with only a private IP endpoint, and one still provisioning.
 */
class GkeEndpointTest {
  private static final String CA_PEM =
      "-----BEGIN CERTIFICATE-----\nMIIBfakefakefake\n-----END CERTIFICATE-----\n";
  private static final String CA = FakeGoogle.base64(CA_PEM);
  private static final String DNS = "gke-0123456789abcdef-123456789012.us-central1.gke.goog";

  /** A cluster created with --enable-dns-access --no-enable-ip-access. */
  private static final String DNS_ONLY =
      "{\"name\":\"geneva\",\"status\":\"RUNNING\",\"endpoint\":\"10.128.0.2\","
          + "\"masterAuth\":{\"clusterCaCertificate\":\""
          + CA
          + "\"},"
          + "\"privateClusterConfig\":{\"enablePrivateNodes\":true,"
          + "\"privateEndpoint\":\"10.128.0.2\"},"
          + "\"controlPlaneEndpointsConfig\":{"
          + "\"dnsEndpointConfig\":{\"endpoint\":\""
          + DNS
          + "\",\"allowExternalTraffic\":true},"
          + "\"ipEndpointsConfig\":{\"enabled\":false}}}";

  /** The same, but with no top-level endpoint at all (what led to "wait until RUNNING"). */
  private static final String DNS_ONLY_NO_ENDPOINT =
      "{\"name\":\"geneva\",\"status\":\"RUNNING\","
          + "\"masterAuth\":{\"clusterCaCertificate\":\""
          + CA
          + "\"},"
          + "\"controlPlaneEndpointsConfig\":{"
          + "\"dnsEndpointConfig\":{\"endpoint\":\""
          + DNS
          + "\",\"allowExternalTraffic\":true},"
          + "\"ipEndpointsConfig\":{\"enabled\":false}}}";

  /** A public cluster: IP endpoints on with public and private IPs, DNS endpoint closed. */
  private static final String PUBLIC =
      "{\"name\":\"geneva\",\"status\":\"RUNNING\",\"endpoint\":\"34.1.2.3\","
          + "\"masterAuth\":{\"clusterCaCertificate\":\""
          + CA
          + "\"},"
          + "\"privateClusterConfig\":{\"privateEndpoint\":\"10.128.0.2\","
          + "\"publicEndpoint\":\"34.1.2.3\"},"
          + "\"controlPlaneEndpointsConfig\":{"
          + "\"dnsEndpointConfig\":{\"endpoint\":\""
          + DNS
          + "\",\"allowExternalTraffic\":false},"
          + "\"ipEndpointsConfig\":{\"enabled\":true,\"enablePublicEndpoint\":true,"
          + "\"publicEndpoint\":\"34.1.2.3\",\"privateEndpoint\":\"10.128.0.2\"}}}";

  /** A private-endpoint cluster: IP endpoints on, public endpoint off. */
  private static final String PRIVATE_ONLY =
      "{\"name\":\"geneva\",\"status\":\"RUNNING\",\"endpoint\":\"10.128.0.2\","
          + "\"masterAuth\":{\"clusterCaCertificate\":\""
          + CA
          + "\"},"
          + "\"privateClusterConfig\":{\"enablePrivateNodes\":true,"
          + "\"enablePrivateEndpoint\":true,\"privateEndpoint\":\"10.128.0.2\"},"
          + "\"controlPlaneEndpointsConfig\":{"
          + "\"ipEndpointsConfig\":{\"enabled\":true,\"enablePublicEndpoint\":false,"
          + "\"privateEndpoint\":\"10.128.0.2\"}}}";

  private static final String PROVISIONING = "{\"name\":\"geneva\",\"status\":\"PROVISIONING\"}";

  FakeGoogle google;

  @BeforeEach
  void start() throws IOException {
    google = new FakeGoogle();
  }

  @AfterEach
  void stop() {
    google.close();
  }

  private GkeAuth.Builder auth(String clusterJson) {
    google.addClusterResource("p", "us-central1", "geneva", clusterJson);
    return GkeAuth.builder()
        .project("p")
        .location("us-central1")
        .clusterName("geneva")
        .credentials(google.credentials())
        .containerApiRoot(google.root());
  }

  @Test
  void resolve_whenAutoAndIpEndpointsDisabled_usesDnsEndpointWithPublicCas() {
    Config config = auth(DNS_ONLY).build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://" + DNS + "/");
    assertThat(config.getCaCertData()).isNull();
  }

  @Test
  void resolve_whenAutoAndIpDisabledClusterHasNoEndpoint_usesDnsEndpointNotWaitHint() {
    Config config = auth(DNS_ONLY_NO_ENDPOINT).build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://" + DNS + "/");
    assertThat(config.getCaCertData()).isNull();
  }

  @Test
  void resolve_whenAutoAndIpEndpointsEnabled_usesEndpointAndPinsClusterCa() {
    Config config = auth(PUBLIC).build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://34.1.2.3/");
    assertThat(config.getCaCertData()).isEqualTo(CA);
  }

  @Test
  void resolve_whenDnsChosenAndAllowed_usesDnsEndpointWithoutCa() {
    Config config = auth(DNS_ONLY).endpoint(GkeEndpoint.DNS).build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://" + DNS + "/");
    assertThat(config.getCaCertData()).isNull();
  }

  @Test
  void resolve_whenDnsChosenButExternalTrafficDisallowed_namesOptionAndFix() {
    GkeAuth auth = auth(PUBLIC).endpoint(GkeEndpoint.DNS).build();

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("GKE cluster 'geneva'")
        .hasMessageContaining("endpoint(GkeEndpoint.DNS) cannot be used")
        .hasMessageContaining("dnsEndpointConfig.allowExternalTraffic")
        .hasMessageContaining("--enable-dns-access")
        .hasMessageContaining("endpoint(GkeEndpoint.AUTO)");
  }

  @Test
  void resolve_whenPrivateIpChosen_usesPrivateEndpointAndPinsClusterCa() {
    Config config = auth(PUBLIC).endpoint(GkeEndpoint.PRIVATE_IP).build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://10.128.0.2/");
    assertThat(config.getCaCertData()).isEqualTo(CA);
  }

  @Test
  void resolve_whenPrivateIpChosenButIpEndpointsDisabled_namesOptionAndDnsChoice() {
    GkeAuth auth = auth(DNS_ONLY).endpoint(GkeEndpoint.PRIVATE_IP).build();

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("endpoint(GkeEndpoint.PRIVATE_IP) cannot be used")
        .hasMessageContaining("ipEndpointsConfig.enabled=false")
        .hasMessageContaining("endpoint(GkeEndpoint.DNS)");
  }

  @Test
  void resolve_whenPublicIpChosen_usesPublicEndpoint() {
    Config config = auth(PUBLIC).endpoint(GkeEndpoint.PUBLIC_IP).build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://34.1.2.3/");
    assertThat(config.getCaCertData()).isEqualTo(CA);
  }

  @Test
  void resolve_whenPublicIpChosenButClusterHasOnlyPrivateEndpoint_namesOptionAndChoices() {
    GkeAuth auth = auth(PRIVATE_ONLY).endpoint(GkeEndpoint.PUBLIC_IP).build();

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("endpoint(GkeEndpoint.PUBLIC_IP) cannot be used")
        .hasMessageContaining("no public IP endpoint")
        .hasMessageContaining("endpoint(GkeEndpoint.PRIVATE_IP)");
  }

  @Test
  void resolve_whenAutoAndOnlyPrivateEndpoint_usesItLikeGcloud() {
    Config config = auth(PRIVATE_ONLY).build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://10.128.0.2/");
  }

  @Test
  void resolve_whenClusterProvisioning_saysWaitUntilRunning() {
    GkeAuth auth = auth(PROVISIONING).build();

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("returned no endpoint")
        .hasMessageContaining("status is PROVISIONING: wait until it is RUNNING");
  }

  @Test
  void build_whenEndpointChosenWithKubeconfig_rejectsTheCombination() {
    assertThatThrownBy(
            () ->
                GkeAuth.builder()
                    .kubeconfig(Path.of("kubeconfig"), null)
                    .endpoint(GkeEndpoint.DNS)
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("endpoint(GkeEndpoint.DNS)")
        .hasMessageContaining("kubeconfig(...)");
  }

  @Test
  void forMethod_whenEndpointParameterGiven_setsTheChoice() {
    KubeAuth auth =
        KubeAuth.forMethod(
            ConfigMethod.GKE,
            Map.of(
                "project", "p", "location", "us-central1", "cluster_name", "c", "endpoint", "dns"));

    assertThat(((GkeAuth) auth).endpoint()).isEqualTo(GkeEndpoint.DNS);
    assertThat(auth.toString()).contains("endpoint=DNS");
    assertThatThrownBy(
            () ->
                KubeAuth.forMethod(
                    ConfigMethod.GKE,
                    Map.of(
                        "project",
                        "p",
                        "location",
                        "l",
                        "cluster_name",
                        "c",
                        "endpoint",
                        "internal")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("endpoint 'internal' is not one of auto, dns, public_ip, private_ip");
  }
}
