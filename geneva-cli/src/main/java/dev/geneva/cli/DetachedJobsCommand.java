package dev.geneva.cli;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.k8s.DetachedBackfill;
import dev.geneva.k8s.DetachedBackfillState;
import dev.geneva.k8s.DetachedBackfillStatus;
import dev.geneva.k8s.DetachedBackfills;
import dev.geneva.k8s.ReconciledJob;
import dev.geneva.k8s.auth.KubeAuth;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code geneva jobs detached [NAME]}: the RayJobs of detached backfills ({@code geneva backfill
 * --detached}, {@link DetachedBackfills}). Without a name it lists the SDK's RayJobs in the
 * namespace; with one it shows that job, follows it ({@code --follow}, exit code by the final
 * state) or deletes it ({@code --cancel}). {@code --reconcile --db URI} brings the database's job
 * history in line with the namespace's RayJobs ({@link DetachedBackfills#reconcile}) and prints
 * what it found and changed.
 */
@Command(
    name = "detached",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the RayJobs of detached backfills (geneva backfill --detached) in the namespace, or"
          + " shows, follows (--follow) or cancels (--cancel) one of them.",
      "With --follow the exit code is the final state's: 0 succeeded, 1 failed, 4 stopped or"
          + " deleted before it ended, 5 not ended by --timeout.",
      "With --reconcile --db URI: records as FAILED (or CANCELLED) the backfills that the"
          + " database's job history still shows PENDING or RUNNING although KubeRay reports"
          + " their RayJob ended or it is gone (a driver that died, a cluster that never"
          + " started), and prints what changed."
    })
