package dev.geneva.cli;

import dev.geneva.BackfillOptions;
import dev.geneva.BackfillPlanSummary;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterDefinitions;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackageDefinitions;
import dev.geneva.ray.jobs.JobPackager;
import dev.geneva.ray.jobs.RayJobBackfill;
import dev.geneva.ray.jobs.RayJobsClient;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code geneva backfill DB TABLE COLUMN}: computes a UDF column locally, on Ray embedded in this
 * JVM, or with {@code --dashboard} as a Ray job on a cluster, with a progress bar. The UDF's class
 * (stored in the column's metadata by {@code addColumns}) must be on the classpath: add its jar
 * with {@code GENEVA_CLASSPATH} (the launcher) or {@code java -cp}. With {@code --plan} it only
 * prints what a backfill would do now ({@link dev.geneva.Table#planBackfill}).
 */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Backfills a UDF column of a Lance table on embedded Ray (this JVM), on a Ray cluster with"
          + " --dashboard, or as a KubeRay RayJob with --detached (the command exits at once),"
          + " resumably: rows already computed are skipped unless --where says otherwise.",
      "The UDF's class must be on the classpath (GENEVA_CLASSPATH=my-udfs.jar geneva backfill ...)."
    })
public final class BackfillCommand implements Callable<Integer> {
  /** Failed rows printed in text output; {@code --json} gives every one the result lists. */
  private static final int SHOWN_FAILED_ROWS = 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "DB",
      description = "Database URI: a directory, s3://... or gs://...")
  String db;

  @Parameters(index = "1", paramLabel = "TABLE", description = "Table name.")
  String table;

  @Parameters(index = "2", paramLabel = "COLUMN", description = "The UDF column to compute.")
  String column;

  @Option(names = "--where", description = "Rows to compute (default: \"<column> IS NULL\").")
  String where;

  @Option(names = "--concurrency", description = "Tasks at once (default: the number of cores).")
  Integer concurrency;

  @Option(names = "--batch-size", description = "Rows per batch handed to the UDF.")
  Integer batchSize;

  @Option(
      names = "--storage-option",
      paramLabel = "KEY=VALUE",
      description = "Lance storage option (repeatable), e.g. aws_region=us-east-1.")
  Map<String, String> storageOptions = new LinkedHashMap<>();

  @Option(
      names = "--dashboard",
      paramLabel = "URL",
      description =
          "Run on a Ray cluster instead of this JVM: the URL of its dashboard, e.g. a port-forward"
              + " to the head pod's 8265 (kubectl port-forward -n geneva svc/<cluster>-head-svc"
              + " 8265). The backfill runs as a Ray job there.")
  URI dashboard;

  @Option(
      names = "--cluster",
      paramLabel = "NAME",
      description =
          "Run on a KubeRay cluster started for this backfill (and deleted after, per its exit"
              + " mode) from the definition stored in the database under NAME"
              + " (RayClusterDefinitions.define(db, NAME, spec)); the Kubernetes options say how to"
              + " reach the API server.")
  String cluster;

  @Option(
      names = "--ship",
      paramLabel = "PATH",
      description =
          "With --dashboard: a jar or class directory to send to the cluster (repeatable; default:"
              + " this JVM's classpath, Ray's own jars excepted).")
  List<Path> ship = new ArrayList<>();

  @Option(
      names = "--package",
      paramLabel = "NAME",
      description =
          "With --dashboard, --cluster or --detached: ship the job package stored in the database"
              + " under NAME (JobPackageDefinitions.define(db, NAME, JobPackage.remote(url) or"
              + " JobPackage.baked(dir))) instead of this JVM's classpath.")
  String packageName;

  @Option(
      names = "--json",
      description =
          "Print the BackfillResult (with --plan the plan, with --detached the RayJob) as JSON.")
  boolean json;

  @CommandLine.Mixin DetachedBackfillCommandOptions detached;

  @Option(
      names = "--plan",
      description =
          "Only plan: print the rows, fragments and tasks a backfill would do now and the tasks it"
              + " would reuse from checkpoints, computing and writing nothing (with --where and"
              + " --batch-size; not with --dashboard).")
  boolean plan;

  @Option(
      names = "--progress",
      description =
          "Progress display: auto (bar on a terminal, lines otherwise), bar, lines or none (default: ${DEFAULT-VALUE}).",
      defaultValue = "auto")
  Progress progress;

  /** How progress is shown. */
  enum Progress {
    auto,
    bar,
    lines,
    none
  }

  private JobPackage storedJobPackage;

  /** Creates the command (picocli instantiates it). */
  public BackfillCommand() {}

  private RayJobBackfill onCluster() {
    String scheme = dashboard.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--dashboard must be an http(s) URL, got " + dashboard);
    }
    RayJobsClient jobs =
        RayJobsClient.builder()
            .dashboardUrl(dashboard)
            .unreachableHint("is a port-forward to the head pod's dashboard (port 8265) running?")
            .build();
    RayJobBackfill.Builder b = RayJobBackfill.builder(jobs);
    if (storedJobPackage != null) {
      b.jobPackage(storedJobPackage);
    } else {
      b.packager(ship.isEmpty() ? JobPackager.fromClasspath() : JobPackager.of(ship));
    }
    return b.build();
  }

  /** The job package {@code --package} names, read from the database. */
  private JobPackage storedPackage() {
    if (!ship.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--ship and --package both say which jars to send: give one of them");
    }
    try (Connection conn = DatabaseOptions.connectExisting(db, storageOptions)) {
      return JobPackageDefinitions.load(conn, packageName);
    }
  }

  /** Starts the stored cluster definition, backfills on it, and closes it. */
  private BackfillResult onStoredCluster(
      Connection conn, Table t, BackfillOptions.Builder options) {
    RayClusterSpec stored = RayClusterDefinitions.load(conn, cluster);
    RayCluster.Builder b =
        RayCluster.builder().spec(stored).auth(detached.kube.auth()); // its Kubernetes options
    if (storedJobPackage != null) {
      b.jobPackage(storedJobPackage);
    } else if (!ship.isEmpty()) {
      b.jobPackager(JobPackager.of(ship));
    }
    try (RayCluster rc = b.start()) {
      return t.backfill(column, options.target(rc.backfillTarget()).build());
    }
  }

  @Override
  public Integer call() {
    if (concurrency != null && concurrency < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--concurrency must be at least 1, got " + concurrency);
    }
    PrintWriter out = spec.commandLine().getOut();
    String stray = detached.strayOption();
    if (stray != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), stray + " only applies with --detached");
    }
    if (detached.enabled) {
      if (plan || dashboard != null || !ship.isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--detached runs the backfill as a KubeRay RayJob: leave out --plan, --dashboard and"
                + " --ship (the jars come from --job-package)");
      }
      return detached.submit(
          spec.commandLine(),
          db,
          storageOptions,
          table,
          column,
          options().build(),
          json,
          packageName);
    }
    if (plan) {
      return plan(out);
    }
    PrintWriter err = spec.commandLine().getErr();
    ProgressBar bar = null;
    if (progress != Progress.none) {
      boolean terminal =
          progress == Progress.bar || (progress == Progress.auto && System.console() != null);
      bar = new ProgressBar(err, terminal);
    }
    BackfillOptions.Builder options = options();
    if (bar != null) {
      options.listener(bar);
    }
    if (dashboard != null && cluster != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--dashboard names a running cluster and --cluster a stored definition to start: give"
              + " one of them");
    }
    if (packageName != null && dashboard == null && cluster == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--package only applies with --dashboard, --cluster or --detached (a backfill on a"
              + " cluster)");
    }
    if (packageName != null) {
      storedJobPackage = storedPackage();
    }
    if (dashboard != null) {
      options.target(onCluster());
    } else if (!ship.isEmpty() && cluster == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--ship only applies with --dashboard or --cluster (a backfill on a cluster)");
    }
    BackfillResult r;
    try (Connection conn = Geneva.connect(db, storageOptions)) {
      Table t = conn.openTable(table);
      try {
        r =
            cluster == null
                ? t.backfill(column, options.build())
                : onStoredCluster(conn, t, options);
      } finally {
        if (bar != null) {
          bar.finish();
        }
      }
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("table", r.table());
      m.put("column", r.column());
      m.put("executor", r.executor());
      m.put("rowsProcessed", r.rowsProcessed());
      m.put("rowsSkipped", r.rowsSkipped());
      m.put("rowsFailed", r.rowsFailed());
      m.put("fragments", r.fragments());
      m.put("tasks", r.tasks());
      m.put("readVersion", r.readVersion());
      m.put("committedVersion", r.committedVersion());
      m.put("commits", r.commits());
      m.put("durationMillis", r.duration().toMillis());
      m.put("udfChange", r.udfChange());
      m.put(
          "failedRows",
          r.failedRows().stream()
              .map(
                  f -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("fragment", f.fragmentId());
                    row.put("rowOffset", f.rowOffset());
                    row.put("error", f.error());
                    row.put("message", f.message());
                    return row;
                  })
              .toList());
      out.println(Json.write(m));
    } else {
      out.printf(
          "backfilled %s.%s: %d rows computed, %d skipped (checkpointed), %d failed; %d fragments,"
              + " version %d -> %d, %d commits, %.1f s on %s%n",
          table,
          column,
          r.rowsProcessed(),
          r.rowsSkipped(),
          r.rowsFailed(),
          r.fragments(),
          r.readVersion(),
          r.committedVersion(),
          r.commits(),
          r.duration().toMillis() / 1000.0,
          r.executor());
      if (r.udfChange() != null) {
        out.printf(
            "recomputed every row: the UDF changed since the values were computed (%s)%n",
            r.udfChange());
      }
      int shown = Math.min(SHOWN_FAILED_ROWS, r.failedRows().size());
      if (shown > 0) {
        out.printf(
            "failed rows (left null by the UDF's error policy), %d of %d:%n",
            shown, r.rowsFailed());
        r.failedRows().stream()
            .limit(shown)
            .forEach(
                f ->
                    out.printf(
                        "  fragment %d row %d: %s: %s%n",
                        f.fragmentId(), f.rowOffset(), f.error(), f.message()));
      }
    }
    out.flush();
    return r.rowsFailed() > 0 ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
  }

  private BackfillOptions.Builder options() {
    BackfillOptions.Builder options = BackfillOptions.builder();
    if (where != null) {
      options.where(where);
    }
    if (concurrency != null) {
      options.concurrency(concurrency);
    }
    if (batchSize != null) {
      options.batchSize(batchSize);
    }
    return options;
  }

  private int plan(PrintWriter out) {
    if (dashboard != null || !ship.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--plan plans here, reading the table: leave out --dashboard and --ship");
    }
    BackfillOptions.Builder options = BackfillOptions.builder();
    if (where != null) {
      options.where(where);
    }
    if (batchSize != null) {
      options.batchSize(batchSize);
    }
    BackfillPlanSummary p;
    try (Connection conn = DatabaseOptions.connectExisting(db, storageOptions)) {
      p = conn.openTable(table).planBackfill(column, options.build());
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("table", p.table());
      m.put("column", p.column());
      m.put("udfClass", p.udfClass());
      m.put("udfVersion", p.udfVersion());
      m.put("filter", p.filter());
      m.put("readVersion", p.readVersion());
      m.put("rowsSelected", p.rowsSelected());
      m.put("fragments", p.fragments());
      m.put("tasks", p.tasks());
      m.put("tasksReusable", p.tasksReusable());
      m.put("rowsReusable", p.rowsReusable());
      m.put("rowsToCompute", p.rowsToCompute());
      out.println(Json.write(m));
    } else {
      out.printf(
          "plan for %s.%s at version %d (UDF %s, version %s)%n"
              + "  filter            %s%n"
              + "  rows selected     %d in %d fragments, %d tasks%n"
              + "  from checkpoints  %d tasks, %d rows%n"
              + "  rows to compute   %d%n"
              + "nothing was computed or written%n",
          table,
          column,
          p.readVersion(),
          p.udfClass(),
          p.udfVersion(),
          p.filter(),
          p.rowsSelected(),
          p.fragments(),
          p.tasks(),
          p.tasksReusable(),
          p.rowsReusable(),
          p.rowsToCompute());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
