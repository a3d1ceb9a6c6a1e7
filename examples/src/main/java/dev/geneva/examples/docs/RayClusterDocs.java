package dev.geneva.examples.docs;

import dev.geneva.BackfillOptions;
import dev.geneva.Table;
import dev.geneva.cloud.aws.EksAuth;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.ray.jobs.RayJobBackfill;
import dev.geneva.ray.jobs.RayJobsClient;
import dev.geneva.spi.BackfillTargets;
import java.util.Map;

/** Code of {@code docs/ray-cluster.md}. */
public final class RayClusterDocs {
  private RayClusterDocs() {}

  /**
   * The deployment guide's Python {@code ray_cluster(...)} example, line for line.
   *
   * @param table the table
   */
  public static void eks(Table table) {
    // docs:begin ray-cluster-specs
    HeadGroupSpec headSpec =
        HeadGroupSpec.builder()
            .serviceAccount("geneva-ray-runner")
            .cpus(1)
            .memoryMiB(2048)
            .nodeSelector(Map.of("geneva.lancedb.com/ray-head", "true"))
            .build();

    WorkerGroupSpec workerSpec =
        WorkerGroupSpec.builder()
            .name("worker")
            .minReplicas(1)
            .serviceAccount("geneva-ray-runner")
            .cpus(2)
            .memoryMiB(4096)
            .nodeSelector(Map.of("geneva.lancedb.com/ray-worker-cpu", "true"))
            .build();
    // docs:end ray-cluster-specs

    // docs:begin ray-cluster-eks
    try (RayCluster cluster =
        RayCluster.builder()
            .name("my-ray-cluster")
            .namespace("geneva")
            .auth(
                EksAuth.builder()
                    .clusterName("geneva")
                    .region("us-east-1")
                    .roleName("geneva-client-role")
                    .build())
            .portForwarding(true)
            .headGroup(headSpec)
            .workerGroup(workerSpec)
            .start()) {
      RayJobBackfill onCluster =
          RayJobBackfill.builder(
                  RayJobsClient.builder().dashboardUrl(cluster.dashboardUrl()).build())
              .build();
      table.backfill("embedding", BackfillOptions.builder().target(onCluster).build());
    }
    // docs:end ray-cluster-eks
  }

  /**
   * The same with the backfill target entered for the thread.
   *
   * @param table the table
   * @param cluster a started cluster
   */
  public static void scoped(Table table, RayCluster cluster) {
    // docs:begin ray-cluster-scope
    RayJobBackfill onCluster =
        RayJobBackfill.builder(RayJobsClient.builder().dashboardUrl(cluster.dashboardUrl()).build())
            .build();
    try (BackfillTargets.Scope scope = BackfillTargets.enter(onCluster)) {
      table.backfill("embedding"); // runs as a Ray job on the cluster
    }
    // docs:end ray-cluster-scope
  }

  /**
   * The Python parameter names through {@link ConfigMethod}.
   *
   * @return the auth
   */
  public static KubeAuth configMethod() {
    // docs:begin ray-cluster-config-method
    KubeAuth auth =
        KubeAuth.forMethod(
            ConfigMethod.EKS_AUTH,
            Map.of(
                "cluster_name", "geneva",
                "region", "us-east-1",
                "role_name", "geneva-client-role"));
    // docs:end ray-cluster-config-method
    return auth;
  }
}
