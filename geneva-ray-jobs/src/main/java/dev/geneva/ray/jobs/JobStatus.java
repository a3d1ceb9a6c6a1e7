package dev.geneva.ray.jobs;

/** The status of a Ray job, as the Jobs REST API reports it. */
public enum JobStatus {
  /** Submitted, not started yet (waiting for resources or its runtime environment). */
  PENDING,
  /** The entrypoint runs. */
  RUNNING,
  /** Stopped by a user ({@code POST /api/jobs/{id}/stop}). */
  STOPPED,
  /** The entrypoint exited with code 0. */
  SUCCEEDED,
  /** The entrypoint failed, or its runtime environment could not be set up. */
  FAILED;

  /**
   * Whether the job has ended.
   *
   * @return true for {@link #STOPPED}, {@link #SUCCEEDED} and {@link #FAILED}
   */
  public boolean isTerminal() {
    return this == STOPPED || this == SUCCEEDED || this == FAILED;
  }
}
