package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.geneva.InvalidInputException;
import dev.geneva.k8s.admin.RayClusterManifests;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.Checks;
import dev.geneva.k8s.internal.KubeRayFeatures;
import dev.geneva.k8s.internal.Manifests;
import dev.geneva.k8s.internal.RayVersions;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.internal.crd.WorkerGroup;
import dev.geneva.k8s.testing.CrdSchemas;
import dev.geneva.k8s.testing.KubeRayCrds;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cluster's shape where the deployment guide is silent, following Geneva (Python): autoscaling
 * workers, KubeRay-valid names, the guide's service account, GPU images and CPU-only workers, and
 * the Ray version policy. Every rendered manifest is also checked against the vendored CRDs.
 */
class ClusterShapeTest {
  private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  private static RayCluster.Builder base() {
    return RayCluster.builder().name("shape").auth(KubeAuth.of(Config.empty()));
  }

  private static Container container(RayClusterResource rc, int worker) {
    return (worker < 0
            ? rc.getSpec().getHeadGroupSpec().getTemplate()
            : rc.getSpec().getWorkerGroupSpecs().get(worker).getTemplate())
        .getSpec()
        .getContainers()
        .get(0);
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv() == null
        ? Map.of()
        : c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  private static void assertValidEverywhere(RayCluster cluster) {
    for (String v : KubeRayCrds.VERSIONS) {
      KubeRayFeatures features = KubeRayFeatures.fromCrd(KubeRayCrds.crd(v));
      JsonNode json = CrdSchemas.json(Manifests.render(cluster, features));
      assertThat(CrdSchemas.validate(v, json)).as("KubeRay %s:\n%s", v, json).isEmpty();
    }
  }

  // 1. Autoscaling like Geneva

  @Test
  void workerGroup_whenNothingSet_expectGenevaAutoscalingDefaults() {
    WorkerGroupSpec w = WorkerGroupSpec.builder().build();
    assertThat(w.minReplicas()).isEqualTo(0);
    assertThat(w.maxReplicas()).isEqualTo(100);
    assertThat(w.replicas()).isEqualTo(1);
    assertThat(w.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void render_whenGuideWorkerMinReplicasOne_expectAutoscaledOneToHundredWithSidecarLimits() {
    RayCluster cluster =
        base().workerGroup(WorkerGroupSpec.builder().name("worker").minReplicas(1).build()).build();
    RayClusterResource rc = Manifests.render(cluster);
    WorkerGroup g = rc.getSpec().getWorkerGroupSpecs().get(0);
    assertThat(List.of(g.getMinReplicas(), g.getReplicas(), g.getMaxReplicas()))
        .containsExactly(1, 1, 100);
    assertThat(rc.getSpec().getEnableInTreeAutoscaling()).isTrue();
    var options = rc.getSpec().getAutoscalerOptions();
    assertThat(options.getIdleTimeoutSeconds()).isEqualTo(60);
    assertThat(options.getUpscalingMode()).isEqualTo("Default");
    assertThat(options.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(options.getResources().getRequests())
        .isEqualTo(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")));
    assertThat(options.getResources().getLimits()).isEqualTo(options.getResources().getRequests());
    assertValidEverywhere(cluster);
  }

  @Test
  void workerGroup_whenOnlyMinReplicasAboveOne_expectReplicasStartAtMin() {
    WorkerGroupSpec w = WorkerGroupSpec.builder().minReplicas(10).build();
    assertThat(List.of(w.minReplicas(), w.replicas(), w.maxReplicas()))
        .containsExactly(10, 10, 100);
    assertThat(WorkerGroupSpec.builder().maxReplicas(4).build().replicas()).isEqualTo(1);
    assertThatThrownBy(() -> WorkerGroupSpec.builder().minReplicas(101).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("minReplicas <= replicas <= maxReplicas");
  }

  @ParameterizedTest(name = "KubeRay {0}")
  @MethodSource("dev.geneva.k8s.testing.KubeRayCrds#versions")
  void render_whenCrdHasGroupIdleTimeout_expectItRenderedOnlyThere(String version) {
    RayCluster cluster =
        base()
            .workerGroup(
                WorkerGroupSpec.builder().name("a").idleTimeout(Duration.ofSeconds(30)).build())
            .workerGroup(WorkerGroupSpec.builder().name("b").build())
            .build();
    KubeRayFeatures features = KubeRayFeatures.fromCrd(KubeRayCrds.crd(version));
    boolean has = version.startsWith("1.3") || version.startsWith("1.7");
    assertThat(features.workerGroupIdleTimeout()).isEqualTo(has);
    RayClusterResource rc = Manifests.render(cluster, features);
    assertThat(rc.getSpec().getWorkerGroupSpecs())
        .extracting(WorkerGroup::getIdleTimeoutSeconds)
        .containsExactly(has ? 30 : null, has ? 60 : null);
    // Autoscaler v1 (Ray before 2.47) reads only the cluster-wide value: the shortest group's.
    assertThat(rc.getSpec().getAutoscalerOptions().getIdleTimeoutSeconds()).isEqualTo(30);
    JsonNode json = CrdSchemas.json(rc);
    assertThat(CrdSchemas.validate(version, json)).as("%s", json).isEmpty();
  }

  @Test
  void kubeRayFeatures_whenCrdUnreadable_expectOldestKubeRay() {
    assertThat(KubeRayFeatures.fromCrd(null)).isEqualTo(KubeRayFeatures.OLDEST);
    assertThat(KubeRayFeatures.OLDEST.workerGroupIdleTimeout()).isFalse();
  }

  @Test
  void render_whenClusterIdleTimeoutSet_expectItOverridesGroupTimeouts() {
    RayCluster cluster =
        base()
            .idleTimeout(Duration.ofMinutes(5))
            .workerGroup(WorkerGroupSpec.builder().build())
            .build();
    assertThat(Manifests.render(cluster).getSpec().getAutoscalerOptions().getIdleTimeoutSeconds())
        .isEqualTo(300);
  }

  @Test
  void render_whenNoGroupCanScale_expectNoAutoscaler() {
    RayCluster cluster =
        base().workerGroup(WorkerGroupSpec.builder().minReplicas(2).maxReplicas(2).build()).build();
    RayClusterResource rc = Manifests.render(cluster);
    assertThat(rc.getSpec().getEnableInTreeAutoscaling()).isNull();
    assertThat(rc.getSpec().getAutoscalerOptions()).isNull();
  }

  // 2. Names KubeRay accepts

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1st-cluster",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "My-cluster",
        "-cluster",
        "cluster-",
        "my_cluster",
        ""
      })
  void name_whenNotWhatKubeRayAccepts_expectRejectedNamingTheRule(String name) {
    assertThatThrownBy(() -> RayCluster.builder().name(name))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.name")
        .hasMessageContaining("DNS-1035")
        .hasMessageContaining("at most 53");
  }

  @Test
  void name_whenGuideNameOrFiftyThreeChars_expectAccepted() {
    String longest = "a" + "-b".repeat(26);
    assertThat(longest).hasSize(53);
    assertThat(base().name(longest).build().name()).isEqualTo(longest);
    assertThat(base().name("my-ray-cluster").build().name()).isEqualTo("my-ray-cluster");
    assertThatThrownBy(() -> base().name(longest + "c"))
        .hasMessageContaining("54 characters, more than KubeRay's 53");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "alice",
        "1stuser",
        "Jöhn.Doe@CORP.example.com",
        "----",
        "a-very-long-corporate-user-name-from-active-directory-xyz",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-yyyyyyyyyyyyyyy",
        "DOMAIN\\someone"
      })
  void defaultName_whenAnyOsUser_expectNameKubeRayAccepts(String user) {
    String name = RayCluster.defaultName(user);
    assertThat(name).hasSizeLessThanOrEqualTo(53).matches(DNS_1035);
    assertThat(Checks.rayClusterName("default", name)).isEqualTo(name);
    assertThat(RayCluster.builder().osUser(user).auth(KubeAuth.of(Config.empty())).build().name())
        .isEqualTo(name);
  }

  @Test
  void defaultName_whenLongUsersShareAPrefix_expectDistinctTruncatedNames() {
    String a = "x".repeat(60) + "-alice";
    String b = "x".repeat(60) + "-bob";
    assertThat(RayCluster.defaultName(a)).isNotEqualTo(RayCluster.defaultName(b));
    assertThat(RayCluster.defaultName(a)).hasSize(53).startsWith("geneva-xxx");
    assertThat(RayCluster.defaultName("alice")).isEqualTo("geneva-alice");
    assertThat(RayCluster.defaultName("")).isEqualTo("geneva");
    assertThat(RayCluster.defaultName(null)).isEqualTo("geneva");
  }

  // 3. A service account by default

  @Test
  void render_whenNoServiceAccountSet_expectGuideAccountOnHeadAndWorkers() {
    RayClusterResource rc = Manifests.render(base().build());
    assertThat(GroupSpec.DEFAULT_SERVICE_ACCOUNT)
        .isEqualTo("geneva-ray-runner")
        .isEqualTo(RayClusterManifests.builder().build().serviceAccount().getMetadata().getName());
    assertThat(rc.getSpec().getHeadGroupSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("geneva-ray-runner");
    assertThat(
            rc.getSpec()
                .getWorkerGroupSpecs()
                .get(0)
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("geneva-ray-runner");
  }

  @Test
  void render_whenOnlyHeadHasAccount_expectWorkersInheritItUnlessTheyHaveTheirOwn() {
    RayCluster cluster =
        base()
            .headGroup(HeadGroupSpec.builder().serviceAccount("team-ray").build())
            .workerGroup(WorkerGroupSpec.builder().name("inherits").build())
            .workerGroup(WorkerGroupSpec.builder().name("own").serviceAccount("gpu-sa").build())
            .build();
    RayClusterResource rc = Manifests.render(cluster);
    assertThat(rc.getSpec().getHeadGroupSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("team-ray");
    assertThat(rc.getSpec().getWorkerGroupSpecs())
        .extracting(g -> g.getTemplate().getSpec().getServiceAccountName())
        .containsExactly("team-ray", "gpu-sa");
    assertThat(cluster.workerGroups().get(0).serviceAccount()).isEmpty();
    assertThat(cluster.headGroup().serviceAccount()).contains("team-ray");
  }

  // 4. GPU groups get a GPU image; CPU-only work stays off GPU nodes

  @Test
  void image_whenGpuGroupHasNoImage_expectGpuImageOfTheSameRay() {
    WorkerGroupSpec gpu = WorkerGroupSpec.builder().gpus(1).build();
    assertThat(gpu.image()).isEqualTo(GroupSpec.DEFAULT_GPU_IMAGE).endsWith("-gpu");
    assertThat(gpu.imageSet()).isFalse();
    assertThat(WorkerGroupSpec.builder().build().image()).isEqualTo(GroupSpec.DEFAULT_IMAGE);
    assertThat(WorkerGroupSpec.builder().gpus(1).image("my/ray:2.39.0-cuda").build().image())
        .isEqualTo("my/ray:2.39.0-cuda");
    assertThat(RayCluster.imageRayVersion(GroupSpec.DEFAULT_GPU_IMAGE))
        .contains(RayCluster.DEFAULT_RAY_VERSION);
    assertThat(base().workerGroup(gpu).build().rayVersion())
        .isEqualTo(RayCluster.DEFAULT_RAY_VERSION);
  }

  @Test
  void render_whenCpuAndGpuGroups_expectCpuOnlyResourceOnlyOnCpuWorkers() {
    RayCluster cluster =
        base()
            .workerGroup(WorkerGroupSpec.builder().name("cpu").build())
            .workerGroup(WorkerGroupSpec.builder().name("gpu").gpus(1).build())
            .build();
    RayClusterResource rc = Manifests.render(cluster);
    assertThat(rc.getSpec().getWorkerGroupSpecs().get(0).getRayStartParams())
        .containsEntry("resources", "\"{\\\"cpu-only\\\": 100000}\"");
    assertThat(rc.getSpec().getWorkerGroupSpecs().get(1).getRayStartParams())
        .doesNotContainKey("resources");
    assertThat(rc.getSpec().getHeadGroupSpec().getRayStartParams()).doesNotContainKey("resources");
    assertThat(container(rc, 1).getImage()).isEqualTo(GroupSpec.DEFAULT_GPU_IMAGE);
    assertThat(container(rc, 1).getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertValidEverywhere(cluster);
  }

  @Test
  void render_whenUserSetsResourcesParam_expectUserValueKept() {
    RayCluster cluster =
        base()
            .workerGroup(
                WorkerGroupSpec.builder().rayStartParam("resources", "\"{\\\"x\\\": 1}\"").build())
            .build();
    assertThat(Manifests.render(cluster).getSpec().getWorkerGroupSpecs().get(0).getRayStartParams())
        .containsEntry("resources", "\"{\\\"x\\\": 1}\"");
  }

  @Test
  void render_whenAnyGroup_expectIfNotPresentAndWorkerMemoryMonitorEnvOverridable() {
    RayCluster cluster =
        base()
            .workerGroup(WorkerGroupSpec.builder().name("plain").build())
            .workerGroup(
                WorkerGroupSpec.builder()
                    .name("tuned")
                    .env("RAY_memory_usage_threshold", "0.95")
                    .imagePullPolicy("Always")
                    .build())
            .build();
    RayClusterResource rc = Manifests.render(cluster);
    assertThat(container(rc, -1).getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(env(container(rc, -1))).doesNotContainKey("RAY_memory_usage_threshold");
    assertThat(container(rc, 0).getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(env(container(rc, 0)))
        .containsEntry("RAY_memory_usage_threshold", "0.9")
        .containsEntry("RAY_memory_monitor_refresh_ms", "0");
    assertThat(container(rc, 1).getImagePullPolicy()).isEqualTo("Always");
    assertThat(env(container(rc, 1))).containsEntry("RAY_memory_usage_threshold", "0.95");
    assertThatThrownBy(() -> WorkerGroupSpec.builder().imagePullPolicy("Sometimes"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Always, IfNotPresent or Never");
  }

  // 5. Ray version policy

  @ParameterizedTest
  @ValueSource(strings = {"2.43.0", "2.40.0", "2.38.0"})
  void build_whenRayVersionOutsidePolicy_expectMessageNamingRequirementAndDocs(String version) {
    assertThatThrownBy(() -> base().rayVersion(version).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.rayVersion gives Ray " + version)
        .hasMessageContaining("must run Ray 2.39.0")
        .hasMessageContaining("Ray 2.43+")
        .hasMessageContaining("docs/ray-image.md");
  }

  @Test
  void build_whenHeadImageIsTheGuidesRay243_expectRefusedBeforeAnyApiCall() {
    assertThatThrownBy(
            () ->
                base()
                    .headGroup(HeadGroupSpec.builder().image("rayproject/ray:2.43.0-py310").build())
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("HeadGroupSpec.image rayproject/ray:2.43.0-py310 gives Ray 2.43.0");
    assertThat(RayVersions.supported(RayCluster.DEFAULT_RAY_VERSION)).isTrue();
  }

  @Test
  void rayImageDoc_whenRead_expectDockerfileBuildsFromTheDefaultImagesAndStatesThePolicy()
      throws IOException {
    String doc = Files.readString(repoRoot().resolve("docs/ray-image.md"));
    Matcher base = Pattern.compile("(?m)^ARG BASE=(\\S+)$").matcher(doc);
    assertThat(base.find()).as("the Dockerfile's ARG BASE").isTrue();
    assertThat(base.group(1)).isEqualTo(GroupSpec.DEFAULT_IMAGE);
    assertThat(doc).contains("BASE=" + GroupSpec.DEFAULT_GPU_IMAGE);
    assertThat(doc).contains("ray_dist.jar").contains("2.43").contains("Maven Central");
    String cluster = Files.readString(repoRoot().resolve("docs/ray-cluster.md"));
    assertThat(cluster).doesNotContain("line for line");
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root with docs/").isNotNull();
    return dir;
  }
}
