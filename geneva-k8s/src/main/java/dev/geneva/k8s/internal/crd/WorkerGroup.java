package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** One entry of {@code RayCluster.spec.workerGroupSpecs}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class WorkerGroup {
  private String groupName;
  private Integer replicas;
  private Integer minReplicas;
  private Integer maxReplicas;
  private Integer idleTimeoutSeconds;

  // Always serialised, even empty: KubeRay up to 1.3 requires it.
  @JsonInclude(JsonInclude.Include.ALWAYS)
  private Map<String, String> rayStartParams = new LinkedHashMap<>();

  private PodTemplateSpec template;

  /**
   * The group name.
   *
   * @return the name
   */
  public String getGroupName() {
    return groupName;
  }

  /**
   * Sets the group name.
   *
   * @param groupName the name
   */
  public void setGroupName(String groupName) {
    this.groupName = groupName;
  }

  /**
   * Desired pods.
   *
   * @return the replicas
   */
  public Integer getReplicas() {
    return replicas;
  }

  /**
   * Sets the desired pods.
   *
   * @param replicas the replicas
   */
  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  /**
   * Fewest pods.
   *
   * @return the minimum
   */
  public Integer getMinReplicas() {
    return minReplicas;
  }

  /**
   * Sets the fewest pods.
   *
   * @param minReplicas the minimum
   */
  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  /**
   * Most pods.
   *
   * @return the maximum
   */
  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  /**
   * Sets the most pods.
   *
   * @param maxReplicas the maximum
   */
  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  /**
   * Seconds an idle worker of this group lives (KubeRay 1.3 and newer; read by autoscaler v2).
   *
   * @return the seconds, or null
   */
  public Integer getIdleTimeoutSeconds() {
    return idleTimeoutSeconds;
  }

  /**
   * Sets the group's idle timeout.
   *
   * @param idleTimeoutSeconds the seconds, or null to leave it out
   */
  public void setIdleTimeoutSeconds(Integer idleTimeoutSeconds) {
    this.idleTimeoutSeconds = idleTimeoutSeconds;
  }

  /**
   * The {@code ray start} parameters.
   *
   * @return the parameters
   */
  public Map<String, String> getRayStartParams() {
    return rayStartParams;
  }

  /**
   * Sets the parameters.
   *
   * @param rayStartParams the parameters
   */
  public void setRayStartParams(Map<String, String> rayStartParams) {
    this.rayStartParams = rayStartParams;
  }

  /**
   * The pod template.
   *
   * @return the template
   */
  public PodTemplateSpec getTemplate() {
    return template;
  }

  /**
   * Sets the pod template.
   *
   * @param template the template
   */
  public void setTemplate(PodTemplateSpec template) {
    this.template = template;
  }
}
