package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.k8s.testing.PortForwardFrames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The port-forward that reaches the Ray dashboard, opened the way {@code RayCluster} opens it, over
 * a client built from {@link GkeAuth}: its websocket upgrade carries the Google access token too.
 * (The expectation-only mock server, since the CRUD one does not upgrade scripted websockets.)
 */
@EnableKubernetesMockClient(https = true)
class GkeAuthPortForwardTest {
  static KubernetesMockServer server;

  FakeGoogle google;

  @BeforeEach
  void start() throws Exception {
    google = new FakeGoogle();
    String caPem =
        Files.readString(
            Path.of(server.getSelfSignedCertificate().certificatePath()), StandardCharsets.UTF_8);
    google.addCluster(
        "p", "us-central1", "geneva", server.getHostName() + ":" + server.getPort(), caPem);
  }

  @AfterEach
  void stop() {
    google.close();
  }

  @Test
  void open_whenClientBuiltFromGkeAuth_websocketUpgradeCarriesGoogleToken() throws Exception {
    String path = PortForwardFrames.expectOnce(server, "geneva", "head-0", 8265, "ok");
    GkeAuth auth =
        GkeAuth.builder()
            .project("p")
            .location("us-central1")
            .clusterName("geneva")
            .credentials(google.credentials())
            .containerApiRoot(google.root())
            .build();

    try (KubernetesClient gke = new KubernetesClientBuilder().withConfig(auth.resolve()).build()) {
      assertThat(PortForwardFrames.readThrough(gke, "geneva", "head-0", 8265, 2)).isEqualTo("ok");
    }

    RecordedRequest upgrade = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(upgrade.getPath()).isEqualTo(path);
    assertThat(upgrade.getHeader("Authorization"))
        .isEqualTo("Bearer " + google.issuedTokens().get(0));
  }
}
