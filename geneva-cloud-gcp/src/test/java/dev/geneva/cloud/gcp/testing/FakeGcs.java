package dev.geneva.cloud.gcp.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A JDK {@link HttpServer} fake of the Cloud Storage JSON API calls google-cloud-storage makes for
 * create (multipart upload), read ({@code alt=media}) and delete, with per-bucket permission modes.
 * Buckets not added with {@link #bucket(String, Mode)} answer 404. It records every request and its
 * {@code Authorization} header but accepts any token. Point a client at {@link #host()}.
 */
public final class FakeGcs implements AutoCloseable {
  /** What a bucket allows; a denied call answers 403 naming the missing permission. */
  public enum Mode {
    /** Create, read and delete objects. */
    ALLOW_ALL,
    /** 403 on create ({@code storage.objects.create}). */
    DENY_WRITE,
    /** 403 on read ({@code storage.objects.get}). */
    DENY_READ,
    /** 403 on delete ({@code storage.objects.delete}). */
    DENY_DELETE
  }

  private static final Pattern UPLOAD = Pattern.compile("/upload/storage/v1/b/([^/]+)/o");
  private static final Pattern OBJECT =
      Pattern.compile("(?:/download)?/storage/v1/b/([^/]+)/o/(.+)");
  private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"");

  private final HttpServer server;
  private final Map<String, Mode> buckets = new ConcurrentHashMap<>();

  /** "bucket/object" to content. */
  private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

  /** "METHOD path?query" of every request. */
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  /**
   * Starts the fake on a free port of 127.0.0.1, with no buckets.
   *
   * @throws IOException when it cannot listen
   */
  public FakeGcs() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * The endpoint, for {@code GcsWriteCheck.Builder.host} or {@code geneva doctor --gcs-endpoint}.
   *
   * @return e.g. {@code http://127.0.0.1:40123}
   */
  public String host() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Creates (or changes) a bucket.
   *
   * @param name the bucket name
   * @param mode what it allows
   * @return this fake
   */
  public FakeGcs bucket(String name, Mode mode) {
    buckets.put(name, mode);
    return this;
  }

  /**
   * The objects stored now.
   *
   * @return "bucket/object" to content, live
   */
  public Map<String, byte[]> objects() {
    return objects;
  }

  /**
   * Every request received, in order.
   *
   * @return "METHOD path?query" (raw, percent-encoded path), live
   */
  public List<String> requests() {
    return requests;
  }

  /**
   * The {@code Authorization} header of every request, in order ({@code "null"} when absent).
   *
   * @return e.g. {@code Bearer ya29...}, live
   */
  public List<String> authorizations() {
    return authorizations;
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    String query = ex.getRequestURI().getRawQuery();
    requests.add(method + " " + path + (query == null ? "" : "?" + query));
    authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    byte[] body = ex.getRequestBody().readAllBytes();
    if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        body = in.readAllBytes();
      }
    }
    Matcher upload = UPLOAD.matcher(path);
    Matcher object = OBJECT.matcher(path);
    if ("POST".equals(method) && upload.matches()) {
      String bucket = decode(upload.group(1));
      if (denied(ex, bucket, Mode.DENY_WRITE, "storage.objects.create")) {
        return;
      }
      String contentType = ex.getRequestHeaders().getFirst("Content-Type");
      String[] parts = multipart(body, contentType);
      Matcher name = NAME.matcher(parts[0]);
      if (!name.find()) {
        error(ex, 400, "no object name in metadata", "invalid");
        return;
      }
      byte[] content = parts[1].getBytes(StandardCharsets.ISO_8859_1);
      objects.put(bucket + "/" + name.group(1), content);
      json(ex, 200, resource(bucket, name.group(1), content.length));
      return;
    }
    if (object.matches()) {
      String bucket = decode(object.group(1));
      String name = decode(object.group(2));
      String key = bucket + "/" + name;
      if ("GET".equals(method)) {
        if (denied(ex, bucket, Mode.DENY_READ, "storage.objects.get")) {
          return;
        }
        byte[] content = objects.get(key);
        if (content == null) {
          error(ex, 404, "No such object: " + key, "notFound");
          return;
        }
        if (query != null && query.contains("alt=media")) {
          ex.getResponseHeaders().set("Content-Type", "text/plain");
          ex.sendResponseHeaders(200, content.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(content);
          }
        } else {
          json(ex, 200, resource(bucket, name, content.length));
        }
        return;
      }
      if ("DELETE".equals(method)) {
        if (denied(ex, bucket, Mode.DENY_DELETE, "storage.objects.delete")) {
          return;
        }
        if (objects.remove(key) == null) {
          error(ex, 404, "No such object: " + key, "notFound");
          return;
        }
        ex.sendResponseHeaders(204, -1);
        ex.close();
        return;
      }
    }
    error(ex, 400, "unsupported call " + method + " " + path, "invalid");
  }

  private boolean denied(HttpExchange ex, String bucket, Mode denying, String permission)
      throws IOException {
    Mode mode = buckets.get(bucket);
    if (mode == null) {
      error(ex, 404, "The specified bucket does not exist.", "notFound");
      return true;
    }
    if (mode == denying) {
      error(
          ex,
          403,
          FakeGoogle.SA_EMAIL
              + " does not have "
              + permission
              + " access to the Google Cloud Storage object. Permission '"
              + permission
              + "' denied on resource (or it may not exist).",
          "forbidden");
      return true;
    }
    return false;
  }

  /** Splits a multipart/related body into its metadata and media parts. */
  private static String[] multipart(byte[] body, String contentType) {
    Matcher m = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
    if (!m.find()) {
      throw new IllegalArgumentException("no boundary in " + contentType);
    }
    String delimiter = "--" + m.group(1);
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String[] raw = text.split(Pattern.quote(delimiter));
    String[] out = new String[2];
    int i = 0;
    for (String part : raw) {
      if (part.isBlank() || part.startsWith("--")) {
        continue;
      }
      int headerEnd = part.indexOf("\r\n\r\n");
      String content = part.substring(headerEnd + 4);
      if (content.endsWith("\r\n")) {
        content = content.substring(0, content.length() - 2);
      }
      out[i++] = content;
      if (i == 2) {
        break;
      }
    }
    return out;
  }

  private static String resource(String bucket, String name, int size) {
    return "{\"kind\":\"storage#object\",\"id\":\""
        + bucket
        + "/"
        + name
        + "/1\",\"name\":\""
        + name
        + "\",\"bucket\":\""
        + bucket
        + "\",\"generation\":\"1\",\"metageneration\":\"1\",\"contentType\":\"text/plain\","
        + "\"size\":\""
        + size
        + "\"}";
  }

  private static void error(HttpExchange ex, int code, String message, String reason)
      throws IOException {
    json(
        ex,
        code,
        "{\"error\":{\"code\":"
            + code
            + ",\"message\":\""
            + message
            + "\",\"errors\":[{\"message\":\""
            + message
            + "\",\"domain\":\"global\",\"reason\":\""
            + reason
            + "\"}]}}");
  }

  private static void json(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.stop(0);
  }
}
