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
 * port (the fake dashboard for 8265), so bytes really travel through the forwarded port. A forward
 * can be {@link #kill killed} as fabric8's dies when its websocket drops: the local port still
 * accepts connections, but each one is closed at once, and the connections open are cut.
 */
public final class ProxyForwarder implements PortForwarder {
  /** What was opened: pod and remote port. */
  public record Opened(String namespace, String pod, int remotePort) {}

  private final IntFunction<InetSocketAddress> targets;
  private final List<Opened> opened = new CopyOnWriteArrayList<>();
  private final List<Forward> open = new CopyOnWriteArrayList<>();
  private final List<Killable> all = new CopyOnWriteArrayList<>();

  /** A forward the test can kill. */
  private static final class Killable {
    final Opened opened;
    final ServerSocket server;
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    volatile boolean dead;

    Killable(Opened opened, ServerSocket server) {
      this.opened = opened;
      this.server = server;
    }

    void kill() {
      dead = true;
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // cut anyway
        }
      }
    }
  }

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

  /**
   * Kills every forward to a remote port opened so far (see the class comment); the SDK must open a
   * new one to get through again.
   *
   * @param remotePort e.g. 8265
   * @return how many were killed
   */
  public int kill(int remotePort) {
    int n = 0;
    for (Killable k : all) {
      if (k.opened.remotePort() == remotePort && !k.dead) {
        k.kill();
        n++;
      }
    }
    return n;
  }

  /**
   * The forwards opened to a remote port, oldest first.
   *
   * @param remotePort e.g. 8265
   * @return the pods they reach
   */
  public List<Opened> opened(int remotePort) {
    return opened.stream().filter(o -> o.remotePort() == remotePort).toList();
  }

  @Override
  public Forward open(KubernetesClient client, String namespace, String pod, int remotePort) {
    InetSocketAddress target = targets.apply(remotePort);
    Opened o = new Opened(namespace, pod, remotePort);
    opened.add(o);
    ServerSocket server;
    try {
      server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Killable k = new Killable(o, server);
    all.add(k);
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket in = server.accept();
                  if (k.dead) {
                    in.close(); // the websocket behind it is gone
                    continue;
                  }
                  Socket out = new Socket(target.getAddress(), target.getPort());
                  k.sockets.add(in);
                  k.sockets.add(out);
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
            k.kill();
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
