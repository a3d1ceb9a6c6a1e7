package dev.geneva.k8s.internal;

import dev.geneva.k8s.ClusterStatus;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.internal.crd.RayClusterStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.LinkedHashMap;
import java.util.Map;

/** Converts KubeRay's status of any version to {@link ClusterStatus}. */
public final class Statuses {
  private Statuses() {}

  /**
   * Converts a resource's status.
   *
   * @param rc the resource, or null
   * @return the status (empty when none was written yet)
   */
  public static ClusterStatus of(RayClusterResource rc) {
    RayClusterStatus s = rc == null ? null : rc.getStatus();
    if (s == null) {
      return new ClusterStatus("", "", Map.of(), "", "", "", Map.of(), -1, -1, -1);
    }
    Map<String, String> conditions = new LinkedHashMap<>();
    for (Condition c : s.getConditions()) {
      if (c.getType() != null && c.getStatus() != null) {
        conditions.put(c.getType(), c.getStatus());
      }
    }
    RayClusterStatus.HeadInfo head = s.getHead();
    return new ClusterStatus(
        s.getState(),
        s.getReason(),
        conditions,
        head == null ? null : head.getPodName(),
        head == null ? null : head.getServiceName(),
        head == null ? null : head.getPodIP(),
        s.getEndpoints(),
        s.getReadyWorkerReplicas() == null ? -1 : s.getReadyWorkerReplicas(),
        s.getAvailableWorkerReplicas() == null ? -1 : s.getAvailableWorkerReplicas(),
        s.getDesiredWorkerReplicas() == null ? -1 : s.getDesiredWorkerReplicas());
  }
}
