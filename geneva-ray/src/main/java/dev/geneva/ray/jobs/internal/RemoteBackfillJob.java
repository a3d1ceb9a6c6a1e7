package dev.geneva.ray.jobs.internal;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.GenevaException;
import dev.geneva.ray.jobs.JobDetails;
import dev.geneva.ray.jobs.JobStatus;
import dev.geneva.ray.jobs.RayDashboardException;
import dev.geneva.ray.jobs.RayJobFailedException;
import dev.geneva.ray.jobs.RayJobsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backfill running as a Ray job: polls the job's status and logs, reports the driver's progress
 * lines, completes with its result line, and stops the job on {@link #cancel()}.
 */
public final class RemoteBackfillJob implements BackfillJob {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteBackfillJob.class);

  /** Log lines carried by a failure. */
  public static final int TAIL_LINES = 40;

  private static final int MAX_POLL_FAILURES = 5;

  private final RayJobsClient client;
  private final String submissionId;
  private final String column;
  private final BackfillListener listener;
  private final Duration pollInterval;
  private final long startNanos = System.nanoTime();
  private final CompletableFuture<BackfillResult> future = new CompletableFuture<>();
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
   */
  public RemoteBackfillJob(
      RayJobsClient client,
      String submissionId,
      String column,
      BackfillListener listener,
      Duration pollInterval) {
    this.client = client;
    this.submissionId = submissionId;
    this.column = column;
    this.listener = listener;
    this.pollInterval = pollInterval;
    this.progress = new BackfillProgress(column, 0, 0, 0, 0, 0, Duration.ZERO);
    Thread poller = new Thread(this::poll, "geneva-ray-job-" + submissionId);
    poller.setDaemon(true);
    poller.start();
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
   * Stops the Ray job ({@code POST /api/jobs/{id}/stop}); the future completes with a {@link
   * CancellationException} once Ray reports the job stopped.
   *
   * @return false when the backfill had already ended
   * @throws RayDashboardException when the stop request cannot be delivered
   */
  @Override
  public boolean cancel() {
    if (future.isDone()) {
      return false;
    }
    cancelRequested.set(true);
    client.stop(submissionId);
    return true;
  }

  private void poll() {
    int failures = 0;
    while (!future.isDone()) {
      try {
        JobDetails d = client.status(submissionId);
        String logs = client.logs(submissionId);
        failures = 0;
        DriverLines.findProgress(logs).ifPresent(this::report);
        if (d.status().isTerminal()) {
          finish(d, logs);
          return;
        }
      } catch (RayDashboardException e) {
        if (++failures >= MAX_POLL_FAILURES) {
          future.completeExceptionally(
              new GenevaException(
                  "lost contact with Ray job "
                      + submissionId
                      + " (it may still be running; rerunning the backfill resumes from its"
                      + " checkpoints): "
                      + e.getMessage(),
                  e));
          return;
        }
        LOG.warn("polling Ray job {} failed: {}", submissionId, e.getMessage());
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
        return;
      }
      try {
        Thread.sleep(pollInterval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        future.completeExceptionally(e);
        return;
      }
    }
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
    var result = DriverLines.findResult(logs);
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
          case SUCCEEDED -> "succeeded but printed no GENEVA_RESULT line";
          case STOPPED -> "was stopped (not by this client)";
          default -> "failed";
        };
    StringBuilder msg = new StringBuilder();
    msg.append("backfill of column '")
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
        ". Finished work is checkpointed: run the backfill again to resume. Last log lines:");
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
