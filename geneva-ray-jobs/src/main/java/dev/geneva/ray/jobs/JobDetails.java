package dev.geneva.ray.jobs;

import java.util.Map;

/**
 * What {@code GET /api/jobs/{id}} reports about a job (Ray's {@code JobDetails}); fields this class
 * does not know are ignored.
 *
 * @param submissionId the submission id
 * @param jobId the Ray job id of the driver, null until the driver connects
 * @param type the job type, {@code SUBMISSION} for jobs of the Jobs API
 * @param status the status
 * @param message a human-readable explanation of the status, may be null
 * @param errorType the kind of failure for {@link JobStatus#FAILED}, may be null
 * @param startTime when the job started, in Unix milliseconds, may be null
 * @param endTime when the job reached a terminal state, in Unix milliseconds, may be null
 * @param entrypoint the entrypoint command
 * @param metadata user metadata given at submission
 * @param runtimeEnv the runtime environment given at submission
 * @param driverExitCode the entrypoint's exit code once it exited, may be null
 */
public record JobDetails(
    String submissionId,
    String jobId,
    String type,
    JobStatus status,
    String message,
    String errorType,
    Long startTime,
    Long endTime,
    String entrypoint,
    Map<String, String> metadata,
    Map<String, Object> runtimeEnv,
    Integer driverExitCode) {

  /**
   * Copies the maps.
   *
   * @param submissionId the submission id
   * @param jobId the Ray job id of the driver, null until the driver connects
   * @param type the job type, {@code SUBMISSION} for jobs of the Jobs API
   * @param status the status
   * @param message a human-readable explanation of the status, may be null
   * @param errorType the kind of failure for {@link JobStatus#FAILED}, may be null
   * @param startTime when the job started, in Unix milliseconds, may be null
   * @param endTime when the job reached a terminal state, in Unix milliseconds, may be null
   * @param entrypoint the entrypoint command
   * @param metadata user metadata given at submission
   * @param runtimeEnv the runtime environment given at submission
   * @param driverExitCode the entrypoint's exit code once it exited, may be null
   */
  public JobDetails {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    runtimeEnv = runtimeEnv == null ? Map.of() : java.util.Collections.unmodifiableMap(runtimeEnv);
  }

  /**
   * Shows the runtime environment's keys only: its {@code env_vars} may hold storage options.
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "JobDetails{submissionId="
        + submissionId
        + ", status="
        + status
        + ", message="
        + message
        + ", errorType="
        + errorType
        + ", startTime="
        + startTime
        + ", endTime="
        + endTime
        + ", driverExitCode="
        + driverExitCode
        + ", runtimeEnv keys="
        + runtimeEnv.keySet()
        + "}";
  }
}
