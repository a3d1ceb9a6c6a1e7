package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** {@code RayCluster.spec}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RayClusterSpec {
  private String rayVersion;
  private Boolean enableInTreeAutoscaling;
  private AutoscalerOptions autoscalerOptions;
  private HeadGroup headGroupSpec;
  private List<WorkerGroup> workerGroupSpecs = new ArrayList<>();

  /**
   * The Ray version of the image.
   *
   * @return e.g. "2.39.0"
   */
  public String getRayVersion() {
    return rayVersion;
  }

  /**
   * Sets the Ray version.
   *
   * @param rayVersion e.g. "2.39.0"
   */
  public void setRayVersion(String rayVersion) {
    this.rayVersion = rayVersion;
  }

  /**
   * Whether KubeRay runs the autoscaler sidecar.
   *
   * @return the flag, or null
   */
  public Boolean getEnableInTreeAutoscaling() {
    return enableInTreeAutoscaling;
  }

  /**
   * Sets the autoscaler flag.
   *
   * @param enableInTreeAutoscaling the flag
   */
  public void setEnableInTreeAutoscaling(Boolean enableInTreeAutoscaling) {
    this.enableInTreeAutoscaling = enableInTreeAutoscaling;
  }

  /**
   * The autoscaler options.
   *
   * @return the options, or null
   */
  public AutoscalerOptions getAutoscalerOptions() {
    return autoscalerOptions;
  }

  /**
   * Sets the autoscaler options.
   *
   * @param autoscalerOptions the options
   */
  public void setAutoscalerOptions(AutoscalerOptions autoscalerOptions) {
    this.autoscalerOptions = autoscalerOptions;
  }

  /**
   * The head group.
   *
   * @return the head group
   */
  public HeadGroup getHeadGroupSpec() {
    return headGroupSpec;
  }

  /**
   * Sets the head group.
   *
   * @param headGroupSpec the head group
   */
  public void setHeadGroupSpec(HeadGroup headGroupSpec) {
    this.headGroupSpec = headGroupSpec;
  }

  /**
   * The worker groups.
   *
   * @return the groups
   */
  public List<WorkerGroup> getWorkerGroupSpecs() {
    return workerGroupSpecs;
  }

  /**
   * Sets the worker groups.
   *
   * @param workerGroupSpecs the groups
   */
  public void setWorkerGroupSpecs(List<WorkerGroup> workerGroupSpecs) {
    this.workerGroupSpecs = workerGroupSpecs;
  }
}
