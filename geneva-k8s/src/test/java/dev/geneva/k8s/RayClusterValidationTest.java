package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.Manifests;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RayClusterValidationTest {

  private static RayCluster.Builder base() {
    return RayCluster.builder().name("c").auth(KubeAuth.of(Config.empty()));
  }

  @Test
  void name_whenNotDns1035_expectErrorNamingField() {
    assertThatThrownBy(() -> RayCluster.builder().name("My_Cluster"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.name \"My_Cluster\"")
        .hasMessageContaining("DNS-1035");
    assertThatThrownBy(() -> RayCluster.builder().name("a".repeat(54)))
        .hasMessageContaining("at most 53");
    assertThatThrownBy(() -> RayCluster.builder().namespace("-ns"))
        .hasMessageContaining("namespace");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().name("GPU"))
        .hasMessageContaining("WorkerGroupSpec.name");
    assertThatThrownBy(() -> HeadGroupSpec.builder().serviceAccount("bad account"))
        .hasMessageContaining("HeadGroupSpec.serviceAccount");
  }

  @Test
  void defaultName_whenOsUserHasOddCharacters_expectSanitisedLabel() {
    assertThat(RayCluster.defaultName("Jane.Doe@CORP")).isEqualTo("geneva-jane-doe-corp");
    assertThat(RayCluster.defaultName("___")).isEqualTo("geneva");
    assertThat(RayCluster.defaultName("x".repeat(100))).hasSize(53).startsWith("geneva-x");
    assertThat(RayCluster.builder().osUser("Bob Smith").build().name())
        .isEqualTo("geneva-bob-smith");
    assertThat(RayCluster.builder().osUser("Bob Smith").build().namespace()).isEqualTo("geneva");
  }

  @Test
  void resources_whenZeroNegativeOrUnparseable_expectClearError() {
    assertThatThrownBy(() -> WorkerGroupSpec.builder().cpus(0))
        .hasMessageContaining("WorkerGroupSpec.cpus must be at least 1");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().cpus("0m"))
        .hasMessageContaining("more than zero");
    assertThatThrownBy(() -> HeadGroupSpec.builder().memoryMiB(-5))
        .hasMessageContaining("HeadGroupSpec.memoryMiB must be at least 1");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().memory("4 gigs"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("WorkerGroupSpec.memory \"4 gigs\" is not a Kubernetes quantity")
        .hasMessageContaining("4Gi");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().memory("-1Gi"))
        .hasMessageContaining("quantity");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().gpus(-1))
        .hasMessageContaining("gpus must be 0 or more");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().replicas(-1))
        .hasMessageContaining("replicas");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().minReplicas(3).maxReplicas(2).build())
        .hasMessageContaining("minReplicas <= replicas <= maxReplicas");
    assertThat(WorkerGroupSpec.builder().memory("4Gi").cpus("500m").build().memory())
        .isEqualTo("4Gi");
  }

  @Test
  void workerGroups_whenNamesRepeat_expectErrorNamingTheGroup() {
    assertThatThrownBy(
            () ->
                base()
                    .workerGroup(WorkerGroupSpec.builder().name("cpu").build())
                    .workerGroup(WorkerGroupSpec.builder().name("cpu").cpus(4).build())
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("\"cpu\" is used by more than one worker group");
  }

  @Test
  void gpus_whenGpuNodesSelectedWithoutGpus_expectError() {
    assertThatThrownBy(
            () ->
                WorkerGroupSpec.builder()
                    .name("gpu")
                    .nodeSelector(Map.of(GroupSpec.GPU_WORKER_NODE_LABEL, "true"))
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("gpus is 0 but the node selector asks for GPU nodes");
    assertThatThrownBy(
            () ->
                WorkerGroupSpec.builder()
                    .gpus(1)
                    .nodeSelector(Map.of(GroupSpec.CPU_WORKER_NODE_LABEL, "true"))
                    .build())
        .hasMessageContaining("CPU-only nodes");
  }

  @Test
  void exitMode_whenUnknown_expectErrorListingModes() {
    assertThatThrownBy(() -> RayCluster.builder().exitMode("keep"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("\"keep\" is unknown")
        .hasMessageContaining("DELETE, RETAIN, RETAIN_ON_FAILURE");
    assertThat(ExitMode.parse("retain-on-failure")).isEqualTo(ExitMode.RETAIN_ON_FAILURE);
  }

  @Test
  void rayVersion_whenImageDisagrees_expectExplanation() {
    assertThatThrownBy(
            () ->
                base()
                    .workerGroup(
                        WorkerGroupSpec.builder().image("rayproject/ray:2.40.0-py310-gpu").build())
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("runs Ray 2.40.0 but the cluster's rayVersion is 2.39.0")
        .hasMessageContaining("same Ray version");
    assertThat(
            base()
                .headGroup(HeadGroupSpec.builder().image("my/ray:2.39.0").build())
                .workerGroup(WorkerGroupSpec.builder().image("my/ray:2.39.0-gpu").build())
                .build()
                .rayVersion())
        .isEqualTo("2.39.0");
    assertThat(
            base()
                .headGroup(HeadGroupSpec.builder().image("registry/custom:latest").build())
                .build()
                .rayVersion())
        .isEqualTo("2.39.0");
    assertThatThrownBy(() -> RayCluster.builder().rayVersion("2.39"))
        .hasMessageContaining("rayVersion");
  }

  @Test
  void idleTimeout_whenNothingCanScale_expectError() {
    assertThatThrownBy(
            () ->
                base()
                    .idleTimeout(Duration.ofMinutes(5))
                    .workerGroup(WorkerGroupSpec.builder().minReplicas(2).maxReplicas(2).build())
                    .build())
        .hasMessageContaining("idleTimeout is set but no worker group can scale");
    RayCluster scaling =
        base()
            .idleTimeout(Duration.ofMinutes(5))
            .workerGroup(WorkerGroupSpec.builder().minReplicas(0).maxReplicas(4).build())
            .build();
    RayClusterResource rc = Manifests.render(scaling);
    assertThat(rc.getSpec().getEnableInTreeAutoscaling()).isTrue();
    assertThat(rc.getSpec().getAutoscalerOptions().getIdleTimeoutSeconds()).isEqualTo(300);
    assertThatThrownBy(() -> RayCluster.builder().waitTimeout(Duration.ZERO))
        .hasMessageContaining("waitTimeout");
  }

  @Test
  void labels_whenReservedOrInvalid_expectError() {
    assertThatThrownBy(() -> RayCluster.builder().labels(Map.of("geneva.dev/owner", "x")))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().labels(Map.of("team", "a b")))
        .hasMessageContaining("not a valid label value");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().env("1BAD", "x"))
        .hasMessageContaining("env");
  }

  @Test
  void render_whenDefaults_expectHeadWithoutCpusSelectorsAndRequestsEqualLimits() {
    RayCluster cluster =
        base()
            .workerGroup(WorkerGroupSpec.builder().name("cpu").build())
            .workerGroup(
                WorkerGroupSpec.builder().name("gpu").gpus(2).cpus(8).memory("32Gi").build())
            .build();
    RayClusterResource rc = Manifests.render(cluster);
    assertThat(rc.getSpec().getRayVersion()).isEqualTo("2.39.0");
    assertThat(rc.getSpec().getHeadGroupSpec().getRayStartParams()).containsEntry("num-cpus", "0");
    assertThat(rc.getSpec().getHeadGroupSpec().getTemplate().getSpec().getNodeSelector())
        .containsExactly(Map.entry(GroupSpec.HEAD_NODE_LABEL, "true"));
    var cpu = rc.getSpec().getWorkerGroupSpecs().get(0);
    var gpu = rc.getSpec().getWorkerGroupSpecs().get(1);
    assertThat(cpu.getRayStartParams()).containsOnlyKeys("resources");
    assertThat(cpu.getTemplate().getSpec().getNodeSelector())
        .containsEntry(GroupSpec.CPU_WORKER_NODE_LABEL, "true");
    assertThat(cpu.getTemplate().getSpec().getTolerations()).isNull();
    assertThat(gpu.getTemplate().getSpec().getNodeSelector())
        .containsEntry(GroupSpec.GPU_WORKER_NODE_LABEL, "true");
    assertThat(gpu.getTemplate().getSpec().getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    Container c = gpu.getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getResources().getRequests()).isEqualTo(c.getResources().getLimits());
    assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("32Gi"));
    String json = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().asJson(rc);
    assertThat(json).contains("\"rayStartParams\":{}");
  }

  @Test
  void toBuilder_whenRebuilt_expectEqualOptionsAndNewSession() {
    RayCluster a =
        base()
            .workerGroup(
                WorkerGroupSpec.builder().name("w").gpus(1).env("A", "secret-value").build())
            .build();
    RayCluster b = a.toBuilder().build();
    assertThat(b.workerGroups().get(0).toString()).isEqualTo(a.workerGroups().get(0).toString());
    assertThat(b.sessionId()).isNotEqualTo(a.sessionId());
    assertThat(a.toString()).doesNotContain("secret-value");
    assertThat(a.workerGroups().get(0).toBuilder().build().gpus()).isEqualTo(1);
  }
}
