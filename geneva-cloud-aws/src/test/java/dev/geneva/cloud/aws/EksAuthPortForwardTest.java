package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.PortForwarder;
import dev.geneva.k8s.testing.PortForwardFrames;
import dev.geneva.testing.MutableClock;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The port-forward that reaches the Ray dashboard, opened the way {@code RayCluster} opens it, over
 * a client built from {@link EksAuth}: its websocket upgrade carries the EKS token too. (The
 * expectation-only mock server, since the CRUD one does not upgrade scripted websockets.)
 */
@EnableKubernetesMockClient(https = true)
class EksAuthPortForwardTest {
  static KubernetesMockServer server;

  FakeAws aws;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
    aws.clock = new MutableClock(Instant.now());
    String ca =
        Base64.getEncoder()
            .encodeToString(
                Files.readAllBytes(Path.of(server.getSelfSignedCertificate().certificatePath())));
    aws.cluster("geneva", "https://" + server.getHostName() + ":" + server.getPort(), ca);
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  @Test
  void open_whenClientBuiltFromEksAuth_websocketUpgradeCarriesEksToken() throws Exception {
    String path = PortForwardFrames.expectOnce(server, "geneva", "head-0", 8265, "ok");
    Config config = aws.eksAuth().build().resolve();

    try (KubernetesClient eks = new KubernetesClientBuilder().withConfig(config).build();
        PortForwarder.Forward forward =
            PortForwarder.fabric8().open(eks, "geneva", "head-0", 8265);
        Socket socket =
            new Socket(forward.localAddress().getAddress(), forward.localAddress().getPort())) {
      socket.setSoTimeout(5000);
      byte[] got = socket.getInputStream().readNBytes(2);
      assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo("ok");
    }

    RecordedRequest upgrade = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(upgrade.getPath()).isEqualTo(path);
    String header = upgrade.getHeader("Authorization");
    assertThat(header).startsWith("Bearer k8s-aws-v1.");
    assertThat(
            EksTokenTest.query(EksTokenTest.decode(header.substring("Bearer ".length())))
                .get("X-Amz-Security-Token"))
        .isEqualTo("fake-session-token-1");
  }
}
