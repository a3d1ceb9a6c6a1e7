package dev.geneva.k8s.internal;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.GroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.internal.crd.AutoscalerOptions;
import dev.geneva.k8s.internal.crd.HeadGroup;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.internal.crd.RayClusterSpec;
import dev.geneva.k8s.internal.crd.WorkerGroup;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link RayCluster} definition as a KubeRay {@code RayCluster} resource. */
public final class Manifests {
  private Manifests() {}

  /**
   * Renders the resource.
   *
   * @param cluster the definition
   * @return the resource to create
   */
  public static RayClusterResource render(RayCluster cluster) {
    Map<String, String> managed = cluster.managedLabels();
    RayClusterResource rc = new RayClusterResource();
    Map<String, String> labels = new LinkedHashMap<>(cluster.labels());
    labels.putAll(managed);
    rc.setMetadata(
        new ObjectMetaBuilder()
            .withName(cluster.name())
            .withNamespace(cluster.namespace())
            .withLabels(labels)
            .build());
    RayClusterSpec spec = new RayClusterSpec();
    spec.setRayVersion(cluster.rayVersion());

    HeadGroup head = new HeadGroup();
    Map<String, String> headParams = new LinkedHashMap<>();
    headParams.put("num-cpus", "0");
    headParams.put("dashboard-host", "0.0.0.0");
    headParams.putAll(cluster.headGroup().rayStartParams());
    head.setRayStartParams(headParams);
    head.setTemplate(template(cluster.headGroup(), managed, true));
    spec.setHeadGroupSpec(head);

    List<WorkerGroup> workers = new ArrayList<>();
    boolean autoscaling = false;
    for (WorkerGroupSpec w : cluster.workerGroups()) {
      WorkerGroup g = new WorkerGroup();
      g.setGroupName(w.name());
      g.setReplicas(w.replicas());
      g.setMinReplicas(w.minReplicas());
      g.setMaxReplicas(w.maxReplicas());
      g.setRayStartParams(new LinkedHashMap<>(w.rayStartParams()));
      g.setTemplate(template(w, managed, false));
      workers.add(g);
      autoscaling |= w.minReplicas() < w.maxReplicas();
    }
    spec.setWorkerGroupSpecs(workers);
    if (autoscaling) {
      spec.setEnableInTreeAutoscaling(true);
      AutoscalerOptions options = new AutoscalerOptions();
      cluster.idleTimeout().ifPresent(t -> options.setIdleTimeoutSeconds((int) t.getSeconds()));
      spec.setAutoscalerOptions(options);
    }
    rc.setSpec(spec);
    return rc;
  }

  private static PodTemplateSpec template(GroupSpec g, Map<String, String> managed, boolean head) {
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(g.cpus()));
    resources.put("memory", new Quantity(g.memory()));
    if (g.gpus() > 0) {
      resources.put(GroupSpec.GPU_RESOURCE, new Quantity(Integer.toString(g.gpus())));
    }
    List<EnvVar> env = new ArrayList<>();
    g.env().forEach((k, v) -> env.add(new EnvVar(k, v, null)));
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
                    .withServiceAccountName(g.serviceAccount().orElse(null))
                    .withNodeSelector(
                        g.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(g.nodeSelector()))
                    .withTolerations(g.tolerations().isEmpty() ? null : g.tolerations())
                    .withPriorityClassName(g.priorityClassName().orElse(null))
                    .withVolumes(g.volumes().isEmpty() ? null : g.volumes())
                    .withContainers(
                        new ContainerBuilder()
                            .withName(head ? "ray-head" : "ray-worker")
                            .withImage(g.image())
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
