package dev.geneva.ray.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A Ray dashboard's Jobs REST API on a JDK HTTP server, with Ray 2.39's JSON shapes (and extra
 * fields a newer Ray would add, to check they are tolerated). Its job runner is pluggable: tests
 * run the submitted entrypoint's driver in-process on embedded Ray.
 */
public final class FakeRayDashboard implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();

  /** What a job runner gets: the submission and a sink for the job's logs. */
  public record JobRun(
      String submissionId, JsonNode request, PrintStream logs, FakeRayDashboard dashboard) {}

  /** A job: status, message, logs and its thread. */
  public static final class Job {
    public final String id;
    public final JsonNode request;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final PrintStream logs =
        new PrintStream(new TeeToStderr(logBytes), true, StandardCharsets.UTF_8);
    public volatile String status = "PENDING";
    public volatile String message = "Job has not started yet.";
    volatile Long endTime;
    volatile Integer exitCode;
    volatile Thread thread;
    final long startTime = System.currentTimeMillis();

    Job(String id, JsonNode request) {
      this.id = id;
      this.request = request;
    }

    public String logText() {
      synchronized (logBytes) {
        return logBytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /** Job logs also go to the test's output, so a failing run can be read in surefire reports. */
  private static final class TeeToStderr extends OutputStream {
    private final ByteArrayOutputStream bytes;

    TeeToStderr(ByteArrayOutputStream bytes) {
      this.bytes = bytes;
    }

    @Override
    public void write(int b) {
      synchronized (bytes) {
        bytes.write(b);
      }
      System.err.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (bytes) {
        bytes.write(b, off, len);
      }
      System.err.write(b, off, len);
    }
  }

  public final HttpServer server;
  public final Map<String, Job> jobs = new ConcurrentHashMap<>();
  public final Map<String, byte[]> packages = new ConcurrentHashMap<>();
  public final List<String> requests = new CopyOnWriteArrayList<>();
  public final List<String> authorizations = new CopyOnWriteArrayList<>();
  public final AtomicInteger uploads = new AtomicInteger();
  public final Set<String> stopRequests = ConcurrentHashMap.newKeySet();

  /** Requests (method + path) whose connection is dropped without an answer, once each. */
  public final Map<String, AtomicInteger> dropNext = new ConcurrentHashMap<>();

  public volatile Function<JobRun, Integer> runner = run -> 0;

  /** A scripted answer that replaces the real one. */
  public enum Fault {
    /** HTTP 500 with a JSON error body. */
    HTTP_500,
    /** HTTP 429 with {@code Retry-After: 1}. */
    HTTP_429,
    /** HTTP 403 with a plain-text body. */
    HTTP_403,
    /** HTTP 200 whose body is {@code {not json}. */
    MALFORMED_JSON,
    /** HTTP 502 with a proxy's HTML error page. */
    HTML_502,
    /** The connection closes without an answer. */
    RESET,
    /** The answer comes after {@link Script#delayMillis()} (then as usual). */
    DELAY
  }

  /**
   * One scripted fault: requests whose method matches and whose raw path matches {@code path} get
   * {@code fault} while {@code remaining} is positive and the deadline (if any) has not passed.
   */
  public record Script(
      String method,
      Pattern path,
      Fault fault,
      AtomicInteger remaining,
      long untilNanos,
      long delayMillis) {
    boolean take(String m, String p) {
      if (!method.equals(m) || !path.matcher(p).matches()) {
        return false;
      }
      if (untilNanos != 0 && System.nanoTime() - untilNanos > 0) {
        return false;
      }
      return remaining.getAndDecrement() > 0;
    }
  }

  /** Scripted faults, first match wins. */
  public final List<Script> scripts = new CopyOnWriteArrayList<>();

  /** Every fault answered, as "FAULT METHOD path". */
  public final List<String> faultsAnswered = new CopyOnWriteArrayList<>();

  /**
   * Answers the next {@code times} matching requests with a fault.
   *
   * @param method e.g. GET
   * @param pathRegex a regular expression the raw path must match, e.g. {@code /api/jobs/[^/]+}
   * @param fault the fault
   * @param times how many requests
   * @return this
   */
  public FakeRayDashboard fault(String method, String pathRegex, Fault fault, int times) {
    scripts.add(
        new Script(method, Pattern.compile(pathRegex), fault, new AtomicInteger(times), 0, 0));
    return this;
  }

  /**
   * Answers every matching request with a fault for a while (from now).
   *
   * @param method e.g. GET
   * @param pathRegex a regular expression the raw path must match
   * @param fault the fault
   * @param duration how long
   * @return this
   */
  public FakeRayDashboard faultFor(
      String method, String pathRegex, Fault fault, java.time.Duration duration) {
    long until = System.nanoTime() + Math.max(1, duration.toNanos());
    scripts.add(
        new Script(
            method,
            Pattern.compile(pathRegex),
            fault,
            new AtomicInteger(Integer.MAX_VALUE),
            until,
            0));
    return this;
  }

  /**
   * Delays the next {@code times} matching answers.
   *
   * @param method e.g. GET
   * @param pathRegex a regular expression the raw path must match
   * @param delay how long each answer waits
   * @param times how many requests
   * @return this
   */
  public FakeRayDashboard delay(
      String method, String pathRegex, java.time.Duration delay, int times) {
    scripts.add(
        new Script(
            method,
            Pattern.compile(pathRegex),
            Fault.DELAY,
            new AtomicInteger(times),
            0,
            delay.toMillis()));
    return this;
  }

  /** Drops every scripted fault: from now on the dashboard answers as usual. */
  public void clearFaults() {
    scripts.clear();
  }

  /** The job ids the dashboard knows, in no order. */
  public List<String> jobIds() {
    return List.copyOf(jobs.keySet());
  }

  /**
   * Starts it on a free loopback port.
   *
   * @throws IOException when no port can be bound
   */
  public FakeRayDashboard() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  /**
   * Where it listens.
   *
   * @return the base URL
   */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The names of the jars in a stored package. */
  public List<String> packageEntries(String uri) throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(packages.get(uri)))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        names.add(e.getName());
      }
    }
    return names;
  }

  /** Whether a class file is inside one of the jars of a stored package. */
  public boolean packageHasClass(String uri, String className) throws IOException {
    String entry = className.replace('.', '/') + ".class";
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(packages.get(uri)))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        ZipInputStream jar = new ZipInputStream(new ByteArrayInputStream(zip.readAllBytes()));
        for (ZipEntry j; (j = jar.getNextEntry()) != null; ) {
          if (j.getName().equals(entry)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    String key = method + " " + path;
    requests.add(key);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      authorizations.add(auth);
    }
    byte[] body = ex.getRequestBody().readAllBytes();
    AtomicInteger drops = dropNext.get(key);
    if (drops != null && drops.getAndDecrement() > 0) {
      ex.close(); // the connection drops without a response
      return;
    }
    for (Script script : scripts) {
      if (script.take(method, path)) {
        faultsAnswered.add(script.fault() + " " + key);
        if (answerFault(ex, script)) {
          return;
        }
        break;
      }
    }
    try {
      route(ex, method, path, body);
    } catch (RuntimeException e) {
      send(ex, 500, "{\"error\":\"" + e + "\"}");
    }
  }

  /** Answers a fault; false when the request should then be answered as usual (a delay). */
  private static boolean answerFault(HttpExchange ex, Script script) throws IOException {
    switch (script.fault()) {
      case HTTP_500 -> send(ex, 500, "{\"error\":\"Internal Server Error\"}");
      case HTTP_429 -> {
        ex.getResponseHeaders().set("Retry-After", "1");
        send(ex, 429, "Too Many Requests");
      }
      case HTTP_403 -> send(ex, 403, "Forbidden: the proxy wants a token");
      case MALFORMED_JSON -> send(ex, 200, "{not json");
      case HTML_502 -> {
        byte[] page =
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html");
        ex.sendResponseHeaders(502, page.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(page);
        }
        ex.close();
      }
      case RESET -> ex.close();
      case DELAY -> {
        try {
          Thread.sleep(script.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          ex.close();
          return true;
        }
        return false;
      }
    }
    return true;
  }

  private void route(HttpExchange ex, String method, String path, byte[] body) throws IOException {
    if (method.equals("GET") && path.equals("/api/version")) {
      send(
          ex,
          200,
          "{\"version\":\"3\",\"ray_version\":\"2.39.0\",\"ray_commit\":\"abc123\","
              + "\"session_name\":\"session_x\",\"future_field\":{\"a\":1}}");
      return;
    }
    if (path.startsWith("/api/packages/")) {
      String[] parts = path.substring("/api/packages/".length()).split("/", 2);
      String uri = decode(parts[0]) + "://" + decode(parts[1]);
      if (method.equals("GET")) {
        send(
            ex,
            packages.containsKey(uri) ? 200 : 404,
            packages.containsKey(uri) ? "" : "Package not found");
      } else if (method.equals("PUT")) {
        packages.put(uri, body);
        uploads.incrementAndGet();
        send(ex, 200, "");
      }
      return;
    }
    if (method.equals("GET") && path.equals("/api/jobs/")) {
      StringBuilder list = new StringBuilder("[");
      for (Job job : jobs.values()) {
        list.append(list.length() > 1 ? "," : "").append(details(job));
      }
      send(ex, 200, list.append(']').toString());
      return;
    }
    if (method.equals("POST") && path.equals("/api/jobs/")) {
      JsonNode req = JSON.readTree(body);
      String id =
          req.hasNonNull("submission_id")
              ? req.get("submission_id").asText()
              : "raysubmit_" + jobs.size();
      if (jobs.containsKey(id)) {
        send(ex, 400, "Job with submission_id " + id + " already exists.");
        return;
      }
      Job job = new Job(id, req);
      jobs.put(id, job);
      job.thread = new Thread(() -> runJob(job), "fake-ray-job-" + id);
      job.thread.setDaemon(true);
      job.thread.start();
      send(ex, 200, "{\"job_id\":\"" + id + "\",\"submission_id\":\"" + id + "\"}");
      return;
    }
    if (path.startsWith("/api/jobs/")) {
      String rest = path.substring("/api/jobs/".length());
      String id = decode(rest.split("/")[0]);
      Job job = jobs.get(id);
      if (job == null) {
        send(ex, 404, "Job " + id + " does not exist");
        return;
      }
      if (method.equals("GET") && rest.endsWith("/logs")) {
        ObjectNode o = JSON.createObjectNode();
        o.put("logs", job.logText());
        send(ex, 200, JSON.writeValueAsString(o));
      } else if (method.equals("POST") && rest.endsWith("/stop")) {
        stopRequests.add(id);
        boolean running = !isTerminal(job.status);
        if (running) {
          job.thread.interrupt();
        }
        send(ex, 200, "{\"stopped\":" + running + "}");
      } else if (method.equals("DELETE")) {
        jobs.remove(id);
        send(ex, 200, "{\"deleted\":true}");
      } else if (method.equals("GET")) {
        send(ex, 200, details(job));
      } else {
        send(ex, 405, "");
      }
      return;
    }
    send(ex, 404, "not found");
  }

  private String details(Job job) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", "SUBMISSION");
    o.putNull("job_id");
    o.put("submission_id", job.id);
    o.putNull("driver_info");
    o.put("status", job.status);
    o.put("entrypoint", job.request.path("entrypoint").asText());
    o.put("message", job.message);
    o.putNull("error_type");
    o.put("start_time", job.startTime);
    if (job.endTime == null) {
      o.putNull("end_time");
    } else {
      o.put("end_time", job.endTime);
    }
    o.set("metadata", job.request.path("metadata"));
    o.set("runtime_env", job.request.path("runtime_env"));
    o.put("driver_agent_http_address", "http://127.0.0.1:52365");
    o.put("driver_node_id", "node-1");
    if (job.exitCode == null) {
      o.putNull("driver_exit_code");
    } else {
      o.put("driver_exit_code", job.exitCode);
    }
    o.put("field_from_the_future", true);
    return JSON.writeValueAsString(o);
  }

  private void runJob(Job job) {
    job.status = "RUNNING";
    job.message = "Job is currently running.";
    int code;
    try {
      code = runner.apply(new JobRun(job.id, job.request, job.logs, this));
    } catch (RuntimeException e) {
      e.printStackTrace(job.logs);
      code = 1;
    }
    job.exitCode = code;
    job.endTime = System.currentTimeMillis();
    if (stopRequests.contains(job.id)) {
      job.status = "STOPPED";
      job.message = "Job was intentionally stopped.";
    } else if (code == 0) {
      job.status = "SUCCEEDED";
      job.message = "Job finished successfully.";
    } else {
      job.status = "FAILED";
      job.message =
          "Job entrypoint command failed with exit code "
              + code
              + ", last available logs (truncated to 20,000 chars):\n"
              + tail(job.logText());
    }
  }

  private static String tail(String logs) {
    return logs.length() <= 20_000 ? logs : logs.substring(logs.length() - 20_000);
  }

  static boolean isTerminal(String status) {
    return status.equals("STOPPED") || status.equals("SUCCEEDED") || status.equals("FAILED");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
