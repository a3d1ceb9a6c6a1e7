package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackager;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builder's options for the Ray jobs a started cluster runs backfills as. */
class RayClusterJobOptionsTest {

  private static RayCluster.Builder builder() {
    return RayCluster.builder().auth(KubeAuth.of(Config.empty()));
  }

  @Test
  void build_whenJobOptionsSet_keptAndCopiedByToBuilder() {
    JobPackage pkg = JobPackage.remote("s3://bucket/geneva-jobs.zip");
    RayCluster cluster =
        builder()
            .jobPackage(pkg)
            .jobJvmOptions("-Xmx4g", "-XX:+UseG1GC")
            .jobStorageOptions(Map.of("aws_region", "us-east-1"))
            .dashboardBearerToken("secret-token")
            .jobStopTimeout(Duration.ofSeconds(3))
            .build();

    RayCluster copy = cluster.toBuilder().build();

    for (RayCluster c : List.of(cluster, copy)) {
      assertThat(c.jobPackage()).containsSame(pkg);
      assertThat(c.jobPackager()).isEmpty();
      assertThat(c.jobJvmOptions()).containsExactly("-Xmx4g", "-XX:+UseG1GC");
      assertThat(c.jobStorageOptions()).containsEntry("aws_region", "us-east-1");
      assertThat(c.jobStopTimeout()).isEqualTo(Duration.ofSeconds(3));
    }
    assertThat(cluster.toString()).doesNotContain("secret-token");
  }

  @Test
  void driverJvmOptions_whenCpuWorkerGroup_namesCpuOnlyResourceBeforeUserOptions() {
    RayCluster cluster =
        builder()
            .workerGroup(WorkerGroupSpec.builder().name("cpu").cpus(2).build())
            .jobJvmOptions("-Xmx4g")
            .build();

    assertThat(cluster.driverJvmOptions())
        .containsExactly("-Dgeneva.ray.cpuOnlyResource=cpu-only", "-Xmx4g");
  }

  @Test
  void cpuOnlyProperty_isTheOneTheRaySessionReads() {
    assertThat(RayCluster.CPU_ONLY_PROPERTY)
        .isEqualTo(dev.geneva.ray.internal.RaySession.CPU_ONLY_PROPERTY);
  }

  @Test
  void driverJvmOptions_whenNoGroupAdvertisesCpuOnly_userOptionsOnly() {
    RayCluster gpuOnly =
        builder()
            .workerGroup(WorkerGroupSpec.builder().name("gpu").cpus(4).gpus(1).build())
            .jobJvmOptions("-Xmx4g")
            .build();
    RayCluster ownResources =
        builder()
            .workerGroup(
                WorkerGroupSpec.builder()
                    .name("cpu")
                    .rayStartParam("resources", "'{\"custom\": 1}'")
                    .build())
            .build();

    assertThat(gpuOnly.driverJvmOptions()).containsExactly("-Xmx4g");
    assertThat(ownResources.driverJvmOptions()).isEmpty();
  }

  @Test
  void jobPackager_replacesJobPackage() {
    RayCluster cluster =
        builder()
            .jobPackage(JobPackage.baked("/opt/geneva/jars"))
            .jobPackager(JobPackager.of(List.of(Path.of("target/classes"))))
            .build();

    assertThat(cluster.jobPackage()).isEmpty();
    assertThat(cluster.jobPackager()).isPresent();
    assertThat(builder().build().jobStopTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void jobOptions_whenInvalid_rejectedNamingOption() {
    assertThatThrownBy(() -> builder().jobStopTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.jobStopTimeout");
    assertThatThrownBy(() -> builder().dashboardBearerToken(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.dashboardBearerToken");
    assertThatThrownBy(() -> builder().jobJvmOptions("-Xmx1g", ""))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayCluster.jobJvmOptions");
  }

  @Test
  void backfillTarget_beforeStart_isIllegalState() {
    RayCluster cluster = builder().name("c1").build();

    assertThatThrownBy(cluster::backfillTarget)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not started");
    assertThat(cluster.runningBackfills()).isEmpty();
  }
}
