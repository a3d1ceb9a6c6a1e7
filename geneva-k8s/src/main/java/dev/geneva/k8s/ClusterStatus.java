package dev.geneva.k8s;

import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of a RayCluster's status as KubeRay reported it, normalised across KubeRay 1.1 to 1.7.
 *
 * @param state {@code status.state} ("ready", "failed", "suspended"), or "" when unset
 * @param reason {@code status.reason}, or ""
 * @param conditions condition type to status ("True", "False"), e.g. {@code RayClusterProvisioned}
 * @param headPodName {@code status.head.podName} (KubeRay 1.2+), or "" when unknown
 * @param headServiceName {@code status.head.serviceName} (1.2+), or ""
 * @param headPodIp {@code status.head.podIP}, or ""
 * @param endpoints named head service ports, e.g. {@code dashboard -> 8265}
 * @param readyWorkers ready worker pods (1.2+), or -1 when unknown
 * @param availableWorkers running worker pods, or -1 when unknown
 * @param desiredWorkers desired worker pods, or -1 when unknown
 */
public record ClusterStatus(
    String state,
    String reason,
    Map<String, String> conditions,
    String headPodName,
    String headServiceName,
    String headPodIp,
    Map<String, String> endpoints,
    int readyWorkers,
    int availableWorkers,
    int desiredWorkers) {

  /** Condition KubeRay 1.2 (feature gate) and 1.3+ set once all pods were ready once. */
  public static final String PROVISIONED = "RayClusterProvisioned";

  /**
   * Copies the maps.
   *
   * @param state the state
   * @param reason the reason
   * @param conditions the conditions
   * @param headPodName the head pod
   * @param headServiceName the head service
   * @param headPodIp the head pod IP
   * @param endpoints the endpoints
   * @param readyWorkers ready workers
   * @param availableWorkers available workers
   * @param desiredWorkers desired workers
   */
  public ClusterStatus {
    state = state == null ? "" : state;
    reason = reason == null ? "" : reason;
    conditions = Map.copyOf(conditions);
    headPodName = headPodName == null ? "" : headPodName;
    headServiceName = headServiceName == null ? "" : headServiceName;
    headPodIp = headPodIp == null ? "" : headPodIp;
    endpoints = Map.copyOf(endpoints);
  }

  /**
   * Whether KubeRay considers the cluster provisioned: condition {@code RayClusterProvisioned} is
   * True, or (KubeRay 1.1/1.2) {@code state} is "ready".
   *
   * @return true once provisioned
   */
  public boolean provisioned() {
    return "True".equals(conditions.get(PROVISIONED)) || "ready".equalsIgnoreCase(state);
  }

  /**
   * Whether KubeRay gave up on the cluster ({@code state == "failed"}).
   *
   * @return true when failed
   */
  public boolean failed() {
    return "failed".equalsIgnoreCase(state);
  }

  /**
   * The head pod's name when KubeRay reports it.
   *
   * @return the name
   */
  public Optional<String> headPod() {
    return headPodName.isEmpty() ? Optional.empty() : Optional.of(headPodName);
  }
}
