package dev.geneva.k8s.internal;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Pod failure reasons and recent events, for fail-fast and timeout messages. */
public final class Diagnostics {
  /** Container waiting reasons that will not fix themselves. */
  static final Set<String> FATAL_WAITING =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError");

  private Diagnostics() {}

  /**
   * Why a pod will not become ready on its own, if it will not.
   *
   * @param pod the pod
   * @return e.g. "container ray-head: CrashLoopBackOff (back-off 5m0s restarting ...)"
   */
  public static Optional<String> fatalReason(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getContainerStatuses());
    }
    for (ContainerStatus cs : statuses) {
      if (cs.getState() != null
          && cs.getState().getWaiting() != null
          && FATAL_WAITING.contains(cs.getState().getWaiting().getReason())) {
        String msg = cs.getState().getWaiting().getMessage();
        return Optional.of(
            "container "
                + cs.getName()
                + ": "
                + cs.getState().getWaiting().getReason()
                + (msg == null || msg.isEmpty() ? "" : " (" + msg + ")"));
      }
    }
    return Optional.empty();
  }

  /**
   * The Unschedulable condition's message, if the scheduler cannot place the pod.
   *
   * @param pod the pod
   * @return the message
   */
  public static Optional<String> unschedulable(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("PodScheduled".equals(c.getType())
          && "False".equals(c.getStatus())
          && "Unschedulable".equals(c.getReason())) {
        return Optional.of(
            "Unschedulable" + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")"));
      }
    }
    return Optional.empty();
  }

  /**
   * One line per pod: name, phase, readiness and waiting reasons.
   *
   * @param pods the pods
   * @return the summary
   */
  public static String podSummary(List<Pod> pods) {
    if (pods.isEmpty()) {
      return "no pods yet (is the KubeRay operator running?)";
    }
    return pods.stream()
        .map(
            p -> {
              String phase = p.getStatus() == null ? "?" : p.getStatus().getPhase();
              String reason =
                  fatalReason(p)
                      .or(() -> unschedulable(p))
                      .orElse(
                          p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                              ? p.getStatus().getContainerStatuses().stream()
                                  .filter(
                                      cs ->
                                          cs.getState() != null
                                              && cs.getState().getWaiting() != null)
                                  .map(
                                      cs ->
                                          cs.getName()
                                              + " waiting: "
                                              + cs.getState().getWaiting().getReason())
                                  .collect(Collectors.joining(", "))
                              : "");
              return p.getMetadata().getName()
                  + " phase="
                  + phase
                  + " ready="
                  + dev.geneva.k8s.ClusterState.podReady(p)
                  + (reason.isEmpty() ? "" : " " + reason);
            })
        .collect(Collectors.joining("; "));
  }

  /**
   * The last events about the given objects, oldest first.
   *
   * @param client the client
   * @param namespace the namespace
   * @param names names of the pods and the RayCluster
   * @param max how many
   * @return one line per event, or a note when events cannot be read
   */
  public static List<String> recentEvents(
      KubernetesClient client, String namespace, Set<String> names, int max) {
    try {
      List<Event> events = client.v1().events().inNamespace(namespace).list().getItems();
      return events.stream()
          .filter(
              e -> e.getInvolvedObject() != null && names.contains(e.getInvolvedObject().getName()))
          .sorted(Comparator.comparing(Diagnostics::time))
          .map(
              e ->
                  e.getInvolvedObject().getKind()
                      + "/"
                      + e.getInvolvedObject().getName()
                      + " "
                      + e.getType()
                      + " "
                      + e.getReason()
                      + ": "
                      + e.getMessage())
          .collect(
              Collectors.collectingAndThen(
                  Collectors.toList(), l -> l.subList(Math.max(0, l.size() - max), l.size())));
    } catch (KubernetesClientException e) {
      return List.of("(events unavailable: HTTP " + e.getCode() + ")");
    }
  }

  private static String time(Event e) {
    return Stream.of(
            e.getLastTimestamp(),
            e.getEventTime() == null ? null : e.getEventTime().getTime(),
            e.getFirstTimestamp())
        .filter(t -> t != null)
        .findFirst()
        .orElse("");
  }
}
