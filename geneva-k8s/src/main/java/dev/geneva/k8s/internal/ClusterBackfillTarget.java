package dev.geneva.k8s.internal;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillProgress;
import dev.geneva.InvalidInputException;
import dev.geneva.RefreshJob;
import dev.geneva.RefreshProgress;
import dev.geneva.RefreshProgress.Phase;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.k8s.RayClusterException;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.ray.jobs.RayJobBackfill;
import dev.geneva.ray.jobs.RayJobContactLostException;
import dev.geneva.ray.jobs.internal.RemoteBackfillJob;
import dev.geneva.spi.BackfillTarget;
import dev.geneva.udf.Udtf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started RayCluster as a {@link BackfillTarget}: submits each backfill as a Ray job through the
 * cluster's dashboard, remembers the jobs still running (and those it lost contact with, which may
 * still run), and on {@link #close(Duration)} stops them and refuses new ones. A failed job, lost
 * contact or a submission the dashboard rejects is reported to the failure callback (so {@code
 * RETAIN_ON_FAILURE} keeps the cluster); a cancelled job and invalid input are not.
 */
public final class ClusterBackfillTarget implements BackfillTarget {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterBackfillTarget.class);

  private final String cluster;
  private final RayJobBackfill backfill;
  private final Consumer<Throwable> onFailure;
  private final RayClusterSpec spec;
  private final Set<BackfillJob> running = ConcurrentHashMap.newKeySet();
  private final Set<BackfillJob> lost = ConcurrentHashMap.newKeySet();
  private boolean closed; // guarded by this

  /**
   * Creates it.
   *
   * @param cluster {@code namespace/name}, for names and messages
   * @param backfill submits the jobs
   * @param onFailure told when a job fails (not when it is cancelled)
   */
  public ClusterBackfillTarget(
      String cluster, RayJobBackfill backfill, Consumer<Throwable> onFailure) {
    this(cluster, null, backfill, onFailure);
  }

  /**
   * Creates it with the cluster's definition, so each backfill's UDF resources are checked against
   * its worker groups before anything is submitted ({@link Admission}).
   *
   * @param cluster {@code namespace/name}, for names and messages
   * @param spec the cluster's definition, or null to skip the admission check
   * @param backfill submits the jobs
   * @param onFailure told when a job fails (not when it is cancelled)
   */
  public ClusterBackfillTarget(
      String cluster, RayClusterSpec spec, RayJobBackfill backfill, Consumer<Throwable> onFailure) {
    this.cluster = cluster;
    this.spec = spec;
    this.backfill = backfill;
    this.onFailure = onFailure;
  }

  @Override
  public String name() {
    return "ray-cluster:" + cluster;
  }

  /**
   * The Ray jobs runner behind this target.
   *
   * @return the runner
   */
  public RayJobBackfill jobs() {
    return backfill;
  }

  /**
   * Submits the backfill as a Ray job on the cluster, once its UDF's resources are known to fit a
   * worker group.
   *
   * @throws RayClusterException once the cluster is closed
   * @throws dev.geneva.k8s.ResourcesDoNotFitException before anything is submitted, when no worker
   *     group can run the UDF's tasks
   */
  @Override
  public BackfillJob start(Table table, String column, BackfillOptions options) {
    BackfillJob job;
    synchronized (this) {
      if (closed) {
        throw new RayClusterException(
            "RayCluster "
                + cluster
                + " is closed, so it cannot run the backfill of column '"
                + column
                + "' named with BackfillOptions.target(...): start another cluster and name"
                + " that one, or drop the target to run where the open clusters send it");
      }
      checkAdmission(table, column);
      try {
        job = backfill.start(table, column, options);
      } catch (InvalidInputException e) {
        throw e;
      } catch (RuntimeException e) {
        onFailure.accept(e); // rejected or unreachable on submission: the run failed
        throw e;
      }
      running.add(job);
    }
    track(job);
    return job;
  }

  /** True when jobs go to a cluster's dashboard (always, once started). */
  @Override
  public boolean runsRefreshes() {
    return backfill != null;
  }

  /**
   * Starts the view's whole refresh as one Ray job on the cluster ({@link
   * RayJobBackfill#startRefreshJob}), tracked like a backfill's job: stopped on {@link
   * #close(Duration)}, its failure or lost contact reported to the failure callback. Cancelling the
   * returned refresh stops the job (the refresh stays resumable).
   *
   * @throws RayClusterException once the cluster is closed
   */
  @Override
  public RefreshJob startRefresh(Table view, OptionalLong sourceVersion, BackfillOptions options) {
    RemoteBackfillJob job;
    synchronized (this) {
      if (closed) {
        throw new RayClusterException(
            "RayCluster "
                + cluster
                + " is closed, so it cannot run the refresh of view '"
                + view.name()
                + "': start another cluster and name that one, or drop the target to refresh"
                + " where the open clusters send it");
      }
      try {
        job = backfill.startRefreshJob(view, sourceVersion, options);
      } catch (InvalidInputException e) {
        throw e;
      } catch (RuntimeException e) {
        onFailure.accept(e);
        throw e;
      }
      running.add(job);
    }
    track(job);
    return new RemoteRefresh(view.name(), job);
  }

  /** A refresh running as a Ray job; its progress is the job's current backfill's. */
  private static final class RemoteRefresh implements RefreshJob {
    private final String view;
    private final RemoteBackfillJob job;
    private final long startNanos = System.nanoTime();

    RemoteRefresh(String view, RemoteBackfillJob job) {
      this.view = view;
      this.job = job;
    }

    @Override
    public CompletableFuture<RefreshResult> future() {
      return job.refreshResult();
    }

    @Override
    public RefreshProgress progress() {
      BackfillProgress p = job.progress();
      boolean done = job.refreshResult().isDone();
      boolean backfilling = !p.column().equals(view) || p.tasksTotal() > 0;
      return new RefreshProgress(
          view,
          done ? Phase.ENDED : backfilling ? Phase.BACKFILLING : Phase.SYNCING,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          p.rowsDone(),
          backfilling ? Optional.of(p) : Optional.empty(),
          Duration.ofNanos(System.nanoTime() - startNanos));
    }

    @Override
    public boolean cancel() {
      return job.cancel();
    }

    @Override
    public String toString() {
      return "RemoteRefresh{" + view + ", " + job.submissionId() + "}";
    }
  }

  private void track(BackfillJob job) {
    job.future()
        .whenComplete(
            (r, e) -> {
              Throwable cause = e == null ? null : unwrap(e);
              if (cause instanceof RayJobContactLostException) {
                lost.add(job); // may still run: close() stops it
              }
              running.remove(job);
              if (cause != null && !(cause instanceof CancellationException)) {
                onFailure.accept(cause);
              }
            });
  }

  /**
   * Checks that the column's UDF fits a worker group of the cluster ({@link Admission}); nothing
   * when the cluster's definition is unknown.
   *
   * @throws dev.geneva.k8s.ResourcesDoNotFitException when no worker group can run the UDF's tasks
   */
  @Override
  public void checkAdmission(Table table, String column) {
    if (spec != null) {
      Admission.check(spec, table, column);
    }
  }

  /**
   * Checks that a view's UDTF fits a worker group of the cluster ({@link Admission}); nothing when
   * the cluster's definition is unknown.
   *
   * @throws dev.geneva.k8s.ResourcesDoNotFitException when no worker group can run the UDTF's calls
   */
  @Override
  public void checkAdmission(Table view, Udtf udtf) {
    if (spec != null) {
      Admission.check(spec, view, udtf);
    }
  }

  /**
   * The jobs submitted here that have not finished.
   *
   * @return a snapshot
   */
  public List<BackfillJob> runningJobs() {
    return List.copyOf(running);
  }

  /**
   * The jobs submitted here that could no longer be polled ({@link RayJobContactLostException}) and
   * may still be running; {@link #close(Duration)} asks Ray to stop them too.
   *
   * @return a snapshot
   */
  public List<BackfillJob> lostJobs() {
    return List.copyOf(lost);
  }

  /**
   * Whether {@link #close(Duration)} was called.
   *
   * @return true once closed
   */
  public synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Refuses new backfills, stops ({@code POST /api/jobs/{id}/stop}) every job still running or lost
   * contact with, and waits up to {@code wait} for the running ones to end. Idempotent.
   *
   * @param wait how long to wait for the stopped jobs, in all
   */
  public void close(Duration wait) {
    List<BackfillJob> jobs;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      jobs = new ArrayList<>(running);
    }
    Set<BackfillJob> toStop = new LinkedHashSet<>(jobs);
    toStop.addAll(lost);
    for (BackfillJob job : toStop) {
      try {
        if (job.cancel()) {
          LOG.warn("Stopping {} on RayCluster {}: the cluster is closing", job, cluster);
        }
      } catch (RuntimeException e) {
        LOG.warn(
            "Could not stop {} on RayCluster {} ({}); it ends when the cluster is deleted, or stop"
                + " it with: ray job stop",
            job,
            cluster,
            e.getMessage());
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (BackfillJob job : jobs) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        job.future().get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.warn(
            "{} on RayCluster {} did not stop within {}; it ends when the cluster is deleted",
            job,
            cluster,
            wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | CancellationException e) {
        // ended: cancelled or failed
      }
    }
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  @Override
  public String toString() {
    return "ClusterBackfillTarget{" + cluster + "}";
  }
}
