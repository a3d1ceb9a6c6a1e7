package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.testing.MutableClock;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the fake GKE API returns fabric8's https mock server as the cluster, and a {@link
 * KubernetesClient} built from {@link GkeAuth#resolve()} calls it with Google access tokens.
 */
@EnableKubernetesMockClient(https = true, crud = true)
class GkeAuthMockServerTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  FakeGoogle google;
  String caPem;

  @BeforeEach
  void start() throws Exception {
    google = new FakeGoogle();
    caPem =
        Files.readString(
            Path.of(server.getSelfSignedCertificate().certificatePath()), StandardCharsets.UTF_8);
    google.addCluster(
        "p", "us-central1", "geneva", server.getHostName() + ":" + server.getPort(), caPem);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("geneva").endMetadata().build())
        .createOr(r -> r.update());
  }

  @AfterEach
  void stop() {
    google.close();
  }

  private GkeAuth.Builder auth() {
    return GkeAuth.builder()
        .project("p")
        .location("us-central1")
        .clusterName("geneva")
        .credentials(google.credentials())
        .containerApiRoot(google.root());
  }

  @Test
  void resolve_whenClientCallsCluster_sendsGoogleAccessTokenOverVerifiedTls() throws Exception {
    try (KubernetesClient gke =
        new KubernetesClientBuilder().withConfig(auth().build().resolve()).build()) {
      assertThat(gke.namespaces().withName("geneva").get()).isNotNull();
    }

    assertThat(google.issuedTokens()).hasSize(1);
    assertThat(server.getLastRequest().getHeader("Authorization"))
        .isEqualTo("Bearer " + google.issuedTokens().get(0));
  }

  @Test
  void resolve_whenDnsEndpoint_doesNotTrustTheClusterCa() {
    // A DNS-only cluster whose DNS endpoint is the mock server: its certificate is signed by the
    // cluster CA, which GKE's DNS endpoint never presents (it uses a public CA). Geneva must not
    // pin the cluster CA there, so the handshake fails against the JVM's public CAs.
    google.addClusterResource(
        "p",
        "us-central1",
        "dns-only",
        "{\"name\":\"dns-only\",\"status\":\"RUNNING\","
            + "\"masterAuth\":{\"clusterCaCertificate\":\""
            + FakeGoogle.base64(caPem)
            + "\"},\"controlPlaneEndpointsConfig\":{\"dnsEndpointConfig\":{\"endpoint\":\""
            + server.getHostName()
            + ":"
            + server.getPort()
            + "\",\"allowExternalTraffic\":true},\"ipEndpointsConfig\":{\"enabled\":false}}}");
    io.fabric8.kubernetes.client.Config config = auth().clusterName("dns-only").build().resolve();
    config.setRequestRetryBackoffLimit(0);
    int before = server.getRequestCount();

    assertThat(config.getCaCertData()).isNull();
    try (KubernetesClient gke = new KubernetesClientBuilder().withConfig(config).build()) {
      Throwable thrown =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> gke.namespaces().withName("geneva").get());
      assertThat(thrown)
          .isNotNull()
          .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
    }
    assertThat(server.getRequestCount()).isEqualTo(before);
  }

  @Test
  void request_whenApiServerAnswers401Once_fetchesNewTokenOnceAndRetriesWithIt() throws Exception {
    // Requests are observed without takeRequest(): the other tests' getLastRequest() would wait
    // forever for requests taken here.
    List<RecordedRequest> rejected = new ArrayList<>();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/geneva")
        .andReply(
            401,
            r -> {
              rejected.add(r);
              return "{\"kind\":\"Status\",\"code\":401,\"reason\":\"Unauthorized\"}";
            })
        .once();

    try (KubernetesClient gke =
        new KubernetesClientBuilder().withConfig(auth().build().resolve()).build()) {
      assertThat(google.issuedTokens()).hasSize(1);
      int before = server.getRequestCount();
      assertThat(gke.namespaces().withName("geneva").get().getMetadata().getName())
          .isEqualTo("geneva");
      assertThat(server.getRequestCount() - before).isEqualTo(2);
    }

    assertThat(google.tokenRequests()).isEqualTo(2);
    assertThat(google.issuedTokens().get(1)).isNotEqualTo(google.issuedTokens().get(0));
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).getHeader("Authorization"))
        .isEqualTo("Bearer " + google.issuedTokens().get(0));
    RecordedRequest retry = server.getLastRequest();
    assertThat(retry.getPath()).isEqualTo("/api/v1/namespaces/geneva");
    assertThat(retry.getHeader("Authorization"))
        .isEqualTo("Bearer " + google.issuedTokens().get(1));
  }

  @Test
  void resolve_whenClockPassesExpiry_nextRequestSendsRefreshedToken() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    try (KubernetesClient gke =
        new KubernetesClientBuilder().withConfig(auth().clock(clock).build().resolve()).build()) {
      gke.namespaces().withName("geneva").get();
      gke.namespaces().withName("geneva").get();
      assertThat(server.getLastRequest().getHeader("Authorization"))
          .isEqualTo("Bearer " + google.issuedTokens().get(0));
      assertThat(google.issuedTokens()).hasSize(1);

      clock.advance(Duration.ofMinutes(61));
      gke.namespaces().withName("geneva").get();
    }

    assertThat(google.issuedTokens()).hasSize(2);
    assertThat(server.getLastRequest().getHeader("Authorization"))
        .isEqualTo("Bearer " + google.issuedTokens().get(1));
  }

  @Test
  void kubeconfig_whenContextGiven_usesItsServerAndCaWithGoogleToken(@TempDir Path dir)
      throws Exception {
    Path kubeconfig = dir.resolve("config");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: gke_p_us-central1_geneva",
            "  cluster:",
            "    server: https://" + server.getHostName() + ":" + server.getPort(),
            "    certificate-authority-data: "
                + Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)),
            "users:",
            "- name: stale",
            "  user:",
            "    token: stale-kubeconfig-token",
            "contexts:",
            "- name: gke",
            "  context:",
            "    cluster: gke_p_us-central1_geneva",
            "    user: stale",
            "current-context: gke",
            ""));
    GkeAuth auth =
        GkeAuth.builder().kubeconfig(kubeconfig, "gke").credentials(google.credentials()).build();

    try (KubernetesClient gke = new KubernetesClientBuilder().withConfig(auth.resolve()).build()) {
      assertThat(gke.namespaces().withName("geneva").get()).isNotNull();
    }

    assertThat(google.gkePaths()).isEmpty();
    assertThat(server.getLastRequest().getHeader("Authorization"))
        .isEqualTo("Bearer " + google.issuedTokens().get(0));
    assertThat(auth.toString()).contains("context=gke").doesNotContain("stale-kubeconfig-token");
  }
}
