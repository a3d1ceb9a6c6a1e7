package dev.geneva.ray.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.geneva.InvalidInputException;
import dev.geneva.ray.jobs.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A job to submit with {@link RayJobsClient#submit(JobSubmission)}: the body of {@code POST
 * /api/jobs/}. Unset optional fields are left out of the request, as Ray's own client does.
 *
 * <p>{@link #toString()} shows the runtime environment's keys only, since its {@code env_vars} may
 * carry storage options.
 */
public final class JobSubmission {
  private final String entrypoint;
  private final String submissionId;
  private final Map<String, Object> runtimeEnv;
  private final Map<String, String> metadata;
  private final Double entrypointNumCpus;
  private final Double entrypointNumGpus;
  private final Long entrypointMemory;
  private final Map<String, Double> entrypointResources;

  private JobSubmission(Builder b) {
    this.entrypoint = b.entrypoint;
    this.submissionId = b.submissionId;
    this.runtimeEnv = Map.copyOf(b.runtimeEnv);
    this.metadata = Map.copyOf(b.metadata);
    this.entrypointNumCpus = b.entrypointNumCpus;
    this.entrypointNumGpus = b.entrypointNumGpus;
    this.entrypointMemory = b.entrypointMemory;
    this.entrypointResources = Map.copyOf(b.entrypointResources);
  }

  /**
   * Starts a submission.
   *
   * @param entrypoint the shell command the job runs
   * @return a builder
   */
  public static Builder builder(String entrypoint) {
    return new Builder(entrypoint);
  }

  /**
   * The shell command the job runs.
   *
   * @return the entrypoint
   */
  public String entrypoint() {
    return entrypoint;
  }

  /**
   * The submission id chosen by the caller, if any (Ray makes one up otherwise).
   *
   * @return the id
   */
  public Optional<String> submissionId() {
    return Optional.ofNullable(submissionId);
  }

  /**
   * The runtime environment ({@code working_dir}, {@code java_jars}, {@code env_vars}, ...).
   *
   * @return the runtime environment
   */
  public Map<String, Object> runtimeEnv() {
    return runtimeEnv;
  }

  /**
   * User metadata stored with the job.
   *
   * @return the metadata
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The request body Ray's Jobs API expects.
   *
   * @return the JSON object
   */
  public ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.put("entrypoint", entrypoint);
    if (submissionId != null) {
      o.put("submission_id", submissionId);
    }
    if (!runtimeEnv.isEmpty()) {
      o.set("runtime_env", Json.MAPPER.valueToTree(runtimeEnv));
    }
    if (!metadata.isEmpty()) {
      o.set("metadata", Json.MAPPER.valueToTree(metadata));
    }
    if (entrypointNumCpus != null) {
      o.put("entrypoint_num_cpus", entrypointNumCpus);
    }
    if (entrypointNumGpus != null) {
      o.put("entrypoint_num_gpus", entrypointNumGpus);
    }
    if (entrypointMemory != null) {
      o.put("entrypoint_memory", entrypointMemory);
    }
    if (!entrypointResources.isEmpty()) {
      o.set("entrypoint_resources", Json.MAPPER.valueToTree(entrypointResources));
    }
    return o;
  }

  @Override
  public String toString() {
    return "JobSubmission{submissionId="
        + submissionId
        + ", entrypoint="
        + entrypoint
        + ", runtimeEnv keys="
        + runtimeEnv.keySet()
        + ", metadata="
        + metadata
        + "}";
  }

  /** Builds a {@link JobSubmission}. */
  public static final class Builder {
    private final String entrypoint;
    private String submissionId;
    private final Map<String, Object> runtimeEnv = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private Double entrypointNumCpus;
    private Double entrypointNumGpus;
    private Long entrypointMemory;
    private final Map<String, Double> entrypointResources = new LinkedHashMap<>();

    private Builder(String entrypoint) {
      if (entrypoint == null || entrypoint.isBlank()) {
        throw new InvalidInputException("a Ray job needs a non-blank entrypoint command");
      }
      this.entrypoint = entrypoint;
    }

    /**
     * Sets the submission id (unique per cluster).
     *
     * @param submissionId the id, or null to let Ray choose
     * @return this builder
     */
    public Builder submissionId(String submissionId) {
      this.submissionId = submissionId;
      return this;
    }

    /**
     * Sets one runtime environment field, such as {@code working_dir} or {@code env_vars}.
     *
     * @param key the field
     * @param value its JSON-compatible value (string, number, list, map)
     * @return this builder
     */
    public Builder runtimeEnv(String key, Object value) {
      runtimeEnv.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Adds metadata stored with the job.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     */
    public Builder metadata(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Reserves CPUs for the entrypoint (the driver), apart from its tasks.
     *
     * @param cpus the CPUs, at least 0
     * @return this builder
     */
    public Builder entrypointNumCpus(double cpus) {
      this.entrypointNumCpus = nonNegative("entrypointNumCpus", cpus);
      return this;
    }

    /**
     * Reserves GPUs for the entrypoint.
     *
     * @param gpus the GPUs, at least 0
     * @return this builder
     */
    public Builder entrypointNumGpus(double gpus) {
      this.entrypointNumGpus = nonNegative("entrypointNumGpus", gpus);
      return this;
    }

    /**
     * Reserves memory for the entrypoint.
     *
     * @param bytes the memory in bytes, at least 0
     * @return this builder
     */
    public Builder entrypointMemory(long bytes) {
      this.entrypointMemory = (long) nonNegative("entrypointMemory", bytes);
      return this;
    }

    /**
     * Reserves a custom resource for the entrypoint.
     *
     * @param name the resource
     * @param amount the amount, at least 0
     * @return this builder
     */
    public Builder entrypointResource(String name, double amount) {
      entrypointResources.put(
          Objects.requireNonNull(name, "name"), nonNegative("entrypointResource", amount));
      return this;
    }

    private static double nonNegative(String what, double v) {
      if (v < 0 || Double.isNaN(v)) {
        throw new InvalidInputException(what + " must be at least 0, got " + v);
      }
      return v;
    }

    /**
     * Builds the submission.
     *
     * @return the submission
     */
    public JobSubmission build() {
      return new JobSubmission(this);
    }
  }
}
