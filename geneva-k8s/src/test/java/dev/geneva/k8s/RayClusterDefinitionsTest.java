package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.InvalidInputException;
import dev.geneva.StoredCluster;
import dev.geneva.testing.SampleTables;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster specs stored in the database by name, read back typed and with plain lance-core. */
class RayClusterDefinitionsTest {
  @TempDir Path dir;

  static RayClusterSpec gpuEmbed() {
    return RayClusterSpec.builder()
        .name("gpu-embed")
        .namespace("geneva")
        .rayVersion("2.39.0")
        .exitMode(ExitMode.RETAIN_ON_FAILURE)
        .waitTimeout(Duration.ofMinutes(7))
        .portForwarding(true)
        .idleTimeout(Duration.ofSeconds(120))
        .labels(Map.of("team", "search"))
        .headGroup(
            HeadGroupSpec.builder()
                .serviceAccount("geneva-ray-runner")
                .cpus(2)
                .memoryMiB(4096)
                .build())
        .workerGroup(WorkerGroupSpec.builder().name("cpu").cpus(4).memory("8Gi").build())
        .workerGroup(
            WorkerGroupSpec.builder()
                .name("gpu")
                .gpus(1)
                .cpus("7500m")
                .memory("30Gi")
                .image("registry.example/geneva-ray:2.39.0-gpu")
                .minReplicas(1)
                .maxReplicas(4)
                .idleTimeout(Duration.ofSeconds(300))
                .env("HF_HOME", "/models")
                .rayStartParam("num-cpus", "7")
                .priorityClassName("batch")
                .toleration(
                    new TolerationBuilder()
                        .withKey("dedicated")
                        .withOperator("Equal")
                        .withValue("ml")
                        .withEffect("NoSchedule")
                        .build())
                .volume(
                    new VolumeBuilder()
                        .withName("models")
                        .withNewPersistentVolumeClaim("models-pvc", true)
                        .build())
                .volumeMount(
                    new VolumeMountBuilder().withName("models").withMountPath("/models").build())
                .build())
        .build();
  }

  @Test
  void define_thenLoadInAnotherConnection_returnsTheSameSpec() throws Exception {
    RayClusterSpec spec = gpuEmbed();
    try (Connection db = Geneva.connect(dir.toString())) {
      SampleTables.create(db, "docs", 10, 10);
      RayClusterDefinitions.define(db, "gpu-embed", spec);
      assertThat(db.tableNames()).containsExactly("docs");
    }
    try (Connection db = Geneva.connect(dir.toString())) {
      assertThat(db.clusters()).extracting(StoredCluster::name).containsExactly("gpu-embed");
      assertThat(RayClusterDefinitions.names(db)).containsExactly("gpu-embed");
      RayClusterSpec loaded = RayClusterDefinitions.load(db, "gpu-embed");
      assertThat(RayClusterDefinitions.toJson(loaded))
          .isEqualTo(RayClusterDefinitions.toJson(spec));
      assertThat(loaded.toString()).isEqualTo(spec.toString());
      WorkerGroupSpec gpu = loaded.workerGroups().get(1);
      assertThat(gpu.cpus()).isEqualTo("7500m");
      assertThat(gpu.tolerations())
          .extracting(t -> t.getKey())
          .contains("dedicated", "nvidia.com/gpu");
      assertThat(gpu.volumes().get(0).getPersistentVolumeClaim().getClaimName())
          .isEqualTo("models-pvc");
      assertThat(gpu.env()).containsEntry("HF_HOME", "/models");
      assertThat(loaded.exitMode()).isEqualTo(ExitMode.RETAIN_ON_FAILURE);
    }
    // What Lance itself holds: one row naming the definition, its kind and the JSON.
    List<String> rows = new ArrayList<>();
    try (RootAllocator a = new RootAllocator();
        Dataset ds = Dataset.open(dir.resolve("_geneva/clusters.lance").toString(), a);
        LanceScanner s = ds.newScan(new ScanOptions.Builder().build());
        ArrowReader r = s.scanBatches()) {
      while (r.loadNextBatch()) {
        VectorSchemaRoot b = r.getVectorSchemaRoot();
        for (int i = 0; i < b.getRowCount(); i++) {
          rows.add(text(b, "name", i) + " " + text(b, "kind", i) + " " + text(b, "definition", i));
        }
      }
    }
    assertThat(rows)
        .singleElement()
        .asString()
        .startsWith("gpu-embed ray.io/RayCluster {")
        .contains("\"registry.example/geneva-ray:2.39.0-gpu\"");
  }

  private static String text(VectorSchemaRoot b, String column, int i) {
    return new String(((VarCharVector) b.getVector(column)).get(i), StandardCharsets.UTF_8);
  }

  @Test
  void define_twice_theLatestWinsAndDropRemovesIt() {
    try (Connection db = Geneva.connect(dir.toString())) {
      RayClusterDefinitions.define(db, "embed", gpuEmbed());
      RayClusterSpec smaller =
          gpuEmbed().toBuilder()
              .workerGroup(WorkerGroupSpec.builder().name("extra").cpus(1).build())
              .build();
      RayClusterDefinitions.define(db, "embed", smaller);
      RayClusterDefinitions.define(db, "other", gpuEmbed());
      assertThat(RayClusterDefinitions.load(db, "embed").workerGroups()).hasSize(3);
      assertThat(db.dropCluster("embed")).isTrue();
      assertThat(db.dropCluster("embed")).isFalse();
      assertThat(db.cluster("embed")).isEmpty();
      assertThat(RayClusterDefinitions.names(db)).containsExactly("other");
      assertThatThrownBy(() -> RayClusterDefinitions.load(db, "embed"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("no cluster definition named 'embed'")
          .hasMessageContaining("[other]");
    }
  }

  @Test
  void define_whenSpecHoldsASecretOrCode_refusesBeforeWriting() {
    try (Connection db = Geneva.connect(dir.toString())) {
      RayClusterSpec withSecret =
          gpuEmbed().toBuilder()
              .headGroup(HeadGroupSpec.builder().env("HF_TOKEN", "hf_abc123").build())
              .build();
      assertThatThrownBy(() -> RayClusterDefinitions.define(db, "x", withSecret))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("HF_TOKEN")
          .hasMessageContaining("Kubernetes Secret")
          .hasMessageNotContaining("hf_abc123");
      RayClusterSpec withCode =
          gpuEmbed().toBuilder().readinessChecks(List.of(ReadinessCheck.headPodReady())).build();
      assertThatThrownBy(() -> RayClusterDefinitions.define(db, "x", withCode))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("readiness checks");
      assertThatThrownBy(() -> RayClusterDefinitions.define(db, "Bad_Name", gpuEmbed()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("lower-case");
      assertThat(db.clusters()).isEmpty();
      assertThat(dir.resolve("_geneva")).doesNotExist();
    }
  }
}
