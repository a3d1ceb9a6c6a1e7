package dev.geneva.ray.jobs;

import java.time.Duration;

/**
 * A running Ray job could not be polled for longer than the contact timeout: the dashboard did not
 * answer, or answered only transient errors. The job itself may still be running; the handle that
 * submitted it keeps it, so {@code cancel()} on the backfill, or closing the {@code RayCluster},
 * still asks Ray to stop it. Work that finished is checkpointed: submitting the backfill again
 * resumes.
 */
public class RayJobContactLostException extends RayDashboardException {
  private static final long serialVersionUID = 1L;

  /** The Ray job's submission id. */
  private final String submissionId;

  /** How long the job could not be polled. */
  private final Duration lostFor;

  /**
   * Creates the exception.
   *
   * @param message the full message
   * @param submissionId the job's submission id
   * @param lostFor how long the job could not be polled
   * @param last the last failed poll
   */
  public RayJobContactLostException(
      String message, String submissionId, Duration lostFor, RayDashboardException last) {
    super(message, last.dashboardUrl(), last.statusCode(), last.responseBody(), last);
    this.submissionId = submissionId;
    this.lostFor = lostFor;
  }

  /**
   * The job's submission id.
   *
   * @return the id
   */
  public String submissionId() {
    return submissionId;
  }

  /**
   * How long the job could not be polled when this was thrown.
   *
   * @return the time since the last successful poll
   */
  public Duration lostFor() {
    return lostFor;
  }
}
