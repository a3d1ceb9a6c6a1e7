package dev.geneva.k8s.testing;

import dev.geneva.k8s.PortForwarder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Frames of the Kubernetes portforward websocket protocol, for scripted mock-server answers. */
public final class PortForwardFrames {
  private PortForwardFrames() {}

  /**
   * One frame: the channel byte (0 data, 1 error), then the data, as a string the mock server's
   * {@code andEmit} sends as is.
   *
   * @param channel the channel
   * @param data the payload, Latin-1
   * @return the frame
   */
  public static String frame(int channel, String data) {
    byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
    byte[] msg = new byte[bytes.length + 1];
    msg[0] = (byte) channel;
    System.arraycopy(bytes, 0, msg, 1, bytes.length);
    return new String(msg, StandardCharsets.ISO_8859_1);
  }

  /**
   * Scripts the mock server to accept one port-forward to a pod and send {@code payload} through it
   * (after the two port frames the API server sends first).
   *
   * @param server an expectation-mode mock server (the CRUD one does not upgrade scripted sockets)
   * @param namespace the pod's namespace
   * @param pod the pod
   * @param port the pod's port
   * @param payload what the "pod" sends, Latin-1
   * @return the request path the client must use
   */
  public static String expectOnce(
      KubernetesMockServer server, String namespace, String pod, int port, String payload) {
    String path = "/api/v1/namespaces/" + namespace + "/pods/" + pod + "/portforward?ports=" + port;
    String portBytes =
        new String(new byte[] {(byte) port, (byte) (port >> 8)}, StandardCharsets.ISO_8859_1);
    server
        .expect()
        .withPath(path)
        .andUpgradeToWebSocket()
        .open()
        .waitFor(10)
        .andEmit(frame(0, portBytes)) // data channel: the port, as the API server sends
        .waitFor(10)
        .andEmit(frame(1, portBytes)) // error channel: the port
        .waitFor(10)
        .andEmit(frame(0, payload))
        .done()
        .once();
    return path;
  }

  /**
   * Opens the SDK's fabric8 port-forward to a pod, connects to its local end and reads what the pod
   * sends.
   *
   * @param client the client the forward goes through
   * @param namespace the pod's namespace
   * @param pod the pod
   * @param port the pod's port
   * @param bytes how many bytes to read
   * @return what arrived, Latin-1
   * @throws IOException when the local connection fails or times out (5 s)
   */
  public static String readThrough(
      KubernetesClient client, String namespace, String pod, int port, int bytes)
      throws IOException {
    try (PortForwarder.Forward forward =
            PortForwarder.fabric8().open(client, namespace, pod, port);
        Socket socket =
            new Socket(forward.localAddress().getAddress(), forward.localAddress().getPort())) {
      socket.setSoTimeout(5000);
      return new String(socket.getInputStream().readNBytes(bytes), StandardCharsets.ISO_8859_1);
    }
  }
}
