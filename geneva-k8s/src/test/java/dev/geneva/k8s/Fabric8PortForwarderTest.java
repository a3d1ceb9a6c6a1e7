package dev.geneva.k8s;

import static dev.geneva.k8s.testing.PortForwardFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The fabric8 forwarder against the mock server's scripted portforward websocket: bytes the "pod"
 * sends arrive at the local port. The mock cannot run a real server behind the websocket, so what
 * the client writes is not checked here (the lifecycle tests send HTTP through a TCP proxy).
 */
@EnableKubernetesMockClient
class Fabric8PortForwarderTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void open_whenPodSendsBytes_expectThemAtTheLocalPort() throws Exception {
    server
        .expect()
        .withPath("/api/v1/namespaces/geneva/pods/head-0/portforward?ports=8265")
        .andUpgradeToWebSocket()
        .open()
        .waitFor(10)
        .andEmit(frame(0, "\u0049\u0020")) // data channel: the port, as the API server sends
        .waitFor(10)
        .andEmit(frame(1, "\u0049\u0020")) // error channel: the port
        .waitFor(10)
        .andEmit(frame(0, "{\"ray_version\":"))
        .waitFor(10)
        .andEmit(frame(0, "\"2.39.0\"}"))
        .done()
        .once();

    try (PortForwarder.Forward forward =
            PortForwarder.fabric8().open(client, "geneva", "head-0", 8265);
        Socket socket =
            new Socket(forward.localAddress().getAddress(), forward.localAddress().getPort())) {
      assertThat(forward.localAddress().getAddress().isLoopbackAddress()).isTrue();
      socket.setSoTimeout(5000);
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[256];
      int n;
      while (!got.toString(StandardCharsets.UTF_8).endsWith("}") && (n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
      assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("{\"ray_version\":\"2.39.0\"}");
      forward.close();
      forward.close();
    }
  }
}
