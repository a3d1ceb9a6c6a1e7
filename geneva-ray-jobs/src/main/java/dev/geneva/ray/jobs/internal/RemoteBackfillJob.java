package dev.geneva.ray.jobs.internal;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.RefreshResult;
import dev.geneva.ray.jobs.JobDetails;
import dev.geneva.ray.jobs.JobStatus;
import dev.geneva.ray.jobs.RayDashboardException;
import dev.geneva.ray.jobs.RayJobContactLostException;
import dev.geneva.ray.jobs.RayJobFailedException;
import dev.geneva.ray.jobs.RayJobsClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backfill running as a Ray job: polls the job's status and logs, reports the driver's progress
 * lines, completes with its result line, and stops the job on {@link #cancel()}.
 *
 * <p>Polls that fail transiently ({@link RayDashboardException#isTransient()}: no answer, 408, 429,
 * 5xx, a body that is not the expected JSON) are retried with backoff until the contact timeout has
 * passed since the last successful poll; then the future fails with a {@link
 * RayJobContactLostException}, and {@link #cancel()} still sends the stop (the job may be running).
 * A 404 means the dashboard no longer knows the job (its head was restarted, which ends its jobs):
 * the future fails at once. Any other 4xx fails it at once with the dashboard's message.
 */
public final class RemoteBackfillJob implements BackfillJob {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteBackfillJob.class);

  /** Log lines carried by a failure. */
  public static final int TAIL_LINES = 40;

  /** The longest wait between two polls while they fail. */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** The shortest request timeout of a poll, even when the contact budget is nearly spent. */
  private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofSeconds(1);

  private final RayJobsClient client;
  private final String submissionId;
  private final String column;
  private final BackfillListener listener;
  private final Duration pollInterval;
  private final Duration contactTimeout;
  private volatile boolean contactLost;
  private final long startNanos = System.nanoTime();
  private final CompletableFuture<BackfillResult> future = new CompletableFuture<>();
  private final CompletableFuture<RefreshResult> refreshed; // null for a backfill
  private final AtomicBoolean cancelRequested = new AtomicBoolean();
  private volatile BackfillProgress progress;

  /**
   * Starts polling a submitted job.
   *
   * @param client the dashboard client
   * @param submissionId the job
   * @param column the column it computes
   * @param listener receives progress, may be null
   * @param pollInterval how often to poll
   * @param contactTimeout how long polls may fail transiently, since the last successful one,
   *     before the backfill fails with {@link RayJobContactLostException}
   */
  public RemoteBackfillJob(
      RayJobsClient client,
      String submissionId,
      String column,
      BackfillListener listener,
      Duration pollInterval,
      Duration contactTimeout) {
    this(client, submissionId, column, listener, pollInterval, contactTimeout, false);
  }

  private RemoteBackfillJob(
      RayJobsClient client,
      String submissionId,
      String column,
      BackfillListener listener,
      Duration pollInterval,
      Duration contactTimeout,
      boolean refresh) {
    this.refreshed = refresh ? new CompletableFuture<>() : null;
    if (refreshed != null) {
      future.whenComplete(
          (r, e) -> {
            if (e != null) {
              refreshed.completeExceptionally(e);
            }
          });
    }
    this.client = client;
    this.submissionId = submissionId;
    this.column = column;
    this.listener = listener;
    this.pollInterval = pollInterval;
    this.contactTimeout = contactTimeout;
    this.progress = new BackfillProgress(column, 0, 0, 0, 0, 0, Duration.ZERO);
    Thread poller = new Thread(this::poll, "geneva-ray-job-" + submissionId);
    poller.setDaemon(true);
    poller.start();
  }

  /**
   * Starts polling a submitted view refresh job ({@code BackfillDriver --refresh-view}). Its {@link
   * #refreshResult()} completes with the driver's {@code GENEVA_REFRESH_RESULT}; {@link #future()}
   * completes with null at the same time (or fails or is cancelled as {@link #refreshResult()}), so
   * a target tracks it like a backfill's job.
   *
   * @param client the dashboard client
   * @param submissionId the job
   * @param view the view's name
   * @param listener receives the progress of the view's backfills, may be null
   * @param pollInterval how often to poll
   * @param contactTimeout how long polls may fail transiently before the refresh fails with {@link
   *     RayJobContactLostException}
   * @return the polling job
   */
  public static RemoteBackfillJob refresh(
      RayJobsClient client,
      String submissionId,
      String view,
      BackfillListener listener,
      Duration pollInterval,
      Duration contactTimeout) {
    return new RemoteBackfillJob(
        client, submissionId, view, listener, pollInterval, contactTimeout, true);
  }

  /**
   * The result of a view refresh job ({@link #refresh}).
   *
   * @return the future result
   * @throws IllegalStateException for a backfill's job
   */
  public CompletableFuture<RefreshResult> refreshResult() {
    if (refreshed == null) {
      throw new IllegalStateException(this + " is a backfill, not a view refresh");
    }
    return refreshed;
  }

  /**
   * The Ray job's submission id.
   *
   * @return the id
   */
  public String submissionId() {
    return submissionId;
  }

  @Override
  public java.util.Optional<String> jobId() {
    return java.util.Optional.of(submissionId);
  }

  @Override
  public CompletableFuture<BackfillResult> future() {
    return future;
  }

  @Override
  public BackfillProgress progress() {
    BackfillProgress p = progress;
    if (future.isDone()) {
      return p;
    }
    return new BackfillProgress(
        p.column(),
        p.tasksTotal(),
        p.tasksDone(),
        p.rowsTotal(),
        p.rowsDone(),
        p.fragmentsCommitted(),
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /**
   * Whether polling gave up ({@link RayJobContactLostException}) while the job may still run.
   *
   * @return true after lost contact
   */
  public boolean contactLost() {
    return contactLost;
  }

  /**
   * Stops the Ray job ({@code POST /api/jobs/{id}/stop}); the future completes with a {@link
   * CancellationException} once Ray reports the job stopped. After lost contact (the future failed
   * with {@link RayJobContactLostException}) the stop is still sent, since the job may be running.
   *
   * @return false when the backfill had already ended (after lost contact: when Ray says the job
   *     had ended)
   * @throws RayDashboardException when the stop request cannot be delivered
   */
  @Override
  public boolean cancel() {
    if (contactLost) {
      return client.stop(submissionId);
    }
    if (future.isDone()) {
      return false;
    }
    cancelRequested.set(true);
    client.stop(submissionId);
    return true;
  }

  private void poll() {
    long lastContact = System.nanoTime();
    Duration firstBackoff =
        pollInterval.compareTo(Duration.ofMillis(250)) < 0 ? pollInterval : Duration.ofMillis(250);
    Duration backoff = firstBackoff;
    // At least about ten tries within the budget, never more than MAX_BACKOFF apart.
    Duration tenth = contactTimeout.dividedBy(10);
    Duration capped = tenth.compareTo(MAX_BACKOFF) < 0 ? tenth : MAX_BACKOFF;
    Duration maxBackoff = capped.compareTo(firstBackoff) > 0 ? capped : firstBackoff;
    boolean failing = false;
    while (!future.isDone()) {
      Duration wait = pollInterval;
      try {
        long left = contactTimeout.toNanos() - (System.nanoTime() - lastContact);
        RayJobsClient once =
            client.singleAttempt(Duration.ofNanos(Math.max(left, MIN_REQUEST_TIMEOUT.toNanos())));
        JobDetails d = once.status(submissionId);
        String logs = once.logs(submissionId);
        if (failing) {
          LOG.info(
              "polling Ray job {} works again after {}",
              submissionId,
              seconds(Duration.ofNanos(System.nanoTime() - lastContact)));
        }
        failing = false;
        backoff = firstBackoff;
        lastContact = System.nanoTime();
        DriverLines.findProgress(logs).ifPresent(this::report);
        if (d.status().isTerminal()) {
          finish(d, logs);
          return;
        }
      } catch (RayDashboardException e) {
        Duration silent = Duration.ofNanos(System.nanoTime() - lastContact);
        if (!e.isTransient()) {
          future.completeExceptionally(refused(e));
          return;
        }
        if (silent.compareTo(contactTimeout) >= 0) {
          contactLost = true;
          future.completeExceptionally(lost(e, silent));
          return;
        }
        if (!failing) {
          LOG.warn(
              "polling Ray job {} failed, retrying for up to {}: {}",
              submissionId,
              seconds(contactTimeout),
              e.getMessage());
        } else {
          LOG.debug("polling Ray job {} failed again: {}", submissionId, e.getMessage());
        }
        failing = true;
        Duration budgetLeft = contactTimeout.minus(silent);
        wait = backoff.compareTo(budgetLeft) < 0 ? backoff : budgetLeft;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(maxBackoff) < 0 ? doubled : maxBackoff;
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
        return;
      }
      try {
        Thread.sleep(Math.max(1, wait.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        future.completeExceptionally(e);
        return;
      }
    }
  }

  /** A non-transient answer to a poll: 404 (the job is gone) or another 4xx. */
  private RayDashboardException refused(RayDashboardException e) {
    String msg =
        e.statusCode() == 404
            ? "Ray job "
                + submissionId
                + " (backfill of column '"
                + column
                + "') is gone: the Ray dashboard at "
                + e.dashboardUrl()
                + " no longer knows it (HTTP 404). The cluster's head was probably restarted, which"
                + " ends its jobs, or someone deleted the job. Finished work is checkpointed: run"
                + " the backfill again to resume. ("
                + e.getMessage()
                + ")"
            : "polling Ray job "
                + submissionId
                + " (backfill of column '"
                + column
                + "') failed: "
                + e.getMessage();
    return new RayDashboardException(msg, e.dashboardUrl(), e.statusCode(), e.responseBody(), e);
  }

  private RayJobContactLostException lost(RayDashboardException e, Duration silent) {
    return new RayJobContactLostException(
        "lost contact with Ray job "
            + submissionId
            + " (backfill of column '"
            + column
            + "') on the Ray dashboard at "
            + e.dashboardUrl()
            + ": no successful poll for "
            + seconds(silent)
            + " (contact timeout "
            + seconds(contactTimeout)
            + "); last error: "
            + e.getMessage()
            + ". The job may still be running: check it with `ray job status "
            + submissionId
            + " --address "
            + e.dashboardUrl()
            + "` once the dashboard answers. cancel(), or closing the RayCluster, still asks Ray"
            + " to stop it; finished work is checkpointed, so running the backfill again resumes.",
        submissionId,
        silent,
        e);
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private void report(BackfillProgress p) {
    if (p.equals(progress)) {
      return;
    }
    progress = p;
    if (listener != null) {
      try {
        listener.onProgress(p);
      } catch (RuntimeException e) {
        LOG.warn("backfill listener failed: {}", e.toString());
      }
    }
  }

  private void finish(JobDetails d, String logs) {
    if (refreshed != null) {
      var r = DriverLines.findRefreshResult(logs);
      if (d.status() == JobStatus.SUCCEEDED && r.isPresent()) {
        refreshed.complete(r.get());
        future.complete(null);
        return;
      }
    }
    var result =
        refreshed == null ? DriverLines.findResult(logs) : Optional.<BackfillResult>empty();
    if (d.status() == JobStatus.SUCCEEDED && result.isPresent()) {
      BackfillResult r = result.get();
      progress =
          new BackfillProgress(
              column,
              r.tasks(),
              r.tasks(),
              r.rowsProcessed() + r.rowsSkipped(),
              r.rowsProcessed() + r.rowsSkipped(),
              r.fragments(),
              r.duration());
      future.complete(r);
      return;
    }
    if (d.status() == JobStatus.STOPPED && cancelRequested.get()) {
      future.completeExceptionally(
          new CancellationException("Ray job " + submissionId + " was stopped on request"));
      return;
    }
    List<String> tail = RayJobsClient.tail(logs, TAIL_LINES);
    String driverError = DriverLines.findError(logs).orElse(null);
    String what =
        switch (d.status()) {
          case SUCCEEDED ->
              "succeeded but printed no "
                  + (refreshed == null ? "GENEVA_RESULT" : "GENEVA_REFRESH_RESULT")
                  + " line";
          case STOPPED -> "was stopped (not by this client)";
          default -> "failed";
        };
    StringBuilder msg = new StringBuilder();
    msg.append(refreshed == null ? "backfill of column '" : "refresh of view '")
        .append(column)
        .append("' as Ray job ")
        .append(submissionId)
        .append(' ')
        .append(what)
        .append(" (status ")
        .append(d.status());
    if (d.message() != null) {
      msg.append(", Ray: ").append(d.message());
    }
    msg.append(')');
    if (driverError != null) {
      msg.append(": ").append(driverError);
    }
    msg.append(
        ". Finished work is checkpointed: run the "
            + (refreshed == null ? "backfill" : "refresh")
            + " again to resume. Last log lines:");
    for (String line : tail) {
      msg.append("\n  | ").append(line);
    }
    future.completeExceptionally(
        new RayJobFailedException(
            msg.toString(), submissionId, d.status(), d.message(), driverError, tail));
  }

  @Override
  public String toString() {
    return "RemoteBackfillJob{" + submissionId + ", column=" + column + "}";
  }
}