public final class DetachedJobsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin KubeOptions kube;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "A RayJob's name (default: list them all).")
  String name;

  @Option(
      names = "--follow",
      description = "Wait until the job ends, printing each change of its status.")
  boolean follow;

  @Option(
      names = "--timeout",
      converter = Durations.class,
      description = "With --follow: how long to wait at most (default: ${DEFAULT-VALUE}).",
      defaultValue = "7d")
  Duration timeout;

  @Option(
      names = "--poll",
      converter = Durations.class,
      hidden = true,
      description = "With --follow: how often the status is read (default 1s).")
  Duration poll;

  @Option(
      names = "--cancel",
      description =
          "Delete the RayJob: KubeRay stops the Ray job and the cluster is deleted with it. A rerun"
              + " of the backfill resumes it.")
  boolean cancel;

  @Option(names = "--json", description = "Print JSON (with --follow, one object per status).")
  boolean json;

  @Option(
      names = "--reconcile",
      description =
          "Bring the job history of --db in line with the namespace's RayJobs: a backfill still"
              + " recorded PENDING or RUNNING whose RayJob failed, was stopped or is gone is"
              + " recorded FAILED or CANCELLED with what KubeRay reported. One that succeeded is"
              + " left to its driver's own report. Prints each open backfill and what changed.")
  boolean reconcile;

  @Option(
      names = "--db",
      paramLabel = "URI",
      description = "With --reconcile: the database (a directory, s3://... or gs://...).")
  String db;

  @Option(
      names = "--storage-option",
      paramLabel = "KEY=VALUE",
      description =
          "With --reconcile: a Lance storage option (repeatable), e.g. aws_region=us-east-1.")
  Map<String, String> storageOptions = new LinkedHashMap<>();

  /** Creates the command (picocli instantiates it). */
  public DetachedJobsCommand() {}

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    if (reconcile || db != null || !storageOptions.isEmpty()) {
      if (!reconcile || db == null) {
        throw new CommandLine.ParameterException(
            cl,
            "--reconcile needs --db URI (the database whose job history to reconcile), and --db"
                + " and --storage-option apply only with --reconcile");
      }
      if (name != null || follow || cancel) {
        throw new CommandLine.ParameterException(
            cl,
            "--reconcile works on every detached backfill of the namespace: leave out NAME,"
                + " --follow and --cancel");
      }
      return reconcile(cl.getOut());
    }
    if (name == null && (follow || cancel)) {
      throw new CommandLine.ParameterException(
          cl, "--follow and --cancel need the RayJob's NAME (list them: geneva jobs detached)");
    }
    if (follow && cancel) {
      throw new CommandLine.ParameterException(cl, "give either --follow or --cancel, not both");
    }
    if (timeout.isZero()) {
      throw new CommandLine.ParameterException(cl, "--timeout must be more than zero");
    }
    if (poll != null && poll.isZero()) {
      throw new CommandLine.ParameterException(cl, "--poll must be more than zero");
    }
    KubeAuth auth = kube.auth();
    PrintWriter out = cl.getOut();
    if (name == null) {
      return list(out, DetachedBackfills.list(auth, kube.namespace));
    }
    Optional<DetachedBackfill> found =
        DetachedBackfills.find(
            auth, kube.namespace, name, poll == null ? Duration.ofSeconds(1) : poll);
    if (found.isEmpty()) {
      cl.getErr()
          .println(
              "geneva: no RayJob "
                  + kube.namespace
                  + "/"
                  + name
                  + " (list the detached backfills: geneva jobs detached -n "
                  + kube.namespace
                  + ")");
      cl.getErr().flush();
      return ExitCodes.CHECK_FAILED;
    }
    try (DetachedBackfill job = found.get()) {
      if (cancel) {
        boolean deleted = job.cancel();
        if (json) {
          out.println(
              Json.write(Map.of("name", name, "namespace", kube.namespace, "deleted", deleted)));
        } else {
          out.println(
              deleted
                  ? "deleted RayJob " + kube.namespace + "/" + name + " and with it its RayCluster"
                  : "RayJob " + kube.namespace + "/" + name + " was already gone");
        }
        out.flush();
        return ExitCodes.OK;
      }
      if (!follow) {
        DetachedBackfillStatus s = job.status();
        if (json) {
          out.println(Json.write(toMap(s)));
        } else {
          out.println("name:              " + s.namespace() + "/" + s.name());
          out.println("state:             " + s.state());
          out.println("job status:        " + s.jobStatus());
          out.println("deployment status: " + s.jobDeploymentStatus());
          out.println("reason:            " + s.reason());
          out.println("message:           " + s.message());
          out.println("ray cluster:       " + s.rayClusterName());
          out.println("table:             " + s.table());
          out.println("column:            " + s.column());
          out.println("created:           " + time(s.created()));
          out.println("ended:             " + time(s.ended()));
        }
        out.flush();
        return ExitCodes.OK;
      }
      DetachedBackfillStatus end =
          job.waitUntilDone(
              timeout,
              s -> {
                if (json) {
                  out.println(Json.write(toMap(s)));
                } else {
                  out.println(Instant.now() + " " + s.name() + " " + s.describe());
                }
                out.flush();
              });
      if (!end.isDone()) {
        cl.getErr()
            .println(
                "geneva: RayJob "
                    + kube.namespace
                    + "/"
                    + name
                    + " had not ended after "
                    + timeout
                    + "; it runs on (follow it again, or stop it with --cancel)");
        cl.getErr().flush();
        return ExitCodes.TIMED_OUT;
      }
      return exitCode(end.state());
    }
  }

  private int reconcile(PrintWriter out) {
    List<ReconciledJob> results;
    try (Connection conn = Geneva.connect(db, storageOptions)) {
      results = DetachedBackfills.reconcile(kube.auth(), kube.namespace, conn);
    }
    if (json) {
      out.println(Json.write(results.stream().map(DetachedJobsCommand::toMap).toList()));
    } else {
      long changed = results.stream().filter(ReconciledJob::changed).count();
      for (ReconciledJob r : results) {
        out.println((r.changed() ? "recorded   " : "unchanged  ") + r.describe());
      }
      out.println(
          results.isEmpty()
              ? "no detached backfill of namespace "
                  + kube.namespace
                  + " is recorded as pending or running in "
                  + db
              : changed
                  + " of "
                  + results.size()
                  + " open detached backfill(s) of namespace "
                  + kube.namespace
                  + " recorded as ended");
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static Map<String, Object> toMap(ReconciledJob r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobId", r.jobId());
    m.put("rayJob", r.rayJob());
    m.put("before", r.before().state().name());
    m.put("state", r.state().name());
    m.put("changed", r.changed());
    m.put("rayJobState", r.rayJobStatus().state().name());
    m.put("detail", r.detail());
    return m;
  }

  /**
   * The exit code of a final state.
   *
   * @param state the state
   * @return 0 succeeded, 1 failed, 4 stopped or deleted
   */
  static int exitCode(DetachedBackfillState state) {
    return switch (state) {
      case SUCCEEDED -> ExitCodes.OK;
      case FAILED -> ExitCodes.CHECK_FAILED;
      case STOPPED, DELETED -> ExitCodes.STOPPED;
      case PENDING, RUNNING -> ExitCodes.TIMED_OUT;
    };
  }

  private int list(PrintWriter out, List<DetachedBackfillStatus> jobs) {
    if (json) {
      out.println(Json.write(jobs.stream().map(DetachedJobsCommand::toMap).toList()));
    } else {
      out.printf(
          "%-36s %-10s %-20s %-24s %s%n", "NAME", "STATE", "DEPLOYMENT", "CREATED", "TABLE COLUMN");
      for (DetachedBackfillStatus s : jobs) {
        out.printf(
            "%-36s %-10s %-20s %-24s %s%n",
            s.name(),
            s.state(),
            s.jobDeploymentStatus().isEmpty() ? "-" : s.jobDeploymentStatus(),
            time(s.created()),
            s.column().isEmpty() ? "-" : s.table() + " " + s.column());
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static Map<String, Object> toMap(DetachedBackfillStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("namespace", s.namespace());
    m.put("state", s.state().name());
    m.put("jobStatus", s.jobStatus());
    m.put("jobDeploymentStatus", s.jobDeploymentStatus());
    m.put("reason", s.reason());
    m.put("message", s.message());
    m.put("rayClusterName", s.rayClusterName());
    m.put("table", s.table());
    m.put("column", s.column());
    m.put("created", s.created().map(Instant::toString).orElse(null));
    m.put("ended", s.ended().map(Instant::toString).orElse(null));
    return m;
  }

  private static String time(Optional<Instant> t) {
    return t.map(Instant::toString).orElse("-");
  }
}
