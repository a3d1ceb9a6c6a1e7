package dev.geneva.examples.docs;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Table;
import dev.geneva.cloud.aws.EksAuth;
import dev.geneva.k8s.DetachedBackfill;
import dev.geneva.k8s.DetachedBackfillOptions;
import dev.geneva.k8s.DetachedBackfillStatus;
import dev.geneva.k8s.DetachedBackfills;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterDefinitions;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.RayJobOptions;
import dev.geneva.k8s.ReconciledJob;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackageDefinitions;
import dev.geneva.spi.BackfillExecutor;
import java.time.Duration;
import java.util.List;
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
            .clusterName("geneva")
            .configMethod(ConfigMethod.EKS_AUTH)
            .region("us-east-1")
            .portForwarding(true)
            .headGroup(headSpec)
            .workerGroup(workerSpec)
            .roleName("geneva-client-role")
            .start()) {
      table.backfill("embedding"); // runs as a Ray job on this cluster
    }
    // docs:end ray-cluster-eks

    // docs:begin ray-cluster-eks-typed
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
            .headGroup(headSpec)
            .workerGroup(workerSpec)
            .start()) {
      table.backfill("embedding");
    }
    // docs:end ray-cluster-eks-typed

    // docs:begin ray-cluster-gke
    try (RayCluster cluster =
        RayCluster.builder()
            .name("my-ray-cluster")
            .namespace("geneva")
            .configMethod(ConfigMethod.GKE)
            .project("my-project")
            .location("us-central1")
            .clusterName("geneva")
            .headGroup(headSpec)
            .workerGroup(workerSpec)
            .start()) {
      table.backfill("embedding");
    }
    // docs:end ray-cluster-gke
  }

  /**
   * Backfills that name the cluster explicitly: they run on it whatever else is open.
   *
   * @param table the table
   * @param cluster a started cluster
   * @return the result
   */
  public static BackfillResult explicitCluster(Table table, RayCluster cluster) {
    // docs:begin ray-cluster-explicit
    BackfillResult result = cluster.backfill(table, "embedding");
    // or, with other options:
    table.backfill(
        "embedding",
        BackfillOptions.builder().where("id < 1000").target(cluster.backfillTarget()).build());
    // docs:end ray-cluster-explicit
    return result;
  }

  /**
   * A backfill that runs in this JVM although a cluster is open, because it names an executor.
   *
   * @param table the table
   * @return the result
   */
  public static BackfillResult localInsideBlock(Table table) {
    // docs:begin ray-cluster-local-executor
    try (BackfillExecutor threads = BackfillExecutors.threads()) {
      return table.backfill("embedding", BackfillOptions.builder().executor(threads).build());
    }
    // docs:end ray-cluster-local-executor
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

  /**
   * One spec and one set of job options, kept as values and started twice.
   *
   * @param table the table
   * @param headSpec the head group
   * @param workerSpec the worker group
   */
  public static void specValues(Table table, HeadGroupSpec headSpec, WorkerGroupSpec workerSpec) {
    // docs:begin ray-cluster-spec-values
    RayClusterSpec spec =
        RayClusterSpec.builder()
            .name("my-ray-cluster")
            .namespace("geneva")
            .headGroup(headSpec)
            .workerGroup(workerSpec)
            .build(); // validated here
    RayJobOptions jobs = RayJobOptions.builder().jvmOptions("-Xmx4g").build();

    try (RayCluster cluster =
        RayCluster.builder()
            .spec(spec)
            .jobOptions(jobs)
            .configMethod(ConfigMethod.GKE)
            .project("my-project")
            .location("us-central1")
            .clusterName("geneva")
            .start()) {
      table.backfill("embedding");
    }
    // docs:end ray-cluster-spec-values
  }

  /**
   * A backfill submitted as a KubeRay RayJob, then followed from another program.
   *
   * @param auth how to reach the Kubernetes API server
   * @param table the table
   * @param name the RayJob's name, as printed at submission
   */
  public static void detached(KubeAuth auth, Table table, String name) {
    // docs:begin ray-cluster-detached
    RayClusterSpec spec =
        RayClusterSpec.builder()
            .namespace("geneva")
            .headGroup(HeadGroupSpec.builder().serviceAccount("geneva-ray-runner").build())
            .workerGroup(WorkerGroupSpec.builder().name("cpu").maxReplicas(8).build())
            .build();
    DetachedBackfillOptions options =
        DetachedBackfillOptions.builder(JobPackage.remote("s3://my-bucket/jobs/geneva-job.zip"))
            .backfillOptions(BackfillOptions.builder().concurrency(16).build())
            .ttlAfterFinished(Duration.ofMinutes(5)) // the default
            .build();
    try (DetachedBackfill job = DetachedBackfills.submit(auth, spec, table, "embedding", options)) {
      System.out.println("submitted RayJob " + job.name()); // closing the handle leaves it running
    }
    // later, from anywhere:
    try (DetachedBackfill job = DetachedBackfills.find(auth, "geneva", name).orElseThrow()) {
      DetachedBackfillStatus end =
          job.waitUntilDone(Duration.ofHours(6), s -> System.out.println(s.describe()));
      // end.state(): SUCCEEDED, FAILED, STOPPED or DELETED; not isDone() when the time ran out
    }
    // docs:end ray-cluster-detached
  }

  /**
   * Recording the ends of detached backfills that their drivers could not record.
   *
   * @param db the database of the backfills' tables
   * @param auth how to reach the Kubernetes API server
   * @param name a RayJob's name
   */
  public static void reconcile(Connection db, KubeAuth auth, String name) {
    // docs:begin ray-cluster-reconcile
    // every open detached backfill of the database in the namespace
    for (ReconciledJob r : DetachedBackfills.reconcile(auth, "geneva", db)) {
      System.out.println(r.describe()); // "<job id> (RayJob geneva/x): RUNNING -> FAILED: ..."
    }
    // one RayJob, from its handle
    try (DetachedBackfill job = DetachedBackfills.find(auth, "geneva", name).orElseThrow()) {
      job.reconcile(db);
    }
    // docs:end ray-cluster-reconcile
  }

  /**
   * Named job packages stored in the database, and a cluster that ships one.
   *
   * @param db the connection
   * @param auth how to reach the Kubernetes API server
   * @param table the table
   */
  public static void storedPackages(Connection db, KubeAuth auth, Table table) {
    // docs:begin ray-cluster-stored-packages
    JobPackageDefinitions.define(
        db, "embed-v3", JobPackage.remote("s3://models/geneva/embed-v3.zip"));
    JobPackageDefinitions.define(db, "in-image", JobPackage.baked("/opt/geneva/lib"));
    List<String> names = JobPackageDefinitions.names(db); // [embed-v3, in-image]
    try (RayCluster cluster =
        RayCluster.builder()
            .spec(RayClusterDefinitions.load(db, "gpu-embed"))
            .jobPackage(JobPackageDefinitions.load(db, "embed-v3"))
            .auth(auth)
            .start()) {
      table.backfill("embedding");
    }
    // docs:end ray-cluster-stored-packages
  }
}
