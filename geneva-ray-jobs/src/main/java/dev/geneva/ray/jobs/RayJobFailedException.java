package dev.geneva.ray.jobs;

import dev.geneva.BackfillFailedException;
import java.util.List;

/**
 * A backfill submitted as a Ray job failed, was stopped by someone else, or ended without a result.
 * Carries the job's status, Ray's message, the driver's own error (its {@code GENEVA_ERROR} line)
 * and the last lines of the job's logs. Work that finished is checkpointed: submitting the backfill
 * again resumes.
 */
public class RayJobFailedException extends BackfillFailedException {
  private static final long serialVersionUID = 1L;

  /** The Ray job's submission id. */
  private final String submissionId;

  /** The job's final status. */
  private final JobStatus status;

  /** Ray's message about the job, may be null. */
  private final String rayMessage;

  /** The driver's error line, may be null. */
  private final String driverError;

  /** The last lines of the job's log. */
  private final List<String> logTail;

  /**
   * Creates the exception.
   *
   * @param message the full message
   * @param submissionId the job's submission id
   * @param status the job's last status
   * @param rayMessage Ray's status message, may be null
   * @param driverError the driver's error message, may be null
   * @param logTail the last lines of the job's logs
   */
  public RayJobFailedException(
      String message,
      String submissionId,
      JobStatus status,
      String rayMessage,
      String driverError,
      List<String> logTail) {
    super(message, null);
    this.submissionId = submissionId;
    this.status = status;
    this.rayMessage = rayMessage;
    this.driverError = driverError;
    this.logTail = List.copyOf(logTail);
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
   * The job's last status.
   *
   * @return the status
   */
  public JobStatus status() {
    return status;
  }

  /**
   * Ray's status message (such as {@code "Job entrypoint command failed with exit code 1"}).
   *
   * @return the message, may be null
   */
  public String rayMessage() {
    return rayMessage;
  }

  /**
   * The error the Geneva driver reported, if it got far enough to report one.
   *
   * @return the message, may be null
   */
  public String driverError() {
    return driverError;
  }

  /**
   * The last lines of the job's logs.
   *
   * @return the lines, oldest first
   */
  public List<String> logTail() {
    return logTail;
  }
}
