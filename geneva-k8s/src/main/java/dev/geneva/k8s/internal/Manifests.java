package dev.geneva.k8s.internal;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.GroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.internal.crd.AutoscalerOptions;
import dev.geneva.k8s.internal.crd.HeadGroup;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.internal.crd.WorkerGroup;
import dev.geneva.ray.jobs.DriverArgs;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link RayCluster} definition as a KubeRay {@code RayCluster} resource, with Geneva
 * (Python)'s pod defaults where the Java SDK has no reason to differ.
 */
public final class Manifests {
  /**
   * Custom Ray resource every CPU-only worker advertises (as Geneva (Python) does), so work that
   * asks for it never lands on a GPU node.
   */
  public static final String CPU_ONLY_RESOURCE = "cpu-only";

  /** How much of {@link #CPU_ONLY_RESOURCE} a CPU-only worker advertises. */
  public static final int CPU_ONLY_AMOUNT = 100_000;

  /**
   * Worker environment Geneva (Python) sets: Ray's memory monitor threshold, and the monitor off
   * (refresh 0), so Ray does not kill workers near the pod limit; a group's own env overrides it.
   */
  public static final Map<String, String> WORKER_ENV =
      Map.of("RAY_memory_usage_threshold", "0.9", "RAY_memory_monitor_refresh_ms", "0");

  /** CPU request = limit of the autoscaler sidecar, as Geneva (Python) sets it. */
  public static final String AUTOSCALER_CPU = "1";

  /** Memory request = limit of the autoscaler sidecar, as Geneva (Python) sets it. */
  public static final String AUTOSCALER_MEMORY = "1Gi";

  private Manifests() {}

  /**
   * Renders the resource with only the fields of the oldest supported KubeRay (1.1).
   *
   * @param cluster the definition
   * @return the resource to create
   */
  public static RayClusterResource render(RayCluster cluster) {
    return render(cluster, KubeRayFeatures.OLDEST);
  }

  /**
   * Renders a started or built handle's resource, with the optional fields the installed KubeRay
   * has: {@link #render(RayClusterSpec, String, KubeRayFeatures)} of its spec and session.
   *
   * @param cluster the handle
   * @param features what the installed CRD has
   * @return the resource to create
   */
  public static RayClusterResource render(RayCluster cluster, KubeRayFeatures features) {
    return render(cluster.spec(), cluster.sessionId(), features);
  }

