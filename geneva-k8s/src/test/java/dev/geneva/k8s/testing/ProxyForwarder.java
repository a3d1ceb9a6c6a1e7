package dev.geneva.k8s.testing;

import dev.geneva.k8s.PortForwarder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * A test {@link PortForwarder}: a local TCP proxy whose far end is a local server chosen per remote
 * port (the fake dashboard for 8265), so bytes really travel through the forwarded port.
 */
public final class ProxyForwarder implements PortForwarder {
  /** What was opened: pod and remote port. */
  public record Opened(String namespace, String pod, int remotePort) {}

  private final IntFunction<InetSocketAddress> targets;
  private final List<Opened> opened = new CopyOnWriteArrayList<>();
  private final List<Forward> open = new CopyOnWriteArrayList<>();

  /**
   * Creates it.
   *
   * @param targets the local server standing in for each remote port
   */
  public ProxyForwarder(IntFunction<InetSocketAddress> targets) {
    this.targets = targets;
  }

  /**
   * Every forward opened.
   *
   * @return the forwards
   */
  public List<Opened> opened() {
    return opened;
  }

  /**
   * Forwards not yet closed.
   *
   * @return the count
   */
  public int stillOpen() {
    return open.size();
  }

  @Override
  public Forward open(KubernetesClient client, String namespace, String pod, int remotePort) {
    InetSocketAddress target = targets.apply(remotePort);
    opened.add(new Opened(namespace, pod, remotePort));
    ServerSocket server;
    try {
      server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket in = server.accept();
                  Socket out = new Socket(target.getAddress(), target.getPort());
                  pipe(in.getInputStream(), out.getOutputStream(), out);
                  pipe(out.getInputStream(), in.getOutputStream(), in);
                } catch (IOException e) {
                  return;
                }
              }
            },
            "test-forward-" + remotePort);
    acceptor.setDaemon(true);
    acceptor.start();
    Forward f =
        new Forward() {
          @Override
          public InetSocketAddress localAddress() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
          }

          @Override
          public void close() {
            open.remove(this);
            try {
              server.close();
            } catch (IOException e) {
              // closing anyway
            }
          }
        };
    open.add(f);
    return f;
  }

  private static void pipe(InputStream from, OutputStream to, Socket closeWhenDone) {
    Thread t =
        new Thread(
            () -> {
              try {
                from.transferTo(to);
                closeWhenDone.shutdownOutput();
              } catch (IOException e) {
                // connection closed
              }
            },
            "test-forward-pipe");
    t.setDaemon(true);
    t.start();
  }
}
