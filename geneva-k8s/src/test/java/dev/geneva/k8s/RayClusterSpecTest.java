package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.KubeRayFeatures;
import dev.geneva.k8s.internal.Manifests;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster's spec and job options as values of their own, apart from the running handle. */
class RayClusterSpecTest {

  private static RayClusterSpec spec() {
    return RayClusterSpec.builder()
        .name("shared-spec")
        .namespace("geneva")
        .headGroup(HeadGroupSpec.builder().serviceAccount("geneva-ray-runner").build())
        .workerGroup(WorkerGroupSpec.builder().name("worker").minReplicas(1).cpus(2).build())
        .exitMode(ExitMode.RETAIN_ON_FAILURE)
        .labels(Map.of("team", "search"))
        .build();
  }

  @Test
  void build_whenSpecAndJobOptionsGiven_handleExposesThemAndDelegatesGetters() {
    RayJobOptions jobs =
        RayJobOptions.builder()
            .jvmOptions("-Xmx2g")
            .stopTimeout(Duration.ofSeconds(4))
            .contactTimeout(Duration.ofSeconds(30))
            .build();

    RayCluster cluster =
        RayCluster.builder()
            .auth(KubeAuth.of(Config.empty()))
            .spec(spec())
            .jobOptions(jobs)
            .build();

    assertThat(cluster.spec().name()).isEqualTo("shared-spec");
    assertThat(cluster.name()).isEqualTo("shared-spec");
    assertThat(cluster.exitMode()).isEqualTo(ExitMode.RETAIN_ON_FAILURE);
    assertThat(cluster.labels()).containsEntry("team", "search");
    assertThat(cluster.workerGroups()).extracting(WorkerGroupSpec::name).containsExactly("worker");
    assertThat(cluster.jobOptions().jvmOptions()).containsExactly("-Xmx2g");
    assertThat(cluster.jobJvmOptions()).containsExactly("-Xmx2g");
    assertThat(cluster.jobStopTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(cluster.jobContactTimeout()).contains(Duration.ofSeconds(30));
  }

  @Test
  void build_whenSettersFollowSpec_overrideItsOptions() {
    RayCluster cluster =
        RayCluster.builder()
            .auth(KubeAuth.of(Config.empty()))
            .spec(spec())
            .name("override")
            .jobJvmOptions("-Xmx1g")
            .build();

    assertThat(cluster.name()).isEqualTo("override");
    assertThat(cluster.exitMode()).isEqualTo(ExitMode.RETAIN_ON_FAILURE);
    assertThat(cluster.jobOptions().jvmOptions()).containsExactly("-Xmx1g");
  }

  @Test
  void build_whenOneSpecBuildsTwoHandles_eachHasItsOwnSession() {
    RayClusterSpec spec = spec();

    RayCluster a = RayCluster.builder().auth(KubeAuth.of(Config.empty())).spec(spec).build();
    RayCluster b = RayCluster.builder().auth(KubeAuth.of(Config.empty())).spec(spec).build();

    assertThat(a.sessionId()).isNotEqualTo(b.sessionId());
    assertThat(a.managedLabels()).containsEntry(RayCluster.SESSION_LABEL, a.sessionId());
    assertThat(a.spec().toString()).isEqualTo(b.spec().toString());
  }

  @Test
  void build_whenSpecInvalid_failsWithoutAHandle() {
    RayClusterSpec.Builder fixedSize =
        RayClusterSpec.builder()
            .workerGroup(WorkerGroupSpec.builder().name("w").minReplicas(2).maxReplicas(2).build())
            .idleTimeout(Duration.ofSeconds(30));

    assertThatThrownBy(fixedSize::build)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.idleTimeout is set but no worker group can scale");
  }

  @Test
  void toBuilder_whenSpecBuilt_keepsResolvedNameVersionAndWorkers() {
    RayClusterSpec defaults = RayClusterSpec.builder().build();

    RayClusterSpec copy = defaults.toBuilder().build();

    assertThat(defaults.name()).startsWith("geneva-");
    assertThat(copy.name()).isEqualTo(defaults.name());
    assertThat(copy.rayVersion()).isEqualTo(RayCluster.DEFAULT_RAY_VERSION);
    assertThat(copy.workerGroups()).hasSize(1);
  }

  @Test
  void render_whenGivenSpecAndSession_needsNoHandle() {
    RayClusterResource rc = Manifests.render(spec(), "abc12345", KubeRayFeatures.OLDEST);

    assertThat(rc.getMetadata().getName()).isEqualTo("shared-spec");
    assertThat(rc.getMetadata().getLabels())
        .containsEntry(RayCluster.SESSION_LABEL, "abc12345")
        .containsEntry(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE)
        .containsEntry("team", "search");
  }

  @Test
  void toString_whenJobOptionsHoldSecrets_showsNeitherTokenNorStorageValues() {
    RayJobOptions jobs =
        RayJobOptions.builder()
            .dashboardBearerToken("secret-token")
            .storageOptions(Map.of("aws_secret_access_key", "secret-key"))
            .build();

    assertThat(jobs.hasDashboardBearerToken()).isTrue();
    assertThat(jobs.toString())
        .doesNotContain("secret-token")
        .doesNotContain("secret-key")
        .contains("aws_secret_access_key");
  }
}
