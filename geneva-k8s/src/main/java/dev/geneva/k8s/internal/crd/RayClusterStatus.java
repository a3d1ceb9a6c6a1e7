package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code RayCluster.status} as KubeRay 1.1 to 1.7 write it: 1.1 sets {@code state}; 1.2 adds {@code
 * head.podName}/{@code serviceName} and, with a feature gate, {@code conditions}; 1.3+ sets
 * conditions such as {@code RayClusterProvisioned} and {@code HeadPodReady}. Unknown fields are
 * ignored.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RayClusterStatus {
  private String state;
  private String reason;
  private List<Condition> conditions = new ArrayList<>();
  private HeadInfo head;
  private Map<String, String> endpoints = new LinkedHashMap<>();
  private Integer readyWorkerReplicas;
  private Integer availableWorkerReplicas;
  private Integer desiredWorkerReplicas;
  private Long observedGeneration;

  /**
   * The state, e.g. "ready", "failed", "suspended" (empty on 1.3+ until ready).
   *
   * @return the state, or null
   */
  public String getState() {
    return state;
  }

  /**
   * Sets the state.
   *
   * @param state the state
   */
  public void setState(String state) {
    this.state = state;
  }

  /**
   * Why the state is what it is.
   *
   * @return the reason, or null
   */
  public String getReason() {
    return reason;
  }

  /**
   * Sets the reason.
   *
   * @param reason the reason
   */
  public void setReason(String reason) {
    this.reason = reason;
  }

  /**
   * The conditions (1.2 with the feature gate, 1.3+).
   *
   * @return the conditions, never null
   */
  public List<Condition> getConditions() {
    return conditions == null ? List.of() : conditions;
  }

  /**
   * Sets the conditions.
   *
   * @param conditions the conditions
   */
  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  /**
   * The head pod and service.
   *
   * @return the head info, or null
   */
  public HeadInfo getHead() {
    return head;
  }

  /**
   * Sets the head info.
   *
   * @param head the head info
   */
  public void setHead(HeadInfo head) {
    this.head = head;
  }

  /**
   * Named ports of the head service, e.g. {@code dashboard: "8265"}.
   *
   * @return the endpoints, never null
   */
  public Map<String, String> getEndpoints() {
    return endpoints == null ? Map.of() : endpoints;
  }

  /**
   * Sets the endpoints.
   *
   * @param endpoints the endpoints
   */
  public void setEndpoints(Map<String, String> endpoints) {
    this.endpoints = endpoints;
  }

  /**
   * Ready workers (1.2+).
   *
   * @return the count, or null
   */
  public Integer getReadyWorkerReplicas() {
    return readyWorkerReplicas;
  }

  /**
   * Sets ready workers.
   *
   * @param readyWorkerReplicas the count
   */
  public void setReadyWorkerReplicas(Integer readyWorkerReplicas) {
    this.readyWorkerReplicas = readyWorkerReplicas;
  }

  /**
   * Running workers.
   *
   * @return the count, or null
   */
  public Integer getAvailableWorkerReplicas() {
    return availableWorkerReplicas;
  }

  /**
   * Sets running workers.
   *
   * @param availableWorkerReplicas the count
   */
  public void setAvailableWorkerReplicas(Integer availableWorkerReplicas) {
    this.availableWorkerReplicas = availableWorkerReplicas;
  }

  /**
   * Desired workers.
   *
   * @return the count, or null
   */
  public Integer getDesiredWorkerReplicas() {
    return desiredWorkerReplicas;
  }

  /**
   * Sets desired workers.
   *
   * @param desiredWorkerReplicas the count
   */
  public void setDesiredWorkerReplicas(Integer desiredWorkerReplicas) {
    this.desiredWorkerReplicas = desiredWorkerReplicas;
  }

  /**
   * The generation KubeRay last acted on.
   *
   * @return the generation, or null
   */
  public Long getObservedGeneration() {
    return observedGeneration;
  }

  /**
   * Sets the observed generation.
   *
   * @param observedGeneration the generation
   */
  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  /** {@code status.head}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class HeadInfo {
    private String podName;
    private String podIP;
    private String serviceName;
    private String serviceIP;

    /**
     * The head pod's name (1.2+).
     *
     * @return the name, or null
     */
    public String getPodName() {
      return podName;
    }

    /**
     * Sets the head pod's name.
     *
     * @param podName the name
     */
    public void setPodName(String podName) {
      this.podName = podName;
    }

    /**
     * The head pod's IP.
     *
     * @return the IP, or null
     */
    public String getPodIP() {
      return podIP;
    }

    /**
     * Sets the head pod's IP.
     *
     * @param podIP the IP
     */
    public void setPodIP(String podIP) {
      this.podIP = podIP;
    }

    /**
     * The head service's name (1.2+).
     *
     * @return the name, or null
     */
    public String getServiceName() {
      return serviceName;
    }

    /**
     * Sets the head service's name.
     *
     * @param serviceName the name
     */
    public void setServiceName(String serviceName) {
      this.serviceName = serviceName;
    }

    /**
     * The head service's IP (none when headless).
     *
     * @return the IP, or null
     */
    public String getServiceIP() {
      return serviceIP;
    }

    /**
     * Sets the head service's IP.
     *
     * @param serviceIP the IP
     */
    public void setServiceIP(String serviceIP) {
      this.serviceIP = serviceIP;
    }
  }
}
