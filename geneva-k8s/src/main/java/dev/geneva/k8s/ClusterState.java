package dev.geneva.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link ReadinessCheck} sees while waiting: the RayCluster's status and its pods, as last
 * delivered by the watches.
 *
 * @param exists whether the RayCluster exists
 * @param status its status
 * @param pods the pods labelled {@code ray.io/cluster=<name>}
 */
public record ClusterState(boolean exists, ClusterStatus status, List<Pod> pods) {

  /**
   * Copies the list.
   *
   * @param exists whether it exists
   * @param status the status
   * @param pods the pods
   */
  public ClusterState {
    pods = List.copyOf(pods);
  }

  /**
   * The head pod: {@code status.head.podName} (KubeRay 1.2+), else the pod labelled {@code
   * ray.io/node-type=head}.
   *
   * @return the head pod, if it exists yet
   */
  public Optional<Pod> headPod() {
    Optional<Pod> byName =
        status
            .headPod()
            .flatMap(
                n -> pods.stream().filter(p -> n.equals(p.getMetadata().getName())).findFirst());
    if (byName.isPresent()) {
      return byName;
    }
    return pods.stream()
        .filter(p -> p.getMetadata().getLabels() != null)
        .filter(p -> "head".equals(p.getMetadata().getLabels().get("ray.io/node-type")))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .findFirst();
  }

  /**
   * Whether the head pod's {@code Ready} condition is True.
   *
   * @return true when ready
   */
  public boolean headPodReady() {
    return headPod().map(ClusterState::podReady).orElse(false);
  }

  /**
   * Whether a pod's {@code Ready} condition is True.
   *
   * @param pod the pod
   * @return true when ready
   */
  public static boolean podReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