  /**
   * The labels Geneva puts on every resource it creates.
   *
   * @param owner the owner label's value
   * @param sessionId the handle's session id
   * @return managed-by, owner, session and SDK version
   */
  public static Map<String, String> managedLabels(String owner, String sessionId) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE);
    m.put(RayCluster.OWNER_LABEL, owner);
    m.put(RayCluster.SESSION_LABEL, sessionId);
    m.put(RayCluster.SDK_VERSION_LABEL, SdkVersion.labelValue());
    return m;
  }

  /**
   * The service account a group's pods run as: its own, else (workers) the head's.
   *
   * @param cluster the definition
   * @param group the head group or one of the worker groups
   * @return the service account
   */
  public static String serviceAccount(RayClusterSpec cluster, GroupSpec group) {
    return group
        .serviceAccount()
        .orElseGet(
            () -> cluster.headGroup().serviceAccount().orElse(GroupSpec.DEFAULT_SERVICE_ACCOUNT));
  }

  /**
   * Whether some worker group advertises {@link #CPU_ONLY_RESOURCE}: a group without GPUs whose
   * {@code rayStartParams} do not replace its {@code resources}. Only then may tasks without GPUs
   * ask for it (which keeps them off GPU workers); otherwise they would never be scheduled.
   *
   * @param cluster the cluster
   * @return true when tasks without GPUs can ask for the resource
   */
  public static boolean advertisesCpuOnly(RayClusterSpec cluster) {
    return cluster.workerGroups().stream()
        .anyMatch(w -> w.gpus() == 0 && !w.rayStartParams().containsKey("resources"));
  }

  /**
   * The JVM options of a backfill's Ray job driver on a cluster of this spec: the name of the CPU
   * workers' custom resource when some worker group advertises it (so Ray tasks without GPUs ask
   * for it and stay off GPU workers, as Geneva's do), then the user's options.
   *
   * @param cluster the cluster
   * @param userOptions the user's JVM options
   * @return the options
   */
  public static List<String> driverJvmOptions(RayClusterSpec cluster, List<String> userOptions) {
    List<String> jvm = new ArrayList<>();
    if (advertisesCpuOnly(cluster)) {
      jvm.add("-D" + DriverArgs.CPU_ONLY_RESOURCE_PROPERTY + "=" + CPU_ONLY_RESOURCE);
    }
    jvm.addAll(userOptions);
    return jvm;
  }

  /**
   * The {@code rayStartParams} value that advertises {@code {"cpu-only": 100000}}: Ray wants the
   * JSON object as a quoted string, as in KubeRay's examples and Geneva (Python).
   *
   * @return {@code "{\"cpu-only\": 100000}"} with the outer quotes
   */
  public static String cpuOnlyResourcesParam() {
    return "\"{\\\"" + CPU_ONLY_RESOURCE + "\\\": " + CPU_ONLY_AMOUNT + "}\"";
  }

  /**
   * Renders the resource, with the optional fields the installed KubeRay has.
   *
   * @param cluster the definition
   * @param sessionId the handle's session id, for the labels
   * @param features what the installed CRD has
   * @return the resource to create
   */
  public static RayClusterResource render(
      RayClusterSpec cluster, String sessionId, KubeRayFeatures features) {
    Map<String, String> managed = managedLabels(cluster.owner(), sessionId);
    RayClusterResource rc = new RayClusterResource();
    Map<String, String> labels = new LinkedHashMap<>(cluster.labels());
    labels.putAll(managed);
    rc.setMetadata(
        new ObjectMetaBuilder()
            .withName(cluster.name())
            .withNamespace(cluster.namespace())
            .withLabels(labels)
            .build());
    dev.geneva.k8s.internal.crd.RayClusterSpec spec =
        new dev.geneva.k8s.internal.crd.RayClusterSpec();
    spec.setRayVersion(cluster.rayVersion());

    HeadGroup head = new HeadGroup();
    Map<String, String> headParams = new LinkedHashMap<>();
    headParams.put("num-cpus", "0");
    headParams.put("dashboard-host", "0.0.0.0");
    headParams.putAll(cluster.headGroup().rayStartParams());
    head.setRayStartParams(headParams);
    head.setTemplate(template(cluster, cluster.headGroup(), managed, true));
    spec.setHeadGroupSpec(head);

    List<WorkerGroup> workers = new ArrayList<>();
    boolean autoscaling = false;
    long shortestIdle = Long.MAX_VALUE;
    for (WorkerGroupSpec w : cluster.workerGroups()) {
      WorkerGroup g = new WorkerGroup();
      g.setGroupName(w.name());
      g.setReplicas(w.replicas());
      g.setMinReplicas(w.minReplicas());
      g.setMaxReplicas(w.maxReplicas());
      boolean scales = w.minReplicas() < w.maxReplicas();
      if (scales && features.workerGroupIdleTimeout()) {
        g.setIdleTimeoutSeconds((int) w.idleTimeout().getSeconds());
      }
      Map<String, String> params = new LinkedHashMap<>();
      if (w.gpus() == 0) {
        params.put("resources", cpuOnlyResourcesParam());
      }
      params.putAll(w.rayStartParams());
      g.setRayStartParams(params);
      g.setTemplate(template(cluster, w, managed, false));
      workers.add(g);
      if (scales) {
        autoscaling = true;
        shortestIdle = Math.min(shortestIdle, w.idleTimeout().getSeconds());
      }
    }
    spec.setWorkerGroupSpecs(workers);
    if (autoscaling) {
      spec.setEnableInTreeAutoscaling(true);
      AutoscalerOptions options = new AutoscalerOptions();
      long idle = cluster.idleTimeout().map(Duration::getSeconds).orElse(shortestIdle);
      options.setIdleTimeoutSeconds((int) idle);
      options.setUpscalingMode("Default");
      options.setImagePullPolicy(GroupSpec.DEFAULT_IMAGE_PULL_POLICY);
      Map<String, Quantity> sidecar = new LinkedHashMap<>();
      sidecar.put("cpu", new Quantity(AUTOSCALER_CPU));
      sidecar.put("memory", new Quantity(AUTOSCALER_MEMORY));
      options.setResources(
          new ResourceRequirementsBuilder()
              .withRequests(new LinkedHashMap<>(sidecar))
              .withLimits(new LinkedHashMap<>(sidecar))
              .build());
      spec.setAutoscalerOptions(options);
    }
    rc.setSpec(spec);
    return rc;
  }

  private static PodTemplateSpec template(
      RayClusterSpec cluster, GroupSpec g, Map<String, String> managed, boolean head) {
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(g.cpus()));
    resources.put("memory", new Quantity(g.memory()));
    if (g.gpus() > 0) {
      resources.put(GroupSpec.GPU_RESOURCE, new Quantity(Integer.toString(g.gpus())));
    }
    Map<String, String> envMap = new LinkedHashMap<>();
    if (!head) {
      envMap.put("RAY_memory_usage_threshold", WORKER_ENV.get("RAY_memory_usage_threshold"));
      envMap.put("RAY_memory_monitor_refresh_ms", WORKER_ENV.get("RAY_memory_monitor_refresh_ms"));
    }
    envMap.putAll(g.env());
    List<EnvVar> env = new ArrayList<>();
    envMap.forEach((k, v) -> env.add(new EnvVar(k, v, null)));
    List<ContainerPort> ports =
        head
            ? List.of(
                port("gcs-server", 6379),
                port("dashboard", RayCluster.DASHBOARD_PORT),
                port("client", RayCluster.CLIENT_PORT))
            : List.of();
    Map<String, String> labels = new LinkedHashMap<>(g.labels());
    labels.putAll(managed);
    PodTemplateSpec template =
        new PodTemplateSpecBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withLabels(labels)
                    .withAnnotations(
                        g.annotations().isEmpty() ? null : new LinkedHashMap<>(g.annotations()))
                    .build())
            .withSpec(
                new PodSpecBuilder()
                    .withServiceAccountName(serviceAccount(cluster, g))
                    .withNodeSelector(
                        g.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(g.nodeSelector()))
                    .withTolerations(g.tolerations().isEmpty() ? null : g.tolerations())
                    .withPriorityClassName(g.priorityClassName().orElse(null))
                    .withVolumes(g.volumes().isEmpty() ? null : g.volumes())
                    .withContainers(
                        new ContainerBuilder()
                            .withName(head ? "ray-head" : "ray-worker")
                            .withImage(g.image())
                            .withImagePullPolicy(g.imagePullPolicy())
                            .withPorts(ports.isEmpty() ? null : ports)
                            .withEnv(env.isEmpty() ? null : env)
                            .withVolumeMounts(g.volumeMounts().isEmpty() ? null : g.volumeMounts())
                            .withResources(
                                new ResourceRequirementsBuilder()
                                    .withRequests(new LinkedHashMap<>(resources))
                                    .withLimits(new LinkedHashMap<>(resources))
                                    .build())
                            .build())
                    .build())
            .build();
    if (g.podTemplateOverride().isPresent()) {
      template = g.podTemplateOverride().get().apply(template);
      if (template == null
          || template.getSpec() == null
          || template.getSpec().getContainers() == null
          || template.getSpec().getContainers().isEmpty()) {
        throw new InvalidInputException(
            (head ? "HeadGroupSpec" : "WorkerGroupSpec \"" + g.name() + "\"")
                + ".podTemplateOverride returned a template without containers: return the"
                + " template it was given, changed, with Ray's container first");
      }
    }
    return template;
  }

  private static ContainerPort port(String name, int port) {
    return new ContainerPortBuilder().withName(name).withContainerPort(port).build();
  }
}
