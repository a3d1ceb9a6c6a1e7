package dev.geneva.cli;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.InvalidInputException;
import dev.geneva.Table;
import dev.geneva.k8s.DetachedBackfill;
import dev.geneva.k8s.DetachedBackfillOptions;
import dev.geneva.k8s.DetachedBackfills;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackageDefinitions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of {@code geneva backfill --detached}: the backfill is submitted as a KubeRay RayJob
 * ({@link DetachedBackfills#submit}), its name printed, and the command exits; {@code geneva jobs
 * detached NAME --follow} follows it.
 */
public final class DetachedBackfillCommandOptions {
  @Option(
      names = "--detached",
      description =
          "Submit the backfill as a KubeRay RayJob and exit, printing its name: KubeRay creates a"
              + " RayCluster for it and deletes the cluster when the job ends. Follow it with"
              + " geneva jobs detached NAME --follow. Needs --job-package.")
  boolean enabled;

  @Mixin KubeOptions kube;

  @Option(
      names = "--job-package",
      paramLabel = "URL|DIR",
      description =
          "With --detached: where the job's jars are. An s3://, gs:// or https:// URL of a zip of"
              + " jars (at its root) that the cluster can read, or the absolute directory holding"
              + " the jars in the Ray image, e.g. /opt/geneva/lib.")
  String jobPackage;

  @Option(
      names = "--job-name",
      description = "With --detached: the RayJob's name (default geneva-<column>-<random>).")
  String jobName;

  @Option(
      names = "--image",
      description = "With --detached: the Ray image of the head and the workers.")
  String image;

  @Option(
      names = "--max-workers",
      description = "With --detached: the most workers the cluster scales to (default 100).")
  Integer maxWorkers;

  @Option(names = "--worker-cpus", description = "With --detached: CPUs per worker (default 4).")
  Integer workerCpus;

  @Option(
      names = "--worker-memory",
      description = "With --detached: memory per worker, e.g. 8Gi (default 4096Mi).")
  String workerMemory;

  @Option(names = "--worker-gpus", description = "With --detached: GPUs per worker (default 0).")
  Integer workerGpus;

  @Option(
      names = "--service-account",
      description = "With --detached: the Ray pods' service account (default geneva-ray-runner).")
  String serviceAccount;

  @Option(
      names = "--ttl",
      converter = Durations.class,
      description =
          "With --detached: how long after the job's end KubeRay deletes the cluster (default"
              + " 5m).")
  Duration ttl;

  @Option(
      names = "--active-deadline",
      converter = Durations.class,
      description = "With --detached: how long the job may run before KubeRay fails it.")
  Duration activeDeadline;

  @Option(
      names = "--keep-cluster",
      description =
          "With --detached: keep the cluster after the job ends, until the RayJob is deleted"
              + " (geneva jobs detached NAME --cancel).")
  boolean keepCluster;

  @Option(
      names = "--job-storage-option",
      paramLabel = "KEY=VALUE",
      description =
          "With --detached: a Lance storage option for the job's driver (repeatable). Stored in"
              + " the RayJob, readable by whoever may read RayJobs: prefer workload identity on the"
              + " Ray pods to credentials.")
  Map<String, String> jobStorageOptions = new LinkedHashMap<>();

  /** Creates the options (picocli fills them). */
  public DetachedBackfillCommandOptions() {}

  /**
   * Whether an option that only applies with {@code --detached} was given without it.
   *
   * @return the first such option's name, or null
   */
  String strayOption() {
    if (enabled) {
      return null;
    }
    if (jobPackage != null) {
      return "--job-package";
    }
    if (jobName != null) {
      return "--job-name";
    }
    if (image != null || maxWorkers != null || workerCpus != null || workerMemory != null) {
      return "--image, --max-workers, --worker-cpus or --worker-memory";
    }
    if (workerGpus != null || serviceAccount != null) {
      return "--worker-gpus or --service-account";
    }
    if (ttl != null || activeDeadline != null || keepCluster || !jobStorageOptions.isEmpty()) {
      return "--ttl, --active-deadline, --keep-cluster or --job-storage-option";
    }
    return null;
  }

  /**
   * Checks the options, opens the table (so a wrong database or table fails here), submits the
   * RayJob and prints its name.
   *
   * @param cl the command line, for usage errors and output
   * @param db the database URI
   * @param storageOptions the storage options to open the table with here
   * @param table the table's name
   * @param column the column
   * @param backfill the backfill's options
   * @param json print JSON
   * @param storedPackage the name of a job package stored in the database ({@code --package}), or
   *     null for {@code --job-package}
   * @return the exit code
   */
  int submit(
      CommandLine cl,
      String db,
      Map<String, String> storageOptions,
      String table,
      String column,
      BackfillOptions backfill,
      boolean json,
      String storedPackage) {
    if (jobPackage != null && storedPackage != null) {
      throw new CommandLine.ParameterException(
          cl, "--job-package and --package both say where the jars are: give one of them");
    }
    if (jobPackage == null && storedPackage == null) {
      throw new CommandLine.ParameterException(
          cl,
          "--detached needs --job-package (an s3://, gs:// or https:// URL of a zip of the job's"
              + " jars, or the directory of the jars in the Ray image, e.g. /opt/geneva/lib) or"
              + " --package NAME (one stored with JobPackageDefinitions.define); the cluster does"
              + " not exist yet, so nothing can be uploaded to it");
    }
    JobPackage pkg;
    if (storedPackage != null) {
      try (Connection conn = DatabaseOptions.connectExisting(db, storageOptions)) {
        pkg = JobPackageDefinitions.load(conn, storedPackage);
      }
    } else {
      pkg =
          jobPackage.startsWith("/") ? JobPackage.baked(jobPackage) : JobPackage.remote(jobPackage);
    }
    DetachedBackfillOptions.Builder options =
        DetachedBackfillOptions.builder(pkg)
            .backfillOptions(backfill)
            .shutdownAfterJobFinishes(!keepCluster)
            .storageOptions(jobStorageOptions);
    if (jobName != null) {
      try {
        options.name(jobName);
      } catch (InvalidInputException e) {
        throw new CommandLine.ParameterException(cl, "--job-name: " + e.getMessage());
      }
    }
    if (ttl != null) {
      options.ttlAfterFinished(ttl);
    }
    if (activeDeadline != null) {
      options.activeDeadline(activeDeadline);
    }
    RayClusterSpec spec = clusterSpec();
    var auth = kube.auth();
    DetachedBackfillOptions built = options.build();
    // With the table, the submission checks the UDF's resources and records the job as pending.
    try (Connection conn = Geneva.connect(db, storageOptions)) {
      Table t = conn.openTable(table);
      String tableUri = t.uri();
      try (DetachedBackfill job = DetachedBackfills.submit(auth, spec, t, column, built)) {
        PrintWriter out = cl.getOut();
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", job.name());
          m.put("namespace", job.namespace());
          m.put("table", tableUri);
          m.put("column", column);
          out.println(Json.write(m));
        } else {
          out.println(job.name());
          cl.getErr()
              .printf(
                  "submitted RayJob %s/%s; follow it with: geneva jobs detached %s -n %s"
                      + " --follow%n",
                  job.namespace(), job.name(), job.name(), job.namespace());
          cl.getErr().flush();
        }
        out.flush();
      }
    }
    return ExitCodes.OK;
  }

  private RayClusterSpec clusterSpec() {
    HeadGroupSpec.Builder head = HeadGroupSpec.builder();
    WorkerGroupSpec.Builder worker = WorkerGroupSpec.builder();
    if (image != null) {
      head.image(image);
      worker.image(image);
    }
    if (serviceAccount != null) {
      head.serviceAccount(serviceAccount);
    }
    if (maxWorkers != null) {
      worker.maxReplicas(maxWorkers);
    }
    if (workerCpus != null) {
      worker.cpus(workerCpus);
    }
    if (workerMemory != null) {
      worker.memory(workerMemory);
    }
    if (workerGpus != null) {
      worker.gpus(workerGpus);
    }
    return RayClusterSpec.builder()
        .namespace(kube.namespace)
        .headGroup(head.build())
        .workerGroup(worker.build())
        .build();
  }
}
