package dev.geneva.ray.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.ray.jobs.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Ray dashboard's Jobs REST API (port 8265): version, submit, status, logs, stop,
 * delete, and the package store used for {@code gcs://} runtime-environment packages.
 *
 * <p>Idempotent calls (every GET, the package PUT and stop) are retried with exponential backoff
 * when the connection fails or the dashboard answers 502/503/504; submit and delete are not, so a
 * job is never submitted twice. A bearer token is sent as {@code Authorization: Bearer ...} and
 * never appears in logs, {@link #toString()} or exception messages.
 *
 * <pre>{@code
 * RayJobsClient ray = RayJobsClient.builder().dashboardUrl(URI.create("http://localhost:8265")).build();
 * SubmittedJob job = ray.submit(JobSubmission.builder("echo hello").build());
 * JobDetails done = ray.waitFor(job.submissionId(), Duration.ofMinutes(5));
 * }</pre>
 */
public final class RayJobsClient {
  private static final Logger LOG = LoggerFactory.getLogger(RayJobsClient.class);

  private final URI dashboardUrl;
  private final Supplier<String> bearerToken;
  private final Duration requestTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration pollInterval;
  private final String unreachableHint;
  private final HttpClient http;

  private RayJobsClient(Builder b) {
    String base = b.dashboardUrl.toString();
    this.dashboardUrl =
        URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.bearerToken = b.bearerToken;
    this.requestTimeout = b.requestTimeout;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.pollInterval = b.pollInterval;
    this.unreachableHint = b.unreachableHint;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Starts configuring a client.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The dashboard's base URL (no trailing slash).
   *
   * @return the URL
   */
  public URI dashboardUrl() {
    return dashboardUrl;
  }

  /**
   * How often {@link #waitFor} polls.
   *
   * @return the interval
   */
  public Duration pollInterval() {
    return pollInterval;
  }

  /**
   * {@code GET /api/version}: the Jobs API and Ray versions; also a cheap reachability check.
   *
   * @return the versions
   * @throws RayDashboardException when the dashboard is unreachable or answers an error
   */
  public RayVersion version() {
    JsonNode n = json(call("GET", "/api/version", null, true), "GET /api/version");
    return new RayVersion(
        Json.text(n, "version"), Json.text(n, "ray_version"), Json.text(n, "ray_commit"));
  }

  /**
   * {@code POST /api/jobs/}: submits a job. Not retried (a retry could start the job twice).
   *
   * @param submission the job
   * @return the ids Ray assigned
   * @throws RayDashboardException when the dashboard is unreachable or rejects the job
   */
  public SubmittedJob submit(JobSubmission submission) {
    Objects.requireNonNull(submission, "submission");
    String body = Json.write(submission.toJson());
    JsonNode n =
        json(
            call("POST", "/api/jobs/", body.getBytes(StandardCharsets.UTF_8), false),
            "POST /api/jobs/");
    String submissionId = Json.text(n, "submission_id");
    String jobId = Json.text(n, "job_id");
    if (submissionId == null) {
      submissionId = jobId;
    }
    if (submissionId == null) {
      throw new GenevaException(
          "the Ray dashboard at " + dashboardUrl + " accepted the job but returned no id");
    }
    LOG.info("submitted Ray job {} to {}", submissionId, dashboardUrl);
    return new SubmittedJob(submissionId, jobId);
  }

  /**
   * {@code GET /api/jobs/{id}}: the job's status and details.
   *
   * @param id the submission id (or job id)
   * @return the details
   * @throws RayDashboardException with status 404 when there is no such job
   */
  public JobDetails status(String id) {
    String path = "/api/jobs/" + encode(id);
    return details(json(call("GET", path, null, true), "GET " + path), id);
  }

  /**
   * {@code GET /api/jobs/}: every job the dashboard knows, in the order it lists them.
   *
   * @return the jobs' details
   * @throws RayDashboardException when the dashboard is unreachable or answers an error
   */
  public List<JobDetails> list() {
    JsonNode n = json(call("GET", "/api/jobs/", null, true), "GET /api/jobs/");
    List<JobDetails> jobs = new ArrayList<>();
    for (JsonNode job : n) {
      String id = Json.text(job, "submission_id");
      jobs.add(details(job, id == null ? Json.text(job, "job_id") : id));
    }
    return List.copyOf(jobs);
  }

  private JobDetails details(JsonNode n, String id) {
    String status = Json.text(n, "status");
    JobStatus parsed;
    try {
      parsed = JobStatus.valueOf(String.valueOf(status));
    } catch (IllegalArgumentException e) {
      throw new GenevaException(
          "the Ray dashboard at "
              + dashboardUrl
              + " reported an unknown status '"
              + status
              + "' for job "
              + id,
          e);
    }
    Long exit = Json.longValue(n, "driver_exit_code");
    return new JobDetails(
        Json.text(n, "submission_id"),
        Json.text(n, "job_id"),
        Json.text(n, "type"),
        parsed,
        Json.text(n, "message"),
        Json.text(n, "error_type"),
        Json.longValue(n, "start_time"),
        Json.longValue(n, "end_time"),
        Json.text(n, "entrypoint"),
        Json.stringMap(n, "metadata"),
        Json.objectMap(n, "runtime_env"),
        exit == null ? null : exit.intValue());
  }

  /**
   * {@code GET /api/jobs/{id}/logs}: everything the job's entrypoint printed so far.
   *
   * @param id the submission id
   * @return the logs
   */
  public String logs(String id) {
    String path = "/api/jobs/" + encode(id) + "/logs";
    JsonNode n = json(call("GET", path, null, true), "GET " + path);
    String logs = Json.text(n, "logs");
    return logs == null ? "" : logs;
  }

  /**
   * The last lines of a job's logs.
   *
   * @param id the submission id
   * @param lines how many lines, at least 1
   * @return the lines, oldest first
   */
  public List<String> logTail(String id, int lines) {
    return tail(logs(id), lines);
  }

  /**
   * The last lines of a log text.
   *
   * @param logs the text
   * @param lines how many lines, at least 1
   * @return the lines, oldest first
   */
  public static List<String> tail(String logs, int lines) {
    if (lines < 1) {
      throw new InvalidInputException("tail needs at least 1 line, got " + lines);
    }
    List<String> all = new ArrayList<>(Arrays.asList(logs.split("\\R", -1)));
    while (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
      all.remove(all.size() - 1);
    }
    return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * {@code POST /api/jobs/{id}/stop}: asks Ray to stop the job (retried; stopping twice is
   * harmless).
   *
   * @param id the submission id
   * @return true when Ray stopped it, false when it had already ended
   */
  public boolean stop(String id) {
    String path = "/api/jobs/" + encode(id) + "/stop";
    JsonNode n = json(call("POST", path, new byte[0], true), "POST " + path);
    boolean stopped = n.path("stopped").asBoolean(false);
    LOG.info("stop of Ray job {}: {}", id, stopped ? "stopped" : "had already ended");
    return stopped;
  }

  /**
   * {@code DELETE /api/jobs/{id}}: deletes a finished job's record and logs.
   *
   * @param id the submission id
   * @return true when deleted
   */
  public boolean delete(String id) {
    String path = "/api/jobs/" + encode(id);
    JsonNode n = json(call("DELETE", path, null, false), "DELETE " + path);
    return n.path("deleted").asBoolean(false);
  }

  /**
   * {@code GET /api/packages/{protocol}/{name}}: whether the cluster already holds a package.
   *
   * @param packageUri a package URI such as {@code gcs://_ray_pkg_<hash>.zip}
   * @return true when it exists (200), false when not (404)
   */
  public boolean packageExists(String packageUri) {
    String path = packagePath(packageUri);
    Response r = send("GET", path, null, true, true);
    return r.status == 200;
  }

  /**
   * {@code PUT /api/packages/{protocol}/{name}}: uploads a package (retried; the same URI always
   * names the same bytes).
   *
   * @param packageUri a package URI such as {@code gcs://_ray_pkg_<hash>.zip}
   * @param zip the package's bytes
   */
  public void uploadPackage(String packageUri, byte[] zip) {
    Objects.requireNonNull(zip, "zip");
    call("PUT", packagePath(packageUri), zip, true);
    LOG.info("uploaded package {} ({} bytes) to {}", packageUri, zip.length, dashboardUrl);
  }

  /**
   * Polls a job until it reaches a terminal status.
   *
   * @param id the submission id
   * @param timeout how long to wait
   * @return the final details
   * @throws GenevaException when the job is still running after {@code timeout}
   */
  public JobDetails waitFor(String id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JobDetails d = status(id);
      if (d.status().isTerminal()) {
        return d;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new GenevaException(
            "Ray job "
                + id
                + " is still "
                + d.status()
                + " after "
                + timeout
                + " on "
                + dashboardUrl);
      }
      sleep(pollInterval);
    }
  }

  @Override
  public String toString() {
    return "RayJobsClient{dashboardUrl="
        + dashboardUrl
        + (bearerToken != null ? ", bearerToken=****" : "")
        + "}";
  }

  private static String packagePath(String packageUri) {
    int sep = packageUri == null ? -1 : packageUri.indexOf("://");
    if (sep <= 0 || sep + 3 >= packageUri.length()) {
      throw new InvalidInputException(
          "package URI '" + packageUri + "' must look like gcs://_ray_pkg_<hash>.zip");
    }
    return "/api/packages/"
        + encode(packageUri.substring(0, sep))
        + "/"
        + encode(packageUri.substring(sep + 3));
  }

  private static String encode(String segment) {
    if (segment == null || segment.isBlank()) {
      throw new InvalidInputException("a Ray job id must not be blank");
    }
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode json(String body, String what) {
    return Json.parse(body, "the Ray dashboard's answer to " + what);
  }

  private String call(String method, String path, byte[] body, boolean idempotent) {
    return send(method, path, body, idempotent, false).body;
  }

  private record Response(int status, String body) {}

  private Response send(
      String method, String path, byte[] body, boolean idempotent, boolean notFoundOk) {
    URI uri = URI.create(dashboardUrl + path);
    int attempts = idempotent ? maxAttempts : 1;
    Duration backoff = initialBackoff;
    IOException lastFailure = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      HttpRequest.Builder req =
          HttpRequest.newBuilder(uri)
              .timeout(requestTimeout)
              .header("Accept", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      if (body != null && body.length > 0) {
        req.header(
            "Content-Type",
            path.startsWith("/api/packages/") ? "application/zip" : "application/json");
      }
      if (bearerToken != null) {
        req.header("Authorization", "Bearer " + bearerToken.get());
      }
      try {
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        int status = r.statusCode();
        if (status >= 200 && status < 300 || (notFoundOk && status == 404)) {
          return new Response(status, r.body());
        }
        if (idempotent && attempt < attempts && (status == 502 || status == 503 || status == 504)) {
          LOG.debug("{} {} answered {}; retrying in {}", method, uri, status, backoff);
          sleep(backoff);
          backoff = backoff.multipliedBy(2);
          continue;
        }
        throw new RayDashboardException(
            "the Ray dashboard at "
                + dashboardUrl
                + " answered "
                + method
                + " "
                + path
                + " with HTTP "
                + status
                + (status == 401 || status == 403
                    ? " (check the bearer token and the dashboard's authentication)"
                    : "")
                + ": "
                + Json.excerpt(r.body()),
            dashboardUrl,
            status,
            Json.excerpt(r.body()),
            null);
      } catch (IOException e) {
        lastFailure = e;
        if (attempt < attempts) {
          LOG.debug("{} {} failed ({}); retrying in {}", method, uri, e.toString(), backoff);
          sleep(backoff);
          backoff = backoff.multipliedBy(2);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GenevaException("interrupted during " + method + " " + uri, e);
      }
    }
    throw new RayDashboardException(
        "cannot reach the Ray dashboard at "
            + dashboardUrl
            + " ("
            + method
            + " "
            + path
            + ", "
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + "): "
            + lastFailure
            + (unreachableHint == null ? "" : ". " + unreachableHint),
        dashboardUrl,
        RayDashboardException.UNREACHABLE,
        "",
        lastFailure);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GenevaException("interrupted while talking to the Ray dashboard", e);
    }
  }

  /** Configures a {@link RayJobsClient}. */
  public static final class Builder {
    private URI dashboardUrl;
    private Supplier<String> bearerToken;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(250);
    private Duration pollInterval = Duration.ofSeconds(2);
    private String unreachableHint;

    private Builder() {}

    /**
     * The dashboard's URL, such as {@code http://localhost:8265} through a port-forward.
     *
     * @param url an http or https URL
     * @return this builder
     */
    public Builder dashboardUrl(URI url) {
      if (url == null
          || url.getHost() == null
          || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
        throw new InvalidInputException(
            "the Ray dashboard URL must be http(s)://host:port, e.g. http://localhost:8265; got "
                + url);
      }
      this.dashboardUrl = url;
      return this;
    }

    /**
     * A bearer token for a dashboard behind an authenticating proxy; never logged.
     *
     * @param token the token, or null for none
     * @return this builder
     */
    public Builder bearerToken(String token) {
      this.bearerToken = token == null ? null : () -> token;
      return this;
    }

    /**
     * A bearer token read before every request (for tokens that rotate); never logged.
     *
     * @param token the supplier, or null for none
     * @return this builder
     */
    public Builder bearerToken(Supplier<String> token) {
      this.bearerToken = token;
      return this;
    }

    /**
     * Sets the connect and per-request timeouts (defaults 10 s and 60 s).
     *
     * @param connect the connect timeout
     * @param request the timeout of one request, including an upload
     * @return this builder
     */
    public Builder timeouts(Duration connect, Duration request) {
      this.connectTimeout = positive("connect timeout", connect);
      this.requestTimeout = positive("request timeout", request);
      return this;
    }

    /**
     * Sets how often idempotent calls are tried (default 4) and the first backoff (default 250 ms,
     * doubling).
     *
     * @param maxAttempts at least 1
     * @param initialBackoff the first wait
     * @return this builder
     */
    public Builder retries(int maxAttempts, Duration initialBackoff) {
      if (maxAttempts < 1) {
        throw new InvalidInputException("maxAttempts must be at least 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      this.initialBackoff = positive("initial backoff", initialBackoff);
      return this;
    }

    /**
     * Sets how often {@link RayJobsClient#waitFor} and running backfills poll (default 2 s).
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive("poll interval", interval);
      return this;
    }

    /**
     * A sentence added to "cannot reach the dashboard" errors, such as which port-forward and head
     * pod serve the URL.
     *
     * @param hint the hint, or null
     * @return this builder
     */
    public Builder unreachableHint(String hint) {
      this.unreachableHint = hint;
      return this;
    }

    private static Duration positive(String what, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new InvalidInputException(what + " must be positive, got " + d);
      }
      return d;
    }

    /**
     * Builds the client.
     *
     * @return the client
     */
    public RayJobsClient build() {
      if (dashboardUrl == null) {
        throw new InvalidInputException(
            "RayJobsClient needs dashboardUrl(...), e.g. http://localhost:8265");
      }
      return new RayJobsClient(this);
    }
  }
}
