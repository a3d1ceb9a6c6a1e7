package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code RayCluster.spec.autoscalerOptions} (the fields Geneva sets). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class AutoscalerOptions {
  private Integer idleTimeoutSeconds;
  private String upscalingMode;

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
}
