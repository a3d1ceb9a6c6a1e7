package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.KubeRayFeatures;
import dev.geneva.k8s.internal.Manifests;
import dev.geneva.k8s.testing.CrdSchemas;
import dev.geneva.k8s.testing.KubeRayCrds;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every RayCluster Geneva generates validates against the openAPI v3 schema of the real KubeRay
 * CRDs, made strict by {@link CrdSchemas}, both as rendered for the oldest KubeRay and with the
 * features each CRD has.
 */
class ManifestSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> manifests() {
    return Stream.of(KubeRayCrds.VERSIONS)
        .flatMap(
            v ->
                Stream.of(
                    Arguments.of(v, "cpu-only"),
                    Arguments.of(v, "gpu"),
                    Arguments.of(v, "several-groups")));
  }

  private static RayCluster cluster(String kind) {
    RayCluster.Builder b = RayCluster.builder().name("schema").auth(KubeAuth.of(Config.empty()));
    switch (kind) {
      case "cpu-only" -> b.workerGroup(WorkerGroupSpec.builder().build());
      case "gpu" ->
          b.workerGroup(
              WorkerGroupSpec.builder()
                  .name("gpu")
                  .gpus(1)
                  .cpus(8)
                  .memory("32Gi")
                  .image("rayproject/ray:2.39.0-py310-gpu")
                  .build());
      default ->
          b.headGroup(
                  HeadGroupSpec.builder()
                      .serviceAccount("geneva-ray-runner")
                      .cpus("1500m")
                      .memoryMiB(2048)
                      .env("GENEVA_MODE", "head")
                      .rayStartParam("object-store-memory", "100000000")
                      .priorityClassName("high")
                      .annotations(Map.of("example.com/note", "x"))
                      .build())
              .idleTimeout(Duration.ofMinutes(2))
              .labels(Map.of("team", "data"))
              .workerGroup(
                  WorkerGroupSpec.builder()
                      .name("cpu")
                      .minReplicas(0)
                      .replicas(1)
                      .maxReplicas(10)
                      .labels(Map.of("pool", "spot"))
                      .volume(
                          new VolumeBuilder()
                              .withName("scratch")
                              .withNewEmptyDir()
                              .endEmptyDir()
                              .build())
                      .volumeMount(
                          new VolumeMountBuilder()
                              .withName("scratch")
                              .withMountPath("/scratch")
                              .build())
                      .toleration(
                          new TolerationBuilder()
                              .withKey("spot")
                              .withOperator("Equal")
                              .withValue("true")
                              .withEffect("NoSchedule")
                              .build())
                      .build())
              .workerGroup(
                  WorkerGroupSpec.builder()
                      .name("gpu")
                      .gpus(4)
                      .memory("64Gi")
                      .podTemplateOverride(
                          t ->
                              new PodTemplateSpecBuilder(t)
                                  .editSpec()
                                  .addToContainers(
                                      new ContainerBuilder()
                                          .withName("sidecar")
                                          .withImage("busybox")
                                          .build())
                                  .endSpec()
                                  .build())
                      .build());
    }
    return b.build();
  }

  @ParameterizedTest(name = "{1} on KubeRay {0}")
  @MethodSource("manifests")
  void render_whenValidatedAgainstKubeRayCrd_expectNoSchemaErrors(String version, String kind)
      throws IOException {
    String oldest = new KubernetesSerialization().asJson(Manifests.render(cluster(kind)));
    assertThat(CrdSchemas.validate(version, JSON.readTree(oldest)))
        .as("%s as rendered for KubeRay 1.1, against KubeRay %s:\n%s", kind, version, oldest)
        .isEmpty();
    KubeRayFeatures features = KubeRayFeatures.fromCrd(KubeRayCrds.crd(version));
    String json = new KubernetesSerialization().asJson(Manifests.render(cluster(kind), features));
    JsonNode node = JSON.readTree(json);
    Set<ValidationMessage> errors = CrdSchemas.validate(version, node);
    assertThat(errors).as("%s against KubeRay %s:\n%s", kind, version, json).isEmpty();
    assertThat(node.at("/spec/headGroupSpec/rayStartParams").isObject()).isTrue();
    node.at("/spec/workerGroupSpecs")
        .forEach(g -> assertThat(g.get("rayStartParams").isObject()).isTrue());
  }

  @org.junit.jupiter.api.Test
  void validate_whenManifestBreaksSchema_expectValidatorRejectsIt() throws IOException {
    String json = new KubernetesSerialization().asJson(Manifests.render(cluster("cpu-only")));
    ObjectNode noParams = (ObjectNode) JSON.readTree(json);
    ((ObjectNode) noParams.at("/spec/headGroupSpec")).remove("rayStartParams");
    assertThat(CrdSchemas.validate("1.1.1", noParams)).isNotEmpty();
    assertThat(CrdSchemas.validate("1.7.0", noParams)).isEmpty();

    ObjectNode newField = (ObjectNode) JSON.readTree(json);
    ((ObjectNode) newField.at("/spec/workerGroupSpecs/0")).put("idleTimeoutSeconds", 60);
    assertThat(CrdSchemas.validate("1.1.1", newField)).isNotEmpty();
    assertThat(CrdSchemas.validate("1.3.2", newField)).isEmpty();
  }
}
