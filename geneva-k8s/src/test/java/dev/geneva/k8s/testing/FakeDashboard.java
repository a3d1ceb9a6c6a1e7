package dev.geneva.k8s.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A JDK HttpServer standing in for the Ray dashboard's {@code /api/version}. */
public final class FakeDashboard implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger versionCalls = new AtomicInteger();
  private volatile int failFirst;

  /**
   * Starts it on a free loopback port.
   *
   * @param rayVersion the version it reports
   */
  public FakeDashboard(String rayVersion) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/api/version",
        exchange -> {
          int n = versionCalls.incrementAndGet();
          byte[] body;
          int code;
          if (n <= failFirst) {
            code = 503;
            body = "starting".getBytes(StandardCharsets.UTF_8);
          } else {
            code = 200;
            body =
                ("{\"version\":\"4\",\"ray_version\":\""
                        + rayVersion
                        + "\",\"ray_commit\":\"0b3ab8e2c3a8e3d4c2b1d0f9e8d7c6b5a4f3e2d1\"}")
                    .getBytes(StandardCharsets.UTF_8);
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(code, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /**
   * Answers 503 to the first {@code n} calls, as a dashboard still starting does.
   *
   * @param n calls to fail
   * @return this
   */
  public FakeDashboard failFirst(int n) {
    this.failFirst = n;
    return this;
  }

  /**
   * Where it listens.
   *
   * @return the address
   */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /**
   * Calls of {@code /api/version} so far.
   *
   * @return the count
   */
  public int versionCalls() {
    return versionCalls.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
