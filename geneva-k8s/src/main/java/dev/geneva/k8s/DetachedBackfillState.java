package dev.geneva.k8s;

/**
 * Where a detached backfill is, from its RayJob's {@code status.jobStatus} (the Ray job) and {@code
 * status.jobDeploymentStatus} (KubeRay's handling of it).
 */
public enum DetachedBackfillState {
  /** Not running yet: the cluster is being created, or the Ray job waits for its driver. */
  PENDING(false),
  /** The Ray job's driver runs the backfill. */
  RUNNING(false),
  /** The Ray job succeeded: the column is backfilled. */
  SUCCEEDED(true),
  /**
   * The Ray job failed, or KubeRay gave up on it (submission failed, active deadline exceeded,
   * ...): rerun the backfill to resume it.
   */
  FAILED(true),
  /** The Ray job was stopped before it ended: rerun the backfill to resume it. */
  STOPPED(true),
  /**
   * The RayJob no longer exists (deleted by {@link DetachedBackfill#cancel()}, by someone else, or
   * by the operator) before its end was seen.
   */
  DELETED(true);

  private final boolean done;

  DetachedBackfillState(boolean done) {
    this.done = done;
  }

  /**
   * Whether the state is final: the job will not change any more.
   *
   * @return true for SUCCEEDED, FAILED, STOPPED and DELETED
   */
  public boolean isDone() {
    return done;
  }
}
