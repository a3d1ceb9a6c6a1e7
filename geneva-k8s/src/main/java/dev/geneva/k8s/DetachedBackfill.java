package dev.geneva.k8s;

import dev.geneva.Connection;
import dev.geneva.InvalidInputException;
import dev.geneva.JobHistory;
import dev.geneva.JobRecord;
import dev.geneva.k8s.internal.ApiCalls;
import dev.geneva.k8s.internal.DetachedJobs;
import dev.geneva.k8s.internal.Errors;
import dev.geneva.k8s.internal.JobReconciler;
import dev.geneva.k8s.internal.crd.RayJobResource;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backfill running as a KubeRay {@code RayJob}, made by {@link DetachedBackfills#submit} or found
 * again by {@link DetachedBackfills#find}. The job does not depend on this handle: closing it (or
 * the JVM ending) only releases the API client, the job runs on, and KubeRay deletes its cluster
 * when it ends ({@code shutdownAfterJobFinishes}). {@link #cancel()} deletes the RayJob, and with
 * it the cluster.
 *
 * <p>The backfill's driver records the job's progress and end in the database's {@linkplain
 * Connection#jobs() job history}. When the driver cannot (it died, never started, or the RayJob was
 * deleted), {@link #reconcile(Connection)} records the end KubeRay reports; a handle made by {@link
 * DetachedBackfills#submit(dev.geneva.k8s.auth.KubeAuth, RayClusterSpec, dev.geneva.Table, String,
 * DetachedBackfillOptions)} does so by itself when {@link #waitUntilDone} sees the job end.
 *
 * <pre>{@code
 * try (DetachedBackfill job = DetachedBackfills.submit(auth, spec, table, "embedding", options)) {
 *   System.out.println("submitted " + job.name());
 *   DetachedBackfillStatus end = job.waitUntilDone(Duration.ofHours(2));
 * }
 * }</pre>
 */
public final class DetachedBackfill implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DetachedBackfill.class);

  /** How long one status read or delete may retry transient answers. */
  private static final Duration BUDGET = Duration.ofSeconds(30);

  private final ApiCalls.Client api;
  private final String name;
  private final String namespace;
  private final Duration pollInterval;
  private final JobHistory history;
  private volatile DetachedBackfillStatus last;
  private volatile RayJobResource lastJob;
  private volatile boolean cancelled;
  private volatile boolean closed;

  DetachedBackfill(
      ApiCalls.Client api,
      String name,
      String namespace,
      Duration pollInterval,
      DetachedBackfillStatus first,
      JobHistory history) {
    this.api = api;
    this.name = name;
    this.namespace = namespace;
    this.pollInterval = pollInterval;
    this.last = first;
    this.history = history;
  }

  /**
   * The RayJob's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The RayJob's namespace.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * Reads the RayJob's status now. A RayJob that no longer exists reports its last final status
   * seen by this handle, else {@link DetachedBackfillState#DELETED}.
   *
   * @return the status
   * @throws RayClusterException when the API server cannot be read (after retrying transient
   *     answers for 30 seconds)
   * @throws IllegalStateException after {@link #close()}
   */
  public DetachedBackfillStatus status() {
    checkOpen();
    RayJobResource job;
    try {
      job = api.calls().call("read RayJob " + describe(), BUDGET, () -> resource().get());
    } catch (KubernetesClientException e) {
      throw new RayClusterException(
          "Could not read RayJob "
              + describe()
              + ": HTTP "
              + e.getCode()
              + " "
              + Errors.safeMessage(e)
              + "; the caller needs get on rayjobs.ray.io in namespace "
              + namespace,
          e);
    }
    DetachedBackfillStatus now =
        job == null ? DetachedJobs.gone(last, name, namespace) : DetachedJobs.status(job);
    lastJob = job;
    last = now;
    return now;
  }

  /**
   * Reads the RayJob's status and records the job's end in a database's job history when KubeRay
   * reports one and the history does not: {@code FAILED} when the RayJob failed or is gone, {@code
   * CANCELLED} when its Ray job was stopped or this handle deleted it, with what KubeRay reported
   * and how to investigate; a job whose RayJob {@code SUCCEEDED} is left to its driver's report
   * (see {@link DetachedBackfills#reconcile(dev.geneva.k8s.auth.KubeAuth, String, Connection)} for
   * the rules). Records that ended are never written to; calling it again writes nothing new.
   *
   * @param db the database of the backfill's table
   * @return one entry per open record of this RayJob in the history (usually one; none when the
   *     driver recorded the end), changed or not
   * @throws RayClusterException when the RayJob cannot be read (after retrying transient answers
   *     for 30 seconds); nothing was written then
   * @throws IllegalStateException after {@link #close()}
   */
  public List<ReconciledJob> reconcile(Connection db) {
    if (db == null) {
      throw new InvalidInputException(
          "DetachedBackfill.reconcile needs the Connection of the database the backfill's table is"
              + " in");
    }
    return reconcile(db.jobHistory());
  }

  private List<ReconciledJob> reconcile(JobHistory jobs) {
    DetachedBackfillStatus now = status();
    RayJobResource job = lastJob;
    JobReconciler reconciler = new JobReconciler(jobs, Clock.systemUTC());
    List<ReconciledJob> results = new ArrayList<>();
    for (JobRecord record : reconciler.openRecords(namespace, name)) {
      if (reconciler.isDetached(record, job)) {
        results.add(reconciler.reconcile(record, namespace, name, job, now, cancelled));
      }
    }
    return results;
  }

  /**
   * Waits until the backfill ends, or {@code timeout} passes (see {@link #waitUntilDone(Duration,
   * Consumer)}).
   *
   * @param timeout how long to wait at most
   * @return the final status, or the latest one (not {@link DetachedBackfillStatus#isDone()}) when
   *     the time ran out or the thread was interrupted (its interrupt flag is then set again)
   */
  public DetachedBackfillStatus waitUntilDone(Duration timeout) {
    return waitUntilDone(timeout, s -> {});
  }

  /**
   * Waits until the backfill ends, or {@code timeout} passes, telling {@code onChange} the first
   * status and every change of state or of KubeRay's statuses. When the job ended, a handle made by
   * {@link DetachedBackfills#submit(dev.geneva.k8s.auth.KubeAuth, RayClusterSpec, dev.geneva.Table,
   * String, DetachedBackfillOptions)} records its end in the table's job history if the driver
   * could not ({@link #reconcile(Connection)}; a failure to do so is logged).
   *
   * @param timeout how long to wait at most
   * @param onChange told each new status, on this thread
   * @return the final status, or the latest one (not {@link DetachedBackfillStatus#isDone()}) when
   *     the time ran out or the thread was interrupted (its interrupt flag is then set again)
   */
  public DetachedBackfillStatus waitUntilDone(
      Duration timeout, Consumer<DetachedBackfillStatus> onChange) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(onChange, "onChange");
    long deadline = System.nanoTime() + timeout.toNanos();
    DetachedBackfillStatus reported = null;
    while (true) {
      DetachedBackfillStatus s = status();
      if (reported == null || changed(reported, s)) {
        onChange.accept(s);
        reported = s;
      }
      long left = deadline - System.nanoTime();
      if (s.isDone()) {
        recordEnd();
        return s;
      }
      if (left <= 0) {
        return s;
      }
      try {
        Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return s;
      }
    }
  }

  /** Records the end in the history of the table this handle submitted, if it has one. */
  private void recordEnd() {
    if (history == null) {
      return;
    }
    try {
      reconcile(history).stream()
          .filter(r -> !r.changed())
          .forEach(r -> LOG.info("Job record of RayJob {}: {}", describe(), r.detail()));
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not record the end of RayJob {} in {}: {}; record it later with"
              + " DetachedBackfills.reconcile or geneva jobs detached --reconcile",
          describe(),
          history.uri(),
          e.toString());
    }
  }

  private static boolean changed(DetachedBackfillStatus a, DetachedBackfillStatus b) {
    return a.state() != b.state()
        || !a.jobStatus().equals(b.jobStatus())
        || !a.jobDeploymentStatus().equals(b.jobDeploymentStatus())
        || !a.reason().equals(b.reason());
  }

  /**
   * Deletes the RayJob: KubeRay stops the Ray job and Kubernetes deletes the cluster it owns. A
   * rerun of the backfill resumes from the fragments already committed.
   *
   * @return true when the RayJob existed
   * @throws RayClusterException when the delete fails (after retrying transient answers for 30
   *     seconds), naming the command that deletes it
   */
  public boolean cancel() {
    checkOpen();
    try {
      boolean deleted =
          !api.calls()
              .call(
                  "delete RayJob " + describe(),
                  BUDGET,
                  () -> false,
                  true,
                  () -> resource().withPropagationPolicy(DeletionPropagation.BACKGROUND).delete())
              .isEmpty();
      cancelled |= deleted;
      return deleted;
    } catch (KubernetesClientException e) {
      throw new RayClusterException(
          "Could not delete RayJob "
              + describe()
              + ": HTTP "
              + e.getCode()
              + " "
              + Errors.safeMessage(e)
              + "; delete it with: kubectl delete rayjob "
              + name
              + " -n "
              + namespace,
          e);
    }
  }

  /** Releases the API client. The RayJob is left running: use {@link #cancel()} to stop it. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      api.client().close();
    }
  }

  private Resource<RayJobResource> resource() {
    return api.client().resources(RayJobResource.class).inNamespace(namespace).withName(name);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "this DetachedBackfill handle of RayJob "
              + describe()
              + " is closed; the job itself is not: find it again with DetachedBackfills.find");
    }
  }

  private String describe() {
    return namespace + "/" + name;
  }

  @Override
  public String toString() {
    return "DetachedBackfill{" + describe() + (last == null ? "" : ", " + last.state()) + "}";
  }
}
