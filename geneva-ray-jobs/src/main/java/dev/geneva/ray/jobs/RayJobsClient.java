package dev.geneva.ray.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Ray dashboard's Jobs REST API (port 8265): version, submit, status, logs, stop,
 * delete, and the package store used for {@code gcs://} runtime-environment packages.
 *
 * <p>Idempotent calls (every GET, the package PUT and stop) are retried with exponential backoff
 * when the connection fails or the dashboard answers 408, 429 (waiting at least its {@code
 * Retry-After}) or any 5xx; submit and delete are not, so a job is never submitted twice. When a
 * request gets no answer at all, the {@link Builder#reconnect reconnect} hook (if any) is asked for
 * the URL to use from then on, e.g. after re-opening a port-forward. A bearer token is sent as
 * {@code Authorization: Bearer ...} and never appears in logs, {@link #toString()} or exception
 * messages.
 *
 * <pre>{@code
 * RayJobsClient ray = RayJobsClient.builder().dashboardUrl(URI.create("http://localhost:8265")).build();
 * SubmittedJob job = ray.submit(JobSubmission.builder("echo hello").build());
 * JobDetails done = ray.waitFor(job.submissionId(), Duration.ofMinutes(5));
 * }</pre>
 */
public final class RayJobsClient {
  private static final Logger LOG = LoggerFactory.getLogger(RayJobsClient.class);

  /** The longest wait a {@code Retry-After} header can impose on one retry. */
  private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);

  private final AtomicReference<URI> dashboardUrl;
  private final UnaryOperator<URI> reconnect;
  private final Supplier<String> bearerToken;
  private final Duration requestTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration pollInterval;
  private final Duration contactTimeout;
  private final Supplier<String> unreachableHint;
  private final HttpClient http;

  private RayJobsClient(Builder b) {
    this.dashboardUrl = new AtomicReference<>(trimSlash(b.dashboardUrl));
    this.reconnect = b.reconnect;
    this.bearerToken = b.bearerToken;
    this.requestTimeout = b.requestTimeout;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.pollInterval = b.pollInterval;
    this.contactTimeout = b.contactTimeout;
    this.unreachableHint = b.unreachableHint;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A view sharing the URL, hook and HTTP client, with other attempts and request timeout. */
  private RayJobsClient(RayJobsClient of, int maxAttempts, Duration requestTimeout) {
    this.dashboardUrl = of.dashboardUrl;
    this.reconnect = of.reconnect;
    this.bearerToken = of.bearerToken;
    this.requestTimeout = requestTimeout;
    this.maxAttempts = maxAttempts;
    this.initialBackoff = of.initialBackoff;
    this.pollInterval = of.pollInterval;
    this.contactTimeout = of.contactTimeout;
    this.unreachableHint = of.unreachableHint;
    this.http = of.http;
  }

  private static URI trimSlash(URI url) {
    String base = url.toString();
    return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
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
   * The dashboard's base URL (no trailing slash): the one built with, or the last one the {@link
   * Builder#reconnect reconnect} hook returned.
   *
   * @return the URL
   */
  public URI dashboardUrl() {
    return dashboardUrl.get();
  }

  /**
   * How long a poller of a running job ({@link #waitFor}, a remote backfill) keeps trying while the
   * dashboard cannot be reached or answers transient errors, counted from the last successful poll.
   *
   * @return the time budget
   */
  public Duration contactTimeout() {
    return contactTimeout;
  }

  /**
   * A view of this client (same URL, reconnect hook, token and connections) that tries every call
   * once, waiting at most {@code timeout} for an answer: for callers that keep their own retry
   * budget, such as a job poller.
   *
   * @param timeout the longest wait for one answer
   * @return the view
   */
  public RayJobsClient singleAttempt(Duration timeout) {
    Builder.positive("timeout", timeout);
    return new RayJobsClient(
        this, 1, timeout.compareTo(requestTimeout) < 0 ? timeout : requestTimeout);
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
    JsonNode n = json(send("GET", "/api/version", null, true, false), "GET /api/version");
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
            send("POST", "/api/jobs/", body.getBytes(StandardCharsets.UTF_8), false, false),
            "POST /api/jobs/");
    String submissionId = Json.text(n, "submission_id");
    String jobId = Json.text(n, "job_id");
    if (submissionId == null) {
      submissionId = jobId;
    }
    if (submissionId == null) {
      throw new GenevaException(
          "the Ray dashboard at " + dashboardUrl() + " accepted the job but returned no id");
    }
    LOG.info("submitted Ray job {} to {}", submissionId, dashboardUrl());
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
    Response r = send("GET", path, null, true, false);
    JsonNode n = json(r, "GET " + path);
    if (Json.text(n, "status") == null) {
      throw malformed(r, "GET " + path, "no job status in it", null);
    }
    return details(n, id);
  }

  /**
   * {@code GET /api/jobs/}: every job the dashboard knows, in the order it lists them.
   *
   * @return the jobs' details
   * @throws RayDashboardException when the dashboard is unreachable or answers an error
   */
  public List<JobDetails> list() {
    JsonNode n = json(send("GET", "/api/jobs/", null, true, false), "GET /api/jobs/");
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
              + dashboardUrl()
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
    JsonNode n = json(send("GET", path, null, true, false), "GET " + path);
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
    JsonNode n = json(send("POST", path, new byte[0], true, false), "POST " + path);
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
    JsonNode n = json(send("DELETE", path, null, false, false), "DELETE " + path);
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
    send("PUT", packagePath(packageUri), zip, true, false);
    LOG.info("uploaded package {} ({} bytes) to {}", packageUri, zip.length, dashboardUrl());
  }

  /**
   * Polls a job until it reaches a terminal status. Transient failures ({@link
   * RayDashboardException#isTransient()}) are retried until {@link #contactTimeout()} has passed
   * since the last successful poll.
   *
   * @param id the submission id
   * @param timeout how long to wait
   * @return the final details
   * @throws GenevaException when the job is still running after {@code timeout}
   * @throws RayDashboardException when the dashboard answers a non-transient error, or none for
   *     longer than {@link #contactTimeout()}
   */
  public JobDetails waitFor(String id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastContact = System.nanoTime();
    while (true) {
      JobDetails d;
      try {
        d = status(id);
        lastContact = System.nanoTime();
      } catch (RayDashboardException e) {
        if (!e.isTransient() || System.nanoTime() - lastContact >= contactTimeout.toNanos()) {
          throw e;
        }
        LOG.debug("polling Ray job {} failed, retrying: {}", id, e.getMessage());
        sleep(pollInterval);
        continue;
      }
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
                + dashboardUrl());
      }
      sleep(pollInterval);
    }
  }

  @Override
  public String toString() {
    return "RayJobsClient{dashboardUrl="
        + dashboardUrl()
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

  private JsonNode json(Response r, String what) {
    try {
      JsonNode n = Json.MAPPER.readTree(r.body);
      if (n == null || n.isMissingNode()) {
        throw malformed(r, what, "the body is empty", null);
      }
      return n;
    } catch (JsonProcessingException e) {
      throw malformed(r, what, e.getOriginalMessage(), e);
    }
  }

  /** A 2xx answer whose body is not what the Jobs API sends: transient (a proxy, a truncation). */
  private RayDashboardException malformed(Response r, String what, String why, Throwable cause) {
    URI url = r.url;
    return new RayDashboardException(
        "the Ray dashboard at "
            + url
            + " answered "
            + what
            + " with HTTP "
            + r.status
            + " but not the JSON expected ("
            + why
            + "): "
            + Json.excerpt(r.body),
        url,
        r.status,
        Json.excerpt(r.body),
        cause);
  }

  private record Response(int status, String body, URI url) {}

  private Response send(
      String method, String path, byte[] body, boolean idempotent, boolean notFoundOk) {
    int attempts = idempotent ? maxAttempts : 1;
    Duration backoff = initialBackoff;
    IOException lastFailure = null;
    URI base = dashboardUrl();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      base = dashboardUrl();
      URI uri = URI.create(base + path);
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
          return new Response(status, r.body(), base);
        }
        if (idempotent && attempt < attempts && RayDashboardException.transientStatus(status)) {
          Duration current = backoff;
          Duration wait = retryAfter(r).filter(ra -> ra.compareTo(current) > 0).orElse(current);
          LOG.debug("{} {} answered {}; retrying in {}", method, uri, status, wait);
          sleep(wait);
          backoff = backoff.multipliedBy(2);
          continue;
        }
        throw new RayDashboardException(
            "the Ray dashboard at "
                + base
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
            base,
            status,
            Json.excerpt(r.body()),
            null);
      } catch (IOException e) {
        lastFailure = e;
        reconnect(base, e);
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
    String hint = unreachableHint == null ? null : unreachableHint.get();
    throw new RayDashboardException(
        "cannot reach the Ray dashboard at "
            + base
            + " ("
            + method
            + " "
            + path
            + ", "
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + "): "
            + lastFailure
            + (hint == null ? "" : ". " + hint),
        base,
        RayDashboardException.UNREACHABLE,
        "",
        lastFailure);
  }

  /** No answer from {@code failed}: asks the hook for the URL to use next (once per failure). */
  private void reconnect(URI failed, IOException cause) {
    if (reconnect == null) {
      return;
    }
    try {
      URI next = reconnect.apply(failed);
      if (next != null && !next.equals(failed)) {
        URI trimmed = trimSlash(next);
        if (dashboardUrl.compareAndSet(failed, trimmed)) {
          LOG.info(
              "the Ray dashboard at {} did not answer ({}); using {} from now on",
              failed,
              cause.toString(),
              trimmed);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("could not reconnect to the Ray dashboard after {}: {}", cause, e.getMessage());
    }
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> r) {
    Optional<String> h = r.headers().firstValue("Retry-After");
    if (h.isEmpty()) {
      return Optional.empty();
    }
    try {
      long seconds = Long.parseLong(h.get().trim());
      Duration d = Duration.ofSeconds(Math.max(0, seconds));
      return Optional.of(d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
    } catch (NumberFormatException e) {
      return Optional.empty(); // an HTTP date: the backoff stands
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GenevaException("interrupted while talking to the Ray dashboard", e);
    }
  }

  /** The default of {@link Builder#contactTimeout(Duration)}: one minute. */
  public static final Duration DEFAULT_CONTACT_TIMEOUT = Duration.ofMinutes(1);

  /** Configures a {@link RayJobsClient}. */
  public static final class Builder {
    private URI dashboardUrl;
    private Supplier<String> bearerToken;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(250);
    private Duration pollInterval = Duration.ofSeconds(2);
    private Duration contactTimeout = DEFAULT_CONTACT_TIMEOUT;
    private Supplier<String> unreachableHint;
    private UnaryOperator<URI> reconnect;

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
     * How long a poller of a running job ({@link RayJobsClient#waitFor}, a remote backfill) keeps
     * trying while the dashboard is unreachable or answers transient errors (408, 429, 5xx, a body
     * that is not the expected JSON), counted from the last successful poll (default 1 minute).
     * Independent of the poll interval.
     *
     * @param timeout the time budget
     * @return this builder
     */
    public Builder contactTimeout(Duration timeout) {
      this.contactTimeout = positive("contact timeout", timeout);
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
      this.unreachableHint = hint == null ? null : () -> hint;
      return this;
    }

    /**
     * A sentence added to "cannot reach the dashboard" errors, read when such an error is made (for
     * hints that name something that may change, such as the head pod).
     *
     * @param hint the supplier, or null
     * @return this builder
     */
    public Builder unreachableHint(Supplier<String> hint) {
      this.unreachableHint = hint;
      return this;
    }

    /**
     * Called when a request to the dashboard gets no HTTP answer at all (connection refused, reset,
     * closed or timed out), with the base URL that failed; returns the base URL to use from then on
     * (the same one when nothing changed), e.g. after re-opening a port-forward whose local port
     * changed. Runs on the thread of the failed request; an exception it throws is logged and the
     * URL stays.
     *
     * @param hook the hook, or null for none
     * @return this builder
     */
    public Builder reconnect(UnaryOperator<URI> hook) {
      this.reconnect = hook;
      return this;
    }

    static Duration positive(String what, Duration d) {
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
