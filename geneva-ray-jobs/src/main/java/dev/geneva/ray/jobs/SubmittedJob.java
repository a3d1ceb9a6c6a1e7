package dev.geneva.ray.jobs;

/**
 * What {@code POST /api/jobs/} answers.
 *
 * @param submissionId the submission id, used in every later call about the job
 * @param jobId the job id ({@code job_id} in the response; Ray sets it equal to the submission id)
 */
public record SubmittedJob(String submissionId, String jobId) {}
