package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** {@code RayCluster.spec.autoscalerOptions} (the fields Geneva sets). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class AutoscalerOptions {
  private Integer idleTimeoutSeconds;
  private String upscalingMode;
  private String imagePullPolicy;
  private ResourceRequirements resources;

  /**
   * Seconds an idle worker lives before the autoscaler removes it.
   *
   * @return the seconds, or null
   */
  public Integer getIdleTimeoutSeconds() {
    return idleTimeoutSeconds;
  }

  /**
   * Sets the idle timeout.
   *
   * @param idleTimeoutSeconds the seconds
   */
  public void setIdleTimeoutSeconds(Integer idleTimeoutSeconds) {
    this.idleTimeoutSeconds = idleTimeoutSeconds;
  }

  /**
   * The upscaling mode (Default, Aggressive, Conservative).
   *
   * @return the mode, or null
   */
  public String getUpscalingMode() {
    return upscalingMode;
  }

  /**
   * Sets the upscaling mode.
   *
   * @param upscalingMode the mode
   */
  public void setUpscalingMode(String upscalingMode) {
    this.upscalingMode = upscalingMode;
  }

  /**
   * The autoscaler sidecar's image pull policy.
   *
   * @return the policy, or null
   */
  public String getImagePullPolicy() {
    return imagePullPolicy;
  }

  /**
   * Sets the sidecar's image pull policy.
   *
   * @param imagePullPolicy the policy
   */
  public void setImagePullPolicy(String imagePullPolicy) {
    this.imagePullPolicy = imagePullPolicy;
  }

  /**
   * The autoscaler sidecar's resources.
   *
   * @return the resources, or null
   */
  public ResourceRequirements getResources() {
    return resources;
  }

  /**
   * Sets the sidecar's resources.
   *
   * @param resources the requests and limits
   */
  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}
