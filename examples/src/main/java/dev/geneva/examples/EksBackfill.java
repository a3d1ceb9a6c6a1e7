package dev.geneva.examples;

import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.cloud.aws.EksAuth;
import dev.geneva.cloud.aws.S3StorageOptions;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;

/**
 * Starts a Ray cluster on Amazon EKS (the deployment guide's "Initialize the Ray Cluster"), runs a
 * backfill of an S3 table on it as a Ray job, and deletes the cluster. Needs AWS credentials that
 * may assume the Geneva client role, and the setup of {@code docs/eks.md}; never run by the tests.
 *
 * <p>Settings ({@code KEY=value} arguments or environment variables): {@code GENEVA_DB}
 * (s3://bucket/db), {@code GENEVA_TABLE} (docs), {@code GENEVA_COLUMN} (embedding), {@code
 * EKS_CLUSTER} (geneva), {@code AWS_REGION} (us-east-1), {@code GENEVA_CLIENT_ROLE}
 * (geneva-client-role), {@code GENEVA_NAMESPACE} (geneva), {@code GENEVA_KSA} (geneva-ray-runner),
 * {@code GENEVA_IMAGE} (a Java-capable Ray 2.39.0 image, see {@code docs/ray-image.md}).
 */
public final class EksBackfill {
  private EksBackfill() {}

  /**
   * Runs the backfill on EKS.
   *
   * @param args {@code KEY=value} settings
   */
  public static void main(String[] args) {
    Settings s = Settings.of(args);
    String region = s.get("AWS_REGION", "us-east-1");
    String ksa = s.get("GENEVA_KSA", "geneva-ray-runner");
    String image = s.get("GENEVA_IMAGE", HeadGroupSpec.DEFAULT_IMAGE);

    EksAuth auth =
        EksAuth.builder()
            .clusterName(s.get("EKS_CLUSTER", "geneva"))
            .region(region)
            .roleName(s.get("GENEVA_CLIENT_ROLE", "geneva-client-role"))
            .build();
    // This JVM opens the table with the client role's credentials, renewed as the role session
    // ends (the options are a provider, asked again on every use); the Ray pods use their service
    // account's role (IRSA).
    S3StorageOptions s3 =
        S3StorageOptions.builder()
            .credentialsProvider(auth.credentialsProvider())
            .region(region)
            .build();

    try (Connection db =
            Geneva.connect(
                s.get("GENEVA_DB", "s3://my-bucket/db"),
                ConnectOptions.builder().storageOptionsProvider(s3).build());
        RayCluster cluster =
            RayCluster.builder()
                .name(s.get("GENEVA_RAY_CLUSTER", "my-ray-cluster"))
                .namespace(s.get("GENEVA_NAMESPACE", "geneva"))
                .auth(auth)
                .portForwarding(true)
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
