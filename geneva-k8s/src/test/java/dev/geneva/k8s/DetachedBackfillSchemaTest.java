package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.geneva.BackfillOptions;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.DetachedJobs;
import dev.geneva.k8s.internal.KubeRayFeatures;
import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.k8s.testing.CrdSchemas;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.JobPackage;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RayJob of a detached backfill validates against the strict {@code ray.io/v1} schema of every
 * vendored KubeRay RayJob CRD: as created through the mock API server with that CRD installed, and
 * as rendered for the oldest KubeRay.
 */
class DetachedBackfillSchemaTest {
  private static RayClusterSpec spec() {
    return RayClusterSpec.builder()
        .namespace("geneva")
        .labels(Map.of("team", "data"))
        .idleTimeout(Duration.ofMinutes(2))
        .headGroup(HeadGroupSpec.builder().serviceAccount("geneva-ray-runner").cpus(2).build())
        .workerGroup(WorkerGroupSpec.builder().name("cpu").minReplicas(0).maxReplicas(8).build())
        .workerGroup(
            WorkerGroupSpec.builder()
                .name("gpu")
                .gpus(1)
                .image("rayproject/ray:2.39.0-py310-gpu")
                .toleration(
                    new TolerationBuilder()
                        .withKey("spot")
                        .withOperator("Exists")
                        .withEffect("NoSchedule")
                        .build())
                .build())
        .build();
  }

  private static DetachedBackfillOptions options() {
    return DetachedBackfillOptions.builder(JobPackage.remote("gs://bucket/jobs/geneva-job.zip"))
        .name("schema")
        .backfillOptions(BackfillOptions.builder().where("id > 3").build())
        .activeDeadline(Duration.ofHours(1))
        .ttlAfterFinished(Duration.ofSeconds(60))
        .storageOptions(Map.of("google_service_account_path", "/var/run/sa.json"))
        .jvmOptions("-Xmx4g")
        .build();
  }

  private static RayJobResource renderedForOldest() {
    return DetachedJobs.render(
        spec(),
        "abcd1234",
        KubeRayFeatures.OLDEST,
        "schema",
        new DriverArgs("gs://bucket/db/docs.lance", "embedding", BackfillOptions.defaults()),
        options());
  }

  @ParameterizedTest(name = "KubeRay {0}")
  @MethodSource("dev.geneva.k8s.testing.KubeRayCrds#versions")
  void submit_whenCreatedOnKubeRayVersion_expectStoredRayJobValidatesAgainstItsSchema(
      String version) {
    try (MockKubernetes mock = new MockKubernetes()) {
      mock.client()
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(KubeRayCrds.rayJobCrd(version))
          .create();
      DetachedBackfills.submit(
              KubeAuth.of(mock.client().getConfiguration()),
              spec(),
              "gs://bucket/db/docs.lance",
              "embedding",
              options())
          .close();
      RayJobResource stored =
          mock.client()
              .resources(RayJobResource.class)
              .inNamespace("geneva")
              .withName("schema")
              .get();
      JsonNode json = CrdSchemas.json(stored);
      assertThat(CrdSchemas.validateRayJob(version, json))
          .as("RayJob against KubeRay %s:\n%s", version, json)
          .isEmpty();
      boolean groupIdle = !version.startsWith("1.1.") && !version.startsWith("1.2.");
      assertThat(
              json.at("/spec/rayClusterSpec/workerGroupSpecs/0/idleTimeoutSeconds").isMissingNode())
          .as("per-group idle timeout on KubeRay %s", version)
          .isEqualTo(!groupIdle);
    }
  }

  @ParameterizedTest(name = "KubeRay {0}")
  @MethodSource("dev.geneva.k8s.testing.KubeRayCrds#versions")
  void render_whenRenderedForOldestKubeRay_expectValidOnEveryVersion(String version) {
    RayJobResource job = renderedForOldest();
    JsonNode json = CrdSchemas.json(job);
    assertThat(CrdSchemas.validateRayJob(version, json)).as("%s", json).isEmpty();
  }

  @Test
  void validateRayJob_whenFieldOnlyNewerKubeRayHas_expectValidatorRejectsItOnOlder() {
    RayJobResource job = renderedForOldest();
    ObjectNode json = (ObjectNode) CrdSchemas.json(job);
    ((ObjectNode) json.get("spec")).put("deletionPolicy", "DeleteCluster");
    assertThat(CrdSchemas.validateRayJob("1.1.1", json)).isNotEmpty();
    assertThat(CrdSchemas.validateRayJob("1.3.2", json)).isEmpty();
    ObjectNode noEntry = (ObjectNode) CrdSchemas.json(job);
    ((ObjectNode) noEntry.get("spec")).remove("entrypoint");
    assertThat(CrdSchemas.validateRayJob("1.1.1", noEntry)).isNotEmpty();
  }
}
