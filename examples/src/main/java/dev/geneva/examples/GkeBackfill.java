package dev.geneva.examples;

import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.cloud.gcp.GcsStorageOptions;
import dev.geneva.cloud.gcp.GcsWriteCheck;
import dev.geneva.cloud.gcp.GkeAuth;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;

/**
 * Starts a Ray cluster on GKE, runs a backfill of a GCS table on it as a Ray job, and deletes the
 * cluster. Needs Google application-default credentials and the setup of {@code docs/gke.md}; never
 * run by the tests.
 *
 * <p>Settings ({@code KEY=value} arguments or environment variables): {@code GENEVA_DB}
 * (gs://bucket/db), {@code GENEVA_TABLE} (docs), {@code GENEVA_COLUMN} (embedding), {@code
 * GCP_PROJECT} (my-project), {@code GKE_LOCATION} (us-central1), {@code GKE_CLUSTER} (geneva),
 * {@code GENEVA_NAMESPACE} (geneva), {@code GENEVA_KSA} (geneva-ray-runner), {@code GENEVA_IMAGE}
 * (a Java-capable Ray 2.39.0 image, see {@code docs/ray-image.md}).
 */
public final class GkeBackfill {
  private GkeBackfill() {}

  /**
   * Runs the backfill on GKE.
   *
   * @param args {@code KEY=value} settings
   */
  public static void main(String[] args) {
    Settings s = Settings.of(args);
    String dbUri = s.get("GENEVA_DB", "gs://my-bucket/db");
    String ksa = s.get("GENEVA_KSA", "geneva-ray-runner");
    String image = s.get("GENEVA_IMAGE", HeadGroupSpec.DEFAULT_IMAGE);

    // Fail early, with the missing role named, when this identity cannot write to the bucket.
    GcsWriteCheck.builder().tableUri(dbUri).build().run().throwIfFailed();

    try (Connection db = Geneva.connect(dbUri, GcsStorageOptions.applicationDefault());
        RayCluster cluster =
            RayCluster.builder()
                .name(s.get("GENEVA_RAY_CLUSTER", "my-ray-cluster"))
                .namespace(s.get("GENEVA_NAMESPACE", "geneva"))
                .auth(
                    GkeAuth.builder()
                        .project(s.get("GCP_PROJECT", "my-project"))
                        .location(s.get("GKE_LOCATION", "us-central1"))
                        .clusterName(s.get("GKE_CLUSTER", "geneva"))
                        .build())
                .headGroup(
                    HeadGroupSpec.builder()
                        .serviceAccount(ksa)
                        .image(image)
                        .cpus(1)
                        .memoryMiB(2048)
                        .build())
                .workerGroup(
                    WorkerGroupSpec.builder()
                        .name("worker")
                        .minReplicas(1)
                        .serviceAccount(ksa)
                        .image(image)
                        .cpus(2)
                        .memoryMiB(4096)
                        .build())
                .start()) {
      Table table = db.openTable(s.get("GENEVA_TABLE", "docs"));
      // The started cluster is this JVM's backfill target: this runs as a Ray job there.
      BackfillResult r =
          table.backfill(
              s.get("GENEVA_COLUMN", "embedding"),
              BackfillOptions.builder().listener(new ConsoleProgress(System.out)).build());
      System.out.println(r);
    }
  }
}
