package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.KubeRayFeatures;
import dev.geneva.k8s.internal.Manifests;
import dev.geneva.k8s.testing.CrdSchemas;
import dev.geneva.k8s.testing.KubeRayCrds;
import io.fabric8.kubernetes.client.Config;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The deployment guide's examples rendered end to end, field by field against what Geneva Python's
 * {@code ray_cluster(...)} produces for the same arguments ({@code geneva.runners.ray.raycluster}:
 * {@code _HeadGroupSpec.definition}, {@code _WorkerGroupSpec.definition}, {@code RayCluster.spec}),
 * run by the guide's client: Python 3.10 with Ray 2.43.0 ("Ray 2.43+"). Each row holds Python's
 * value, ours, and, where they differ, the reason. Every leaf field of our manifest is covered by a
 * row, and the manifest validates against every vendored KubeRay CRD.
 */
class GuideExamplesParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Marks a field one side leaves out. */
  private static final Object ABSENT = new Object();

  private static final String GUIDE_SA = "geneva-ray-runner"; // the guide's KSA_NAME

  private record Row(String pointer, Object python, Object java, String reason) {}

  private static final String IMAGE_REASON =
      "Python derives the image from the client's Ray and Python (2.43.0, py310); Geneva for Java"
          + " requires Ray 2.39.0 on the cluster (docs/ray-image.md) and picks the matching image";
  private static final String MEMORY_REASON =
      "Python's int memory is bytes (size_to_bytes), so the guide's memory=2048 asks for 2048"
          + " bytes; the guide means MiB, which Java's memoryMiB(2048) says";
  private static final String LANCE_LOG_REASON =
      "LANCE_LOG tunes the Python library's Lance logging; Java jobs log through SLF4J";
  private static final String IDENTITY_ENV_REASON =
      "the Python pipeline driver looks its cluster up from these; the Java driver gets its"
          + " cluster from the job's arguments";
  private static final String AZURE_REASON =
      "Azure workload identity label; the Java SDK supports GKE and EKS only";
  private static final String LABELS_REASON =
      "Java labels every pod with its owner and session so leaked clusters can be reaped";
  private static final String PROBE_REASON =
      "Python replaces KubeRay's worker probes with slower ones; Java keeps the probes KubeRay"
          + " injects";
  private static final String PARAMS_REASON =
      "KubeRay sets --num-cpus/--num-gpus from the container limits, which are these values";

  static List<String> versions() {
    return List.of(KubeRayCrds.VERSIONS);
  }

  private static HeadGroupSpec guideHead() {
    return HeadGroupSpec.builder()
        .serviceAccount(GUIDE_SA)
        .cpus(1)
        .memoryMiB(2048)
        .nodeSelector(Map.of("geneva.lancedb.com/ray-head", "true"))
        .build();
  }

  private static WorkerGroupSpec guideWorker() {
    return WorkerGroupSpec.builder()
        .name("worker")
        .minReplicas(1)
        .serviceAccount(GUIDE_SA)
        .cpus(2)
        .memoryMiB(4096)
        .nodeSelector(Map.of("geneva.lancedb.com/ray-worker-cpu", "true"))
        .build();
  }

  /**
   * The guide's EKS example: {@code ray_cluster(name="my-ray-cluster", namespace="geneva",
   * cluster_name="geneva", config_method=EKS_AUTH, region="us-east-1", use_portforwarding=True,
   * head_group=head_spec, worker_groups=[worker_spec], role_name="geneva-client-role")}. The auth
   * arguments do not reach the manifest; a fixed config stands in for EKS here (geneva-cloud-aws is
   * not on this module's test class path).
   */
  private static RayCluster eks() {
    return RayCluster.builder()
        .name("my-ray-cluster")
        .namespace("geneva")
        .auth(KubeAuth.of(Config.empty()))
        .portForwarding(true)
        .headGroup(guideHead())
        .workerGroup(guideWorker())
        .build();
  }

  /**
   * The GKE form of the same example ({@code config_method=GKE}, the guide's GKE node pools and
   * KSA), with the guide's GPU node label used by a GPU group: {@code _WorkerGroupSpec(name="gpu",
   * num_gpus=1, num_cpus=4, memory="16Gi", service_account="geneva-ray-runner")}.
   */
  private static RayCluster gke() {
    return RayCluster.builder()
        .name("my-ray-cluster")
        .namespace("geneva")
        .configMethod(ConfigMethod.GKE)
        .project("my-project")
        .location("us-central1")
        .clusterName("geneva")
        .headGroup(guideHead())
        .workerGroup(guideWorker())
        .workerGroup(
            WorkerGroupSpec.builder()
                .name("gpu")
                .gpus(1)
                .cpus(4)
                .memory("16Gi")
                .serviceAccount(GUIDE_SA)
                .build())
        .build();
  }

  private static List<Row> common(boolean groupIdle) {
    String h = "/spec/headGroupSpec";
    String hc = h + "/template/spec/containers/0";
    String w = "/spec/workerGroupSpecs/0";
    String wc = w + "/template/spec/containers/0";
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("/apiVersion", "ray.io/v1", "ray.io/v1", null));
    rows.add(new Row("/kind", "RayCluster", "RayCluster", null));
    rows.add(new Row("/metadata/name", "my-ray-cluster", "my-ray-cluster", null));
    rows.add(new Row("/metadata/namespace", "geneva", "geneva", null));
    rows.add(new Row("/spec/rayVersion", "2.43.0", "2.39.0", IMAGE_REASON));
    rows.add(new Row("/spec/enableInTreeAutoscaling", true, true, null));
    String a = "/spec/autoscalerOptions";
    rows.add(
        new Row(
            a + "/version",
            "v2",
            ABSENT,
            "the field exists only from KubeRay 1.4, and autoscaler v2 is Ray's default only from"
                + " 2.47; on the Java SDK's Ray 2.39 KubeRay's default autoscaler runs"));
    rows.add(
        new Row(
            a + "/env/0",
            "RAY_enable_autoscaler_v2=1",
            ABSENT,
            "goes with version v2 (see " + a + "/version)"));
    rows.add(new Row(a + "/idleTimeoutSeconds", 60, 60, null));
    rows.add(new Row(a + "/upscalingMode", "Default", "Default", null));
    rows.add(new Row(a + "/imagePullPolicy", "IfNotPresent", "IfNotPresent", null));
    for (String kind : List.of("requests", "limits")) {
      rows.add(new Row(a + "/resources/" + kind + "/cpu", "1", "1", null));
      rows.add(new Row(a + "/resources/" + kind + "/memory", "1Gi", "1Gi", null));
    }
    rows.add(new Row(h + "/rayStartParams/num-cpus", "0", "0", null));
    rows.add(
        new Row(
            h + "/rayStartParams/resources",
            "\"{\\\"geneva_autoscaling\\\": 1, \\\"geneva_ray_head\\\": 1}\"",
            ABSENT,
            "Python's admission control and driver placement read these; the Java job driver is"
                + " placed by the Ray Jobs API"));
    rows.add(
        new Row(
            h + "/rayStartParams/dashboard-host",
            ABSENT,
            "0.0.0.0",
            "the port-forward reaches the dashboard on the pod IP; KubeRay sets the same"));
    rows.add(new Row(h + "/template/spec/serviceAccountName", GUIDE_SA, GUIDE_SA, null));
    rows.add(
        new Row(
            h + "/template/spec/nodeSelector/geneva.lancedb.com~1ray-head", "true", "true", null));
    rows.add(
        new Row(
            h + "/template/metadata/labels/azure.workload.identity~1use",
            "true",
            ABSENT,
            AZURE_REASON));
    rows.add(new Row(hc + "/name", "ray-head", "ray-head", null));
    rows.add(
        new Row(
            hc + "/image", "rayproject/ray:2.43.0-py310", GroupSpec.DEFAULT_IMAGE, IMAGE_REASON));
    rows.add(new Row(hc + "/imagePullPolicy", "IfNotPresent", "IfNotPresent", null));
    for (String kind : List.of("requests", "limits")) {
      rows.add(new Row(hc + "/resources/" + kind + "/cpu", "1", "1", null));
      rows.add(new Row(hc + "/resources/" + kind + "/memory", "2048", "2048Mi", MEMORY_REASON));
    }
    rows.add(
        new Row(
            hc + "/ports/0/name",
            "client",
            "gcs-server",
            "same three ports in another order; Python names 6379 \"gsc-server\""));
    rows.add(new Row(hc + "/ports/0/containerPort", 10001, 6379, "see " + hc + "/ports/0/name"));
    rows.add(new Row(hc + "/ports/1/name", "dashboard", "dashboard", null));
    rows.add(new Row(hc + "/ports/1/containerPort", 8265, 8265, null));
    rows.add(new Row(hc + "/ports/2/name", "gsc-server", "client", "see " + hc + "/ports/0/name"));
    rows.add(new Row(hc + "/ports/2/containerPort", 6379, 10001, "see " + hc + "/ports/0/name"));
    rows.add(new Row(hc + "/env/0/name", "LANCE_LOG", ABSENT, LANCE_LOG_REASON));
    rows.add(new Row(hc + "/env/1/name", "GENEVA_RAY_CLUSTER_NAME", ABSENT, IDENTITY_ENV_REASON));

    rows.add(new Row(w + "/groupName", "worker", "worker", null));
    rows.add(new Row(w + "/replicas", 1, 1, null));
    rows.add(new Row(w + "/minReplicas", 1, 1, null));
    rows.add(new Row(w + "/maxReplicas", 100, 100, null));
    rows.add(
        new Row(
            w + "/idleTimeoutSeconds",
            60,
            groupIdle ? 60 : ABSENT,
            groupIdle
                ? null
                : "KubeRay before 1.3 has no such field (the API server would drop it);"
                    + " autoscalerOptions.idleTimeoutSeconds carries the same 60 s"));
    rows.add(new Row(w + "/rayStartParams/num-cpus", "2", ABSENT, PARAMS_REASON));
    rows.add(new Row(w + "/rayStartParams/num-gpus", "0", ABSENT, PARAMS_REASON));
    rows.add(
        new Row(
            w + "/rayStartParams/resources",
            "\"{\\\"cpu-only\\\": 100000}\"",
            "\"{\\\"cpu-only\\\": 100000}\"",
            null));
    rows.add(new Row(w + "/template/spec/serviceAccountName", GUIDE_SA, GUIDE_SA, null));
    rows.add(
        new Row(
            w + "/template/spec/nodeSelector/geneva.lancedb.com~1ray-worker-cpu",
            "true",
            "true",
            null));
    rows.add(
        new Row(
            w + "/template/metadata/labels/azure.workload.identity~1use",
            "true",
            ABSENT,
            AZURE_REASON));
    rows.add(new Row(wc + "/name", "ray-worker", "ray-worker", null));
    rows.add(
        new Row(
            wc + "/image", "rayproject/ray:2.43.0-py310", GroupSpec.DEFAULT_IMAGE, IMAGE_REASON));
    rows.add(new Row(wc + "/imagePullPolicy", "IfNotPresent", "IfNotPresent", null));
    for (String kind : List.of("requests", "limits")) {
      rows.add(new Row(wc + "/resources/" + kind + "/cpu", "2", "2", null));
      rows.add(new Row(wc + "/resources/" + kind + "/memory", "4096", "4096Mi", MEMORY_REASON));
    }
    rows.add(
        new Row(
            wc + "/env/0/name", "RAY_memory_usage_threshold", "RAY_memory_usage_threshold", null));
    rows.add(new Row(wc + "/env/0/value", "0.9", "0.9", null));
    rows.add(
        new Row(
            wc + "/env/1/name",
            "RAY_memory_monitor_refresh_ms",
            "RAY_memory_monitor_refresh_ms",
            null));
    rows.add(new Row(wc + "/env/1/value", "0", "0", null));
    rows.add(new Row(wc + "/env/2/name", "LANCE_LOG", ABSENT, LANCE_LOG_REASON));
    rows.add(new Row(wc + "/livenessProbe/periodSeconds", 30, ABSENT, PROBE_REASON));
    rows.add(new Row(wc + "/readinessProbe/periodSeconds", 10, ABSENT, PROBE_REASON));
    return rows;
  }

  private static List<Row> gpuRows(boolean groupIdle) {
    String g = "/spec/workerGroupSpecs/1";
    String gc = g + "/template/spec/containers/0";
    List<Row> rows = new ArrayList<>();
    rows.add(new Row(g + "/groupName", "gpu", "gpu", null));
    rows.add(new Row(g + "/replicas", 1, 1, null));
    rows.add(new Row(g + "/minReplicas", 0, 0, null));
    rows.add(new Row(g + "/maxReplicas", 100, 100, null));
    rows.add(
        new Row(
            g + "/idleTimeoutSeconds",
            60,
            groupIdle ? 60 : ABSENT,
            groupIdle ? null : "KubeRay before 1.3 has no such field"));
    rows.add(new Row(g + "/rayStartParams/num-cpus", "4", ABSENT, PARAMS_REASON));
    rows.add(new Row(g + "/rayStartParams/num-gpus", "1", ABSENT, PARAMS_REASON));
    rows.add(new Row(g + "/rayStartParams/resources", ABSENT, ABSENT, null));
    rows.add(new Row(g + "/template/spec/serviceAccountName", GUIDE_SA, GUIDE_SA, null));
    rows.add(
        new Row(
            g + "/template/spec/nodeSelector/geneva.lancedb.com~1ray-worker-gpu",
            "true",
            "true",
            null));
    rows.add(
        new Row(
            g + "/template/spec/tolerations/0/key",
            ABSENT,
            "nvidia.com/gpu",
            "GKE adds this toleration to GPU pods by itself, EKS does not; Java adds it on both"));
    rows.add(
        new Row(
            g + "/template/spec/tolerations/0/operator",
            ABSENT,
            "Exists",
            "see " + g + "/template/spec/tolerations/0/key"));
    rows.add(
        new Row(
            g + "/template/spec/tolerations/0/effect",
            ABSENT,
            "NoSchedule",
            "see " + g + "/template/spec/tolerations/0/key"));
    rows.add(new Row(gc + "/name", "ray-worker", "ray-worker", null));
    rows.add(
        new Row(
            gc + "/image",
            "rayproject/ray:2.43.0-py310-gpu",
            GroupSpec.DEFAULT_GPU_IMAGE,
            IMAGE_REASON));
    rows.add(new Row(gc + "/imagePullPolicy", "IfNotPresent", "IfNotPresent", null));
    for (String kind : List.of("requests", "limits")) {
      rows.add(new Row(gc + "/resources/" + kind + "/cpu", "4", "4", null));
      rows.add(
          new Row(
              gc + "/resources/" + kind + "/memory",
              "17179869184",
              "16Gi",
              "Python converts \"16Gi\" to bytes; the same quantity"));
      rows.add(new Row(gc + "/resources/" + kind + "/nvidia.com~1gpu", "1", "1", null));
    }
    rows.add(
        new Row(
            gc + "/env/0/name", "RAY_memory_usage_threshold", "RAY_memory_usage_threshold", null));
    rows.add(new Row(gc + "/env/0/value", "0.9", "0.9", null));
    rows.add(
        new Row(
            gc + "/env/1/name",
            "RAY_memory_monitor_refresh_ms",
            "RAY_memory_monitor_refresh_ms",
            null));
    rows.add(new Row(gc + "/env/1/value", "0", "0", null));
    return rows;
  }

  @ParameterizedTest(name = "EKS example on KubeRay {0}")
  @MethodSource("versions")
  void render_whenGuideEksExample_expectGenevaPythonFieldsOrAReason(String version) {
    check(eks(), version, common(groupIdle(version)));
  }

  @ParameterizedTest(name = "GKE example on KubeRay {0}")
  @MethodSource("versions")
  void render_whenGuideGkeExample_expectGenevaPythonFieldsOrAReason(String version) {
    List<Row> rows = common(groupIdle(version));
    rows.addAll(gpuRows(groupIdle(version)));
    check(gke(), version, rows);
  }

  private static boolean groupIdle(String version) {
    return KubeRayFeatures.fromCrd(KubeRayCrds.crd(version)).workerGroupIdleTimeout();
  }

  private static void check(RayCluster cluster, String version, List<Row> rows) {
    JsonNode oldest = CrdSchemas.json(Manifests.render(cluster));
    for (String v : KubeRayCrds.VERSIONS) {
      assertThat(CrdSchemas.validate(v, oldest)).as("against KubeRay %s: %s", v, oldest).isEmpty();
    }
    KubeRayFeatures features = KubeRayFeatures.fromCrd(KubeRayCrds.crd(version));
    JsonNode json = CrdSchemas.json(Manifests.render(cluster, features));
    assertThat(CrdSchemas.validate(version, json)).as("%s", json).isEmpty();
    Set<String> covered = new TreeSet<>();
    for (Row row : rows) {
      JsonNode node = json.at(row.pointer());
      Object actual = node.isMissingNode() ? ABSENT : JSON.convertValue(node, Object.class);
      assertThat(actual)
          .as("%s (Python: %s)", row.pointer(), display(row.python()))
          .isEqualTo(row.java());
      boolean differs =
          !String.valueOf(row.python()).equals(String.valueOf(row.java()))
              || (row.python() == ABSENT) != (row.java() == ABSENT);
      if (differs) {
        assertThat(row.reason())
            .as("deliberate difference at %s needs a reason", row.pointer())
            .isNotBlank();
      } else {
        assertThat(row.reason()).as("no difference at %s, so no reason", row.pointer()).isNull();
      }
      covered.add(row.pointer());
    }
    Set<String> uncovered = new TreeSet<>();
    leaves(json, "", uncovered);
    uncovered.removeIf(p -> covered.stream().anyMatch(c -> p.equals(c) || p.startsWith(c + "/")));
    uncovered.removeIf(p -> p.matches("/(metadata|spec/.*/template/metadata)/labels/.*"));
    assertThat(uncovered).as("fields with no Python counterpart written down").isEmpty();
    assertThat(cluster.workerGroups().get(0).serviceAccount()).contains(GUIDE_SA);
  }

  private static String display(Object value) {
    return value == ABSENT ? "(absent)" : String.valueOf(value);
  }

  private static void leaves(JsonNode node, String at, Set<String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        leaves(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        leaves(node.get(i), at + "/" + i, out);
      }
    } else {
      out.add(at);
    }
  }
}
