package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code RayJob.status}: what KubeRay reports, as far as Geneva reads it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RayJobStatus {
  private String jobId;
  private String jobStatus;
  private String jobDeploymentStatus;
  private String reason;
  private String message;
  private String rayClusterName;
  private String dashboardURL;
  private String startTime;
  private String endTime;

  /**
   * The Ray job's submission id KubeRay chose.
   *
   * @return the value, or null
   */
  public String getJobId() {
    return jobId;
  }

  /**
   * Sets it: the Ray job's submission id KubeRay chose.
   *
   * @param jobId the value
   */
  public void setJobId(String jobId) {
    this.jobId = jobId;
  }

  /**
   * The Ray job's status: PENDING, RUNNING, STOPPED, SUCCEEDED or FAILED (empty before submission).
   *
   * @return the value, or null
   */
  public String getJobStatus() {
    return jobStatus;
  }

  /**
   * Sets it: the Ray job's status: PENDING, RUNNING, STOPPED, SUCCEEDED or FAILED (empty before
   * submission).
   *
   * @param jobStatus the value
   */
  public void setJobStatus(String jobStatus) {
    this.jobStatus = jobStatus;
  }

  /**
   * The RayJob's own status: Initializing, Running, Complete, Failed, ...
   *
   * @return the value, or null
   */
  public String getJobDeploymentStatus() {
    return jobDeploymentStatus;
  }

  /**
   * Sets it: the RayJob's own status: Initializing, Running, Complete, Failed, ...
   *
   * @param jobDeploymentStatus the value
   */
  public void setJobDeploymentStatus(String jobDeploymentStatus) {
    this.jobDeploymentStatus = jobDeploymentStatus;
  }

  /**
   * Why the RayJob failed (1.2 and newer), e.g. DeadlineExceeded.
   *
   * @return the value, or null
   */
  public String getReason() {
    return reason;
  }

  /**
   * Sets it: why the RayJob failed (1.2 and newer), e.g. DeadlineExceeded.
   *
   * @param reason the value
   */
  public void setReason(String reason) {
    this.reason = reason;
  }

  /**
   * The Ray job's message.
   *
   * @return the value, or null
   */
  public String getMessage() {
    return message;
  }

  /**
   * Sets it: the Ray job's message.
   *
   * @param message the value
   */
  public void setMessage(String message) {
    this.message = message;
  }

  /**
   * The name of the RayCluster KubeRay created.
   *
   * @return the value, or null
   */
  public String getRayClusterName() {
    return rayClusterName;
  }

  /**
   * Sets it: the name of the RayCluster KubeRay created.
   *
   * @param rayClusterName the value
   */
  public void setRayClusterName(String rayClusterName) {
    this.rayClusterName = rayClusterName;
  }

  /**
   * The cluster's dashboard address, inside the Kubernetes cluster.
   *
   * @return the value, or null
   */
  @JsonProperty("dashboardURL")
  public String getDashboardURL() {
    return dashboardURL;
  }

  /**
   * Sets it: the cluster's dashboard address, inside the Kubernetes cluster.
   *
   * @param dashboardURL the value
   */
  @JsonProperty("dashboardURL")
  public void setDashboardURL(String dashboardURL) {
    this.dashboardURL = dashboardURL;
  }

  /**
   * When the RayJob started (RFC 3339).
   *
   * @return the value, or null
   */
  public String getStartTime() {
    return startTime;
  }

  /**
   * Sets it: when the RayJob started (RFC 3339).
   *
   * @param startTime the value
   */
  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  /**
   * When the RayJob ended (RFC 3339).
   *
   * @return the value, or null
   */
  public String getEndTime() {
    return endTime;
  }

  /**
   * Sets it: when the RayJob ended (RFC 3339).
   *
   * @param endTime the value
   */
  public void setEndTime(String endTime) {
    this.endTime = endTime;
  }
}
