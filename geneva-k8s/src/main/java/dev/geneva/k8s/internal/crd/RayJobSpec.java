package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** {@code RayJob.spec}: the fields of KubeRay 1.1's {@code v1} schema that Geneva sets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RayJobSpec {
  private String entrypoint;
  private Map<String, String> metadata;
  private String runtimeEnvYAML;
  private String submissionMode;
  private Boolean shutdownAfterJobFinishes;
  private Integer ttlSecondsAfterFinished;
  private Integer activeDeadlineSeconds;
  private RayClusterSpec rayClusterSpec;

  /**
   * The shell command of the Ray job.
   *
   * @return the entrypoint
   */
  public String getEntrypoint() {
    return entrypoint;
  }

  /**
   * Sets the shell command.
   *
   * @param entrypoint the command
   */
  public void setEntrypoint(String entrypoint) {
    this.entrypoint = entrypoint;
  }

  /**
   * The Ray job's metadata.
   *
   * @return the metadata, or null
   */
  public Map<String, String> getMetadata() {
    return metadata;
  }

  /**
   * Sets the Ray job's metadata.
   *
   * @param metadata the metadata
   */
  public void setMetadata(Map<String, String> metadata) {
    this.metadata = metadata;
  }

  /**
   * The runtime environment as YAML (Geneva writes JSON, which is YAML).
   *
   * @return the text, or null
   */
  @JsonProperty("runtimeEnvYAML")
  public String getRuntimeEnvYAML() {
    return runtimeEnvYAML;
  }

  /**
   * Sets the runtime environment.
   *
   * @param runtimeEnvYAML the YAML text
   */
  @JsonProperty("runtimeEnvYAML")
  public void setRuntimeEnvYAML(String runtimeEnvYAML) {
    this.runtimeEnvYAML = runtimeEnvYAML;
  }

  /**
   * How KubeRay submits the job: {@code K8sJobMode} (its default) or {@code HTTPMode}.
   *
   * @return the mode, or null
   */
  public String getSubmissionMode() {
    return submissionMode;
  }

  /**
   * Sets the submission mode.
   *
   * @param submissionMode the mode
   */
  public void setSubmissionMode(String submissionMode) {
    this.submissionMode = submissionMode;
  }

  /**
   * Whether KubeRay deletes the cluster when the job ends.
   *
   * @return the flag, or null
   */
  public Boolean getShutdownAfterJobFinishes() {
    return shutdownAfterJobFinishes;
  }

  /**
   * Sets whether KubeRay deletes the cluster when the job ends.
   *
   * @param shutdownAfterJobFinishes the flag
   */
  public void setShutdownAfterJobFinishes(Boolean shutdownAfterJobFinishes) {
    this.shutdownAfterJobFinishes = shutdownAfterJobFinishes;
  }

  /**
   * Seconds after the job's end before the cluster is deleted.
   *
   * @return the seconds, or null
   */
  public Integer getTtlSecondsAfterFinished() {
    return ttlSecondsAfterFinished;
  }

  /**
   * Sets the seconds after the job's end before the cluster is deleted.
   *
   * @param ttlSecondsAfterFinished the seconds
   */
  public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) {
    this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
  }

  /**
   * Seconds the RayJob may run before KubeRay fails it.
   *
   * @return the seconds, or null
   */
  public Integer getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  /**
   * Sets the seconds the RayJob may run.
   *
   * @param activeDeadlineSeconds the seconds
   */
  public void setActiveDeadlineSeconds(Integer activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }

  /**
   * The cluster KubeRay creates for the job.
   *
   * @return the cluster's spec
   */
  public RayClusterSpec getRayClusterSpec() {
    return rayClusterSpec;
  }

  /**
   * Sets the cluster KubeRay creates for the job.
   *
   * @param rayClusterSpec the cluster's spec
   */
  public void setRayClusterSpec(RayClusterSpec rayClusterSpec) {
    this.rayClusterSpec = rayClusterSpec;
  }
}
