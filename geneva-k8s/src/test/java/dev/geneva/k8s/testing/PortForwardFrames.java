package dev.geneva.k8s.testing;

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
}
