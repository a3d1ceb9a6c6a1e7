package dev.geneva.k8s.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fake KubeRay operator for the mock API server: watches RayClusters (as generic resources, not
 * through Geneva's model), creates the head and worker pods and the head service, and writes the
 * status the way a given KubeRay version does.
 */
public final class FakeKubeRay implements AutoCloseable {
  /** Which KubeRay's status to imitate. */
  public enum Version {
    /** {@code status.state} only (no head pod name, no conditions). */
    V1_1,
    /** {@code state} plus {@code head.podName}/{@code serviceName}. */
    V1_2,
    /** Conditions ({@code RayClusterProvisioned}, {@code HeadPodReady}); no state. */
    V1_3
  }

  /** What happens to the pods. */
  public enum Behaviour {
    /** Everything becomes ready. */
    HEALTHY,
    /** The head container crash-loops. */
    CRASH_LOOP,
    /** The head image cannot be pulled. */
    IMAGE_PULL,
    /** No node fits the head pod. */
    UNSCHEDULABLE,
    /** Pods stay Pending with no reason. */
    NEVER_READY
  }

  /** RayCluster as a generic resource. */
  public static final ResourceDefinitionContext RAY_CLUSTER =
      new ResourceDefinitionContext.Builder()
          .withGroup("ray.io")
          .withVersion("v1")
          .withKind("RayCluster")
          .withPlural("rayclusters")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final String namespace;
  private final Version version;
  private final Behaviour behaviour;
  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final List<GenericKubernetesResource> seen = new CopyOnWriteArrayList<>();
  private Watch watch;

  /**
   * Creates it; call {@link #start()}.
   *
   * @param client the mock server's client
   * @param namespace the namespace to watch
   * @param version the KubeRay version to imitate
   * @param behaviour what happens to the pods
   */
  public FakeKubeRay(
      KubernetesClient client, String namespace, Version version, Behaviour behaviour) {
    this.client = client;
    this.namespace = namespace;
    this.version = version;
    this.behaviour = behaviour;
  }

  /**
   * Starts watching.
   *
   * @return this
   */
  public FakeKubeRay start() {
    watch =
        client
            .genericKubernetesResources(RAY_CLUSTER)
            .inNamespace(namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, GenericKubernetesResource rc) {
                    // Runs on the HTTP client's thread: only hand the work to the operator's
                    // own thread, never call the API from here.
                    if (action == Action.ADDED) {
                      seen.add(rc);
                      worker.submit(() -> guard(() -> provision(rc)));
                    } else if (action == Action.DELETED && behaviour == Behaviour.HEALTHY) {
                      worker.submit(() -> guard(() -> collectGarbage(rc.getMetadata().getName())));
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    return this;
  }

  /**
   * RayClusters the operator saw created, as sent.
   *
   * @return the resources
   */
  public List<GenericKubernetesResource> seen() {
    return seen;
  }

  /**
   * Errors inside the operator (a test should assert there are none).
   *
   * @return the errors
   */
  public List<Throwable> errors() {
    return errors;
  }

  private void guard(Runnable r) {
    try {
      r.run();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) {
        errors.add(e); // 404: the SDK deleted the cluster first, as after a fail-fast start
      }
    } catch (Throwable t) {
      errors.add(t);
    }
  }

  @SuppressWarnings("unchecked")
  private void provision(GenericKubernetesResource rc) {
    String name = rc.getMetadata().getName();
    Map<String, Object> spec = (Map<String, Object>) rc.getAdditionalProperties().get("spec");
    String headPod = name + "-head-x7k2p";
    String service = name + "-head-svc";
    Map<String, String> headLabels = rayLabels(name, "head", "headgroup");
    // The event first, so a fail-fast start always finds it in the real order's worst case.
    failureEvent(headPod);
    createPod(headPod, headLabels, headStatus());
    client
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(service)
                .withLabels(headLabels)
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .withSelector(headLabels)
                .endSpec()
                .build())
        .create();
    int workers = 0;
    for (Map<String, Object> group :
        (List<Map<String, Object>>) spec.getOrDefault("workerGroupSpecs", List.of())) {
      String groupName = (String) group.get("groupName");
      int replicas = ((Number) group.getOrDefault("replicas", 0)).intValue();
      for (int i = 0; i < replicas; i++) {
        createPod(
            name + "-" + groupName + "-worker-" + i,
            rayLabels(name, "worker", groupName),
            behaviour == Behaviour.HEALTHY ? running() : pending(List.of()));
        workers++;
      }
    }
    writeStatus(name, headPod, service, workers);
  }

  private void failureEvent(String pod) {
    String reason;
    String message;
    String type = "Warning";
    switch (behaviour) {
      case CRASH_LOOP -> {
        reason = "BackOff";
        message = "Back-off restarting failed container ray-head in pod " + pod;
      }
      case IMAGE_PULL -> {
        reason = "Failed";
        message = "Failed to pull image \"rayproject/ray:9.9.9-nope\": not found";
      }
      case UNSCHEDULABLE -> {
        reason = "FailedScheduling";
        message = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.";
      }
      default -> {
        return;
      }
    }
    client
        .v1()
        .events()
        .inNamespace(namespace)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(pod + ".event1")
                .endMetadata()
                .withNewInvolvedObject()
                .withKind("Pod")
                .withName(pod)
                .withNamespace(namespace)
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withLastTimestamp(Instant.now().toString())
                .build())
        .create();
  }

  private PodStatus headStatus() {
    return switch (behaviour) {
      case HEALTHY -> running();
      case CRASH_LOOP ->
          new PodStatusBuilder()
              .withPhase("Running")
              .withConditions(condition("Ready", "False", "ContainersNotReady", null))
              .withContainerStatuses(
                  new ContainerStatusBuilder()
                      .withName("ray-head")
                      .withReady(false)
                      .withRestartCount(4)
                      .withNewState()
                      .withNewWaiting()
                      .withReason("CrashLoopBackOff")
                      .withMessage("back-off 1m20s restarting failed container=ray-head")
                      .endWaiting()
                      .endState()
                      .build())
              .build();
      case IMAGE_PULL ->
          new PodStatusBuilder()
              .withPhase("Pending")
              .withContainerStatuses(
                  new ContainerStatusBuilder()
                      .withName("ray-head")
                      .withReady(false)
                      .withNewState()
                      .withNewWaiting()
                      .withReason("ImagePullBackOff")
                      .withMessage("Back-off pulling image \"rayproject/ray:9.9.9-nope\"")
                      .endWaiting()
                      .endState()
                      .build())
              .build();
      case UNSCHEDULABLE ->
          pending(
              List.of(
                  condition(
                      "PodScheduled",
                      "False",
                      "Unschedulable",
                      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")));
      case NEVER_READY -> pending(List.of());
    };
  }

  private static PodStatus running() {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP("10.0.0.5")
        .withConditions(
            condition("PodScheduled", "True", null, null), condition("Ready", "True", null, null))
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("ray")
                .withReady(true)
                .withNewState()
                .withNewRunning()
                .withStartedAt(Instant.now().toString())
                .endRunning()
                .endState()
                .build())
        .build();
  }

  private static PodStatus pending(List<io.fabric8.kubernetes.api.model.PodCondition> conditions) {
    return new PodStatusBuilder().withPhase("Pending").withConditions(conditions).build();
  }

  private static io.fabric8.kubernetes.api.model.PodCondition condition(
      String type, String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  private static Map<String, String> rayLabels(String cluster, String nodeType, String group) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("ray.io/cluster", cluster);
    labels.put("ray.io/node-type", nodeType);
    labels.put("ray.io/group", group);
    return labels;
  }

  private void createPod(String name, Map<String, String> labels, PodStatus status) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("ray")
            .withImage("rayproject/ray:2.39.0-py310")
            .endContainer()
            .endSpec()
            .withStatus(status)
            .build();
    client.pods().inNamespace(namespace).resource(pod).create();
  }

  private void writeStatus(String name, String headPod, String service, int workers) {
    boolean healthy = behaviour == Behaviour.HEALTHY;
    Map<String, Object> status = new LinkedHashMap<>();
    Map<String, Object> head = new LinkedHashMap<>();
    head.put("podIP", "10.0.0.5");
    if (version != Version.V1_1) {
      head.put("podName", headPod);
      head.put("serviceName", service);
    }
    status.put("head", head);
    status.put("endpoints", Map.of("client", "10001", "dashboard", "8265", "gcs-server", "6379"));
    status.put("desiredWorkerReplicas", workers);
    status.put("availableWorkerReplicas", healthy ? workers : 0);
    status.put("observedGeneration", 1);
    switch (version) {
      case V1_1 -> {
        if (healthy) {
          status.put("state", "ready");
        }
      }
      case V1_2 -> {
        status.put("readyWorkerReplicas", healthy ? workers : 0);
        if (healthy) {
          status.put("state", "ready");
        }
      }
      case V1_3 -> {
        status.put("readyWorkerReplicas", healthy ? workers : 0);
        List<Map<String, Object>> conditions = new ArrayList<>();
        String now = Instant.now().toString().replaceAll("\\.\\d+Z$", "Z");
        conditions.add(
            Map.of(
                "type",
                "HeadPodReady",
                "status",
                healthy ? "True" : "False",
                "reason",
                healthy ? "HeadPodRunningAndReady" : "HeadPodNotFound",
                "lastTransitionTime",
                now,
                "message",
                ""));
        conditions.add(
            Map.of(
                "type",
                "RayClusterProvisioned",
                "status",
                healthy ? "True" : "False",
                "reason",
                healthy ? "AllPodRunningAndReadyFirstTime" : "RayClusterPodsProvisioning",
                "lastTransitionTime",
                now,
                "message",
                ""));
        status.put("conditions", conditions);
      }
      default -> throw new IllegalStateException();
    }
    // A real operator retries a conflict; here the SDK's lease renewals (a merge patch of an
    // annotation, every second with a short lease) can change the resource version between the
    // read and the write of editStatus.
    for (int attempt = 1; ; attempt++) {
      try {
        client
            .genericKubernetesResources(RAY_CLUSTER)
            .inNamespace(namespace)
            .withName(name)
            .editStatus(
                r -> {
                  r.setAdditionalProperty("status", status);
                  return r;
                });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  private void collectGarbage(String cluster) {
    client.pods().inNamespace(namespace).withLabel("ray.io/cluster", cluster).delete();
    client.services().inNamespace(namespace).withLabel("ray.io/cluster", cluster).delete();
  }

  @Override
  public void close() throws InterruptedException {
    if (watch != null) {
      watch.close();
    }
    worker.shutdown();
    if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
      worker.shutdownNow();
      errors.add(new IllegalStateException("the fake operator was still working 10 s after close"));
    }
  }
}
