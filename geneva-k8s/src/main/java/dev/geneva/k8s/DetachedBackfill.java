package dev.geneva.k8s;

import dev.geneva.k8s.internal.ApiCalls;
import dev.geneva.k8s.internal.DetachedJobs;
import dev.geneva.k8s.internal.Errors;
import dev.geneva.k8s.internal.crd.RayJobResource;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A backfill running as a KubeRay {@code RayJob}, made by {@link DetachedBackfills#submit} or found
 * again by {@link DetachedBackfills#find}. The job does not depend on this handle: closing it (or
 * the JVM ending) only releases the API client, the job runs on, and KubeRay deletes its cluster
 * when it ends ({@code shutdownAfterJobFinishes}). {@link #cancel()} deletes the RayJob, and with
 * it the cluster.
 *
 * <pre>{@code
 * try (DetachedBackfill job = DetachedBackfills.submit(auth, spec, table, "embedding", options)) {
 *   System.out.println("submitted " + job.name());
 *   DetachedBackfillStatus end = job.waitUntilDone(Duration.ofHours(2));
 * }
 * }</pre>
 */
public final class DetachedBackfill implements AutoCloseable {
  /** How long one status read or delete may retry transient answers. */
  private static final Duration BUDGET = Duration.ofSeconds(30);

  private final ApiCalls.Client api;
  private final String name;
  private final String namespace;
  private final Duration pollInterval;
  private volatile DetachedBackfillStatus last;
  private volatile boolean closed;

  DetachedBackfill(
      ApiCalls.Client api,
      String name,
      String namespace,
      Duration pollInterval,
      DetachedBackfillStatus first) {
    this.api = api;
    this.name = name;
    this.namespace = namespace;
    this.pollInterval = pollInterval;
    this.last = first;
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
    last = now;
    return now;
  }

  /**
   * Waits until the backfill ends, or {@code timeout} passes.
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
   * status and every change of state or of KubeRay's statuses.
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
      if (s.isDone() || left <= 0) {
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
      return !api.calls()
          .call(
              "delete RayJob " + describe(),
              BUDGET,
              () -> false,
              true,
              () -> resource().withPropagationPolicy(DeletionPropagation.BACKGROUND).delete())
          .isEmpty();
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
