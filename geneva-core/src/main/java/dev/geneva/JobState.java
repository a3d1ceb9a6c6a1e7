package dev.geneva;

/**
 * A backfill job's state in the {@linkplain Connection#jobs() job history}, as Geneva (Python)
 * names them, plus {@code CANCELLED}.
 */
public enum JobState {
  /** Submitted to a cluster, not yet started by its driver. */
  PENDING,
  /** Computing. */
  RUNNING,
  /** Every selected row is computed and committed. */
  DONE,
  /** Ended with an error (or the client lost the job); rerunning resumes. */
  FAILED,
  /** Stopped on request; rerunning resumes. */
  CANCELLED;

  /**
   * Whether the job has ended.
   *
   * @return true for DONE, FAILED and CANCELLED
   */
  public boolean isTerminal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }

  /**
   * How far along a job in this state is, so that of two reports about one job the further one
   * wins: a late "running" from a driver never hides a "done", and a client that lost the job and
   * wrote "failed" is corrected by the driver's "done".
   */
  int rank() {
    return switch (this) {
      case PENDING -> 0;
      case RUNNING -> 1;
      case FAILED, CANCELLED -> 2;
      case DONE -> 3;
    };
  }
}
