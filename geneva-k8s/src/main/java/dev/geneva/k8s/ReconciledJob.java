package dev.geneva.k8s;

import dev.geneva.JobRecord;
import dev.geneva.JobState;
import java.util.Optional;

/**
 * What reconciling one detached backfill's job record with its RayJob found, and what it wrote
 * ({@link DetachedBackfills#reconcile}, {@link DetachedBackfill#reconcile}).
 *
 * <p>A record is written only when KubeRay says the job ended and the job history does not: {@code
 * FAILED} when the RayJob failed (or is gone), {@code CANCELLED} when its Ray job was stopped, with
 * an error saying what KubeRay reported and how to investigate. A RayJob that succeeded is never
 * recorded {@code DONE} by the client (the driver's own report, with its metrics, is the truth):
 * such a job is left as it is, and {@link #detail()} says so.
 *
 * @param before the job's record as the history had it (not ended)
 * @param rayJob the RayJob's {@code namespace/name}
 * @param rayJobStatus what KubeRay reported; {@link DetachedBackfillState#DELETED} when the RayJob
 *     no longer exists (or now belongs to another job)
 * @param written the record written, empty when nothing was
 * @param detail why it was written (the record's error) or why nothing was, in one sentence
 */
public record ReconciledJob(
    JobRecord before,
    String rayJob,
    DetachedBackfillStatus rayJobStatus,
    Optional<JobRecord> written,
    String detail) {
  /**
   * The job's id in the history.
   *
   * @return {@code before().jobId()}
   */
  public String jobId() {
    return before.jobId();
  }

  /**
   * Whether a record was written.
   *
   * @return {@code written().isPresent()}
   */
  public boolean changed() {
    return written.isPresent();
  }

  /**
   * The job's state after the reconciliation.
   *
   * @return the written state, else the state before
   */
  public JobState state() {
    return written.map(JobRecord::state).orElse(before.state());
  }

  /**
   * One line for people: the job, the RayJob, the states and the detail.
   *
   * @return e.g. "geneva-len-1a2b3c4d (RayJob geneva/embed): RUNNING -> FAILED: KubeRay reports
   *     ..."
   */
  public String describe() {
    return jobId()
        + " (RayJob "
        + rayJob
        + "): "
        + before.state()
        + (changed() ? " -> " + state() : " unchanged")
        + ": "
        + detail;
  }
}
