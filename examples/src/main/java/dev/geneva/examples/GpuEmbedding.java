package dev.geneva.examples;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.examples.udf.GpuSentenceEmbedding;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.KubeAuth;
import java.util.Map;

/**
 * A batch embedding UDF on GPU workers: the cluster gets a worker group with {@code gpus(1)} (so
 * its pods request {@code nvidia.com/gpu: 1}, select {@code geneva.lancedb.com/ray-worker-gpu}
 * nodes and tolerate the GPU taint), and the UDF declares one GPU per instance. Reaches the cluster
 * through this machine's kubeconfig; never run by the tests.
 *
 * <p>Settings ({@code KEY=value} arguments or environment variables): {@code GENEVA_DB}, {@code
 * GENEVA_TABLE} (docs), {@code GENEVA_NAMESPACE} (geneva), {@code GENEVA_KSA} (geneva-ray-runner),
 * {@code GENEVA_IMAGE} and {@code GENEVA_GPU_IMAGE} (Java-capable Ray 2.39.0 images, the GPU one
 * built from {@code rayproject/ray:2.39.0-py310-gpu}).
 */
public final class GpuEmbedding {
  private GpuEmbedding() {}

  /**
   * Adds and backfills a GPU embedding column on a Ray cluster with a GPU worker group.
   *
   * @param args {@code KEY=value} settings
   */
  public static void main(String[] args) {
    Settings s = Settings.of(args);
    String ksa = s.get("GENEVA_KSA", "geneva-ray-runner");
    // docs:begin gpu-worker-group
    WorkerGroupSpec gpuWorkers =
        WorkerGroupSpec.builder()
            .name("gpu")
            .serviceAccount(ksa)
            .image(s.get("GENEVA_GPU_IMAGE", "rayproject/ray:2.39.0-py310-gpu"))
            .cpus(4)
            .memory("16Gi")
            .gpus(1)
            .minReplicas(0)
            .maxReplicas(4)
            .build();
    // docs:end gpu-worker-group
    try (Connection db = Geneva.connect(s.get("GENEVA_DB", "s3://my-bucket/db"));
        RayCluster cluster =
            RayCluster.builder()
                .namespace(s.get("GENEVA_NAMESPACE", "geneva"))
                .auth(KubeAuth.kubeconfig())
                .headGroup(
                    HeadGroupSpec.builder()
                        .serviceAccount(ksa)
                        .image(s.get("GENEVA_IMAGE", HeadGroupSpec.DEFAULT_IMAGE))
                        .build())
                .workerGroup(gpuWorkers)
                .start()) {
      Table table = db.openTable(s.get("GENEVA_TABLE", "docs"));
      if (table.schema().getFields().stream().noneMatch(f -> f.getName().equals("embedding_gpu"))) {
        table.addColumns(Map.of("embedding_gpu", new GpuSentenceEmbedding()));
      }
      // The started cluster is this JVM's backfill target: this runs as a Ray job there.
      System.out.println(
          table.backfill(
              "embedding_gpu",
              BackfillOptions.builder().listener(new ConsoleProgress(System.out)).build()));
    }
  }
}
