package dev.geneva.k8s.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A fault-injecting HTTP/1.1 proxy in front of the plain-HTTP {@link MockKubernetes} server: point
 * a client's master URL at {@link #url()} and add rules per method and path (a regex matched
 * against the whole path, without the query) that answer in the server's place (500s, 429 with
 * {@code Retry-After}), drop the server's answer after the request reached it (the client gets a
 * 504, or a reset connection), or delay the request. Watches (WebSocket upgrades and {@code
 * watch=true} streams) pass through untouched and can be cut with {@link #cutWatches()}.
 *
 * <p>Every forwarded request gets its own connection to the server, and every answer carries {@code
 * Connection: close}, so the client never reuses a connection the proxy has finished with. Rules
 * are tried in the order added; one with a count applies that many times, then is spent.
 */
public final class FaultProxy implements AutoCloseable {
  /** What a rule does. */
  public enum Action {
    /** Answers in the server's place; the request never reaches the server. */
    ANSWER,
    /** Forwards the request, discards the server's answer and answers 504. */
    DROP_ANSWER_504,
    /** Forwards the request, discards the server's answer and resets the client's connection. */
    DROP_ANSWER_RESET,
    /** Waits, then forwards. */
    DELAY
  }

  /**
   * One request seen.
   *
   * @param method e.g. POST
   * @param path the path with its query
   * @param atNanos {@link System#nanoTime()} when its head arrived
   * @param action the rule applied, or null when forwarded untouched
   */
  public record Seen(String method, String path, long atNanos, Action action) {}

  private static final class Rule {
    final String method;
    final Pattern path;
    final Action action;
    final AtomicInteger remaining;
    final int code;
    final Map<String, String> headers;
    final String body;
    final long delayMs;

    Rule(
        String method,
        String path,
        Action action,
        int times,
        int code,
        Map<String, String> headers,
        String body,
        long delayMs) {
      this.method = method;
      this.path = Pattern.compile(path);
      this.action = action;
      this.remaining = new AtomicInteger(times);
      this.code = code;
      this.headers = headers;
      this.body = body;
      this.delayMs = delayMs;
    }

    boolean take(String m, String p) {
      if (!method.equalsIgnoreCase(m) || !path.matcher(p).matches()) {
        return false;
      }
      while (true) {
        int n = remaining.get();
        if (n == 0) {
          return false;
        }
        if (n < 0 || remaining.compareAndSet(n, n - 1)) {
          return true; // negative: always
        }
      }
    }
  }

  /** Apply a rule every time. */
  public static final int ALWAYS = -1;

  private final InetSocketAddress upstream;
  private final ServerSocket server;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<Socket> watchSockets = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * Starts the proxy on a free loopback port.
   *
   * @param upstream the plain-HTTP server to forward to
   */
  public FaultProxy(InetSocketAddress upstream) {
    this.upstream = upstream;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * The proxy's URL, for a client's master URL.
   *
   * @return e.g. {@code http://127.0.0.1:34567/}
   */
  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/";
  }

  /**
   * Answers matching requests in the server's place.
   *
   * @param method e.g. DELETE
   * @param pathRegex e.g. {@code /apis/ray.io/v1/namespaces/geneva/rayclusters/.*}
   * @param times how many requests, or {@link #ALWAYS}
   * @param code the status, e.g. 500
   * @param headers extra headers, e.g. {@code Retry-After}
   * @return this
   */
  public FaultProxy answer(
      String method, String pathRegex, int times, int code, Map<String, String> headers) {
    rules.add(
        new Rule(
            method, pathRegex, Action.ANSWER, times, code, Map.copyOf(headers), status(code), 0));
    return this;
  }

  /**
   * Forwards matching requests (the server acts on them) but answers 504 instead of the server's
   * answer, as a gateway that timed out does.
   *
   * @param method e.g. POST
   * @param pathRegex the path
   * @param times how many requests, or {@link #ALWAYS}
   * @return this
   */
  public FaultProxy dropAnswerWith504(String method, String pathRegex, int times) {
    rules.add(
        new Rule(method, pathRegex, Action.DROP_ANSWER_504, times, 504, Map.of(), status(504), 0));
    return this;
  }

  /**
   * Forwards matching requests (the server acts on them) but resets the client's connection instead
   * of answering.
   *
   * @param method e.g. POST
   * @param pathRegex the path
   * @param times how many requests, or {@link #ALWAYS}
   * @return this
   */
  public FaultProxy dropAnswerWithReset(String method, String pathRegex, int times) {
    rules.add(new Rule(method, pathRegex, Action.DROP_ANSWER_RESET, times, 0, Map.of(), "", 0));
    return this;
  }

  /**
   * Delays matching requests before forwarding them.
   *
   * @param method e.g. GET
   * @param pathRegex the path
   * @param times how many requests, or {@link #ALWAYS}
   * @param delay how long
   * @return this
   */
  public FaultProxy delay(String method, String pathRegex, int times, Duration delay) {
    rules.add(new Rule(method, pathRegex, Action.DELAY, times, 0, Map.of(), "", delay.toMillis()));
    return this;
  }

  /** Removes every rule: from now on requests pass untouched. */
  public void clearRules() {
    rules.clear();
  }

  /** Cuts every watch passing through (both of its connections), as a dropped network does. */
  public void cutWatches() {
    for (Socket s : watchSockets) {
      closeQuietly(s);
    }
    watchSockets.clear();
  }

  /**
   * Every request seen so far.
   *
   * @return the requests, in arrival order
   */
  public List<Seen> requests() {
    return List.copyOf(seen);
  }

  /**
   * The requests seen with this method and a path (without query) matching the regex.
   *
   * @param method e.g. POST
   * @param pathRegex the path
   * @return the requests, in arrival order
   */
  public List<Seen> requests(String method, String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return seen.stream()
        .filter(s -> s.method().equalsIgnoreCase(method))
        .filter(s -> p.matcher(pathOnly(s.path())).matches())
        .toList();
  }

  /**
   * A Kubernetes {@code Status} body for an error code.
   *
   * @param code e.g. 500
   * @return the JSON
   */
  public static String status(int code) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":\"injected by FaultProxy: HTTP "
        + code
        + "\",\"reason\":\"InternalError\",\"code\":"
        + code
        + "}";
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    for (Socket s : open) {
      closeQuietly(s);
    }
    cutWatches();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      open.add(client);
      Thread t =
          new Thread(
              () -> {
                try {
                  serve(client);
                } catch (IOException | RuntimeException e) {
                  // the client or the server went away: nothing to report
                } finally {
                  if (!watchSockets.contains(client)) {
                    open.remove(client);
                    closeQuietly(client);
                  }
                }
              },
              "fault-proxy-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket client) throws IOException {
    InputStream in = client.getInputStream();
    OutputStream out = client.getOutputStream();
    while (!closed) {
      byte[] headBytes = readHead(in);
      if (headBytes == null) {
        return;
      }
      String head = new String(headBytes, StandardCharsets.ISO_8859_1);
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String method = requestLine[0];
      String path = requestLine[1];
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(
              lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
              lines[i].substring(colon + 1).trim());
        }
      }
      long at = System.nanoTime();
      boolean websocket = "websocket".equalsIgnoreCase(headers.getOrDefault("upgrade", ""));
      if (websocket || path.contains("watch=true")) {
        seen.add(new Seen(method, path, at, null));
        tunnel(client, headBytes);
        return;
      }
      byte[] body = readBody(in, headers);
      Rule rule = null;
      for (Rule r : rules) {
        if (r.take(method, pathOnly(path))) {
          rule = r;
          break;
        }
      }
      seen.add(new Seen(method, path, at, rule == null ? null : rule.action));
      if (rule != null && rule.action == Action.ANSWER) {
        writeAnswer(out, rule.code, rule.headers, rule.body);
        continue;
      }
      if (rule != null && rule.action == Action.DELAY) {
        sleep(rule.delayMs);
      }
      byte[] answer = forward(lines, body);
      if (rule != null && rule.action == Action.DROP_ANSWER_504) {
        writeAnswer(out, 504, Map.of(), rule.body);
        continue;
      }
      if (rule != null && rule.action == Action.DROP_ANSWER_RESET) {
        client.setSoLinger(true, 0); // close with RST: the client sees a reset connection
        client.close();
        return;
      }
      out.write(withConnectionClose(answer));
      out.flush();
      return; // Connection: close
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends the request on a connection of its own and reads the whole answer. */
  private byte[] forward(String[] lines, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder(lines[0]).append("\r\n");
    for (int i = 1; i < lines.length; i++) {
      String lower = lines[i].toLowerCase(Locale.ROOT);
      if (lower.startsWith("connection:")
          || lower.startsWith("upgrade:")
          || lower.startsWith("http2-settings:")
          || lower.startsWith("keep-alive:")) {
        continue;
      }
      head.append(lines[i]).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    try (Socket s = new Socket(upstream.getAddress(), upstream.getPort())) {
      OutputStream o = s.getOutputStream();
      o.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      o.write(body);
      o.flush();
      return s.getInputStream().readAllBytes();
    }
  }

  /** Passes a watch through as raw bytes both ways, remembering its sockets for cutting. */
  private void tunnel(Socket client, byte[] head) throws IOException {
    Socket up = new Socket(upstream.getAddress(), upstream.getPort());
    watchSockets.add(client);
    watchSockets.add(up);
    up.getOutputStream().write(head);
    up.getOutputStream().flush();
    Thread back =
        new Thread(
            () -> {
              try {
                up.getInputStream().transferTo(client.getOutputStream());
              } catch (IOException e) {
                // cut or closed
              } finally {
                closeQuietly(client);
                closeQuietly(up);
              }
            },
            "fault-proxy-watch");
    back.setDaemon(true);
    back.start();
    try {
      client.getInputStream().transferTo(up.getOutputStream());
    } catch (IOException e) {
      // cut or closed
    } finally {
      closeQuietly(up);
      closeQuietly(client);
      watchSockets.remove(client);
      watchSockets.remove(up);
      open.remove(client);
    }
  }

  private static byte[] withConnectionClose(byte[] answer) {
    int end = indexOf(answer, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (end < 0) {
      return answer;
    }
    String head = new String(answer, 0, end, StandardCharsets.ISO_8859_1);
    StringBuilder b = new StringBuilder();
    for (String line : head.split("\r\n")) {
      if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
        b.append(line).append("\r\n");
      }
    }
    b.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(answer, end + 4, answer.length - end - 4);
    return out.toByteArray();
  }

  private static void writeAnswer(
      OutputStream out, int code, Map<String, String> headers, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder("HTTP/1.1 ")
            .append(code)
            .append(code == 429 ? " Too Many Requests" : " Injected")
            .append("\r\nContent-Type: application/json\r\nContent-Length: ")
            .append(b.length)
            .append("\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(b);
    out.flush();
  }

  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (true) {
      int c;
      try {
        c = in.read();
      } catch (SocketException e) {
        return null;
      }
      if (c < 0) {
        return head.size() == 0 ? null : head.toByteArray();
      }
      head.write(c);
      matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toByteArray();
      }
    }
  }

  private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
    String length = headers.get("content-length");
    if (length != null) {
      return in.readNBytes(Integer.parseInt(length));
    }
    if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(in, raw);
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          readLine(in, raw); // the empty line after the last chunk (no trailers sent)
          return raw.toByteArray();
        }
        raw.writeBytes(in.readNBytes(size));
        readLine(in, raw);
      }
    }
    return new byte[0];
  }

  private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
    List<Integer> line = new ArrayList<>();
    int prev = -1;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed inside a chunked body");
      }
      raw.write(c);
      if (prev == '\r' && c == '\n') {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < line.size() - 1; i++) {
          b.append((char) line.get(i).intValue());
        }
        return b.toString();
      }
      line.add(c);
      prev = c;
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String pathOnly(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
