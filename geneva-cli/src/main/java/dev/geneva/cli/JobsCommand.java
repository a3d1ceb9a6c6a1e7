package dev.geneva.cli;

import dev.geneva.ray.jobs.JobDetails;
import dev.geneva.ray.jobs.RayDashboardException;
import dev.geneva.ray.jobs.RayJobsClient;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code geneva jobs list|status|logs|stop}: Ray jobs through a dashboard's Jobs REST API; {@code
 * geneva jobs detached}: the RayJobs of detached backfills ({@link DetachedJobsCommand}); {@code
 * geneva jobs --db URI}: the backfill history ({@link JobHistoryListing}), {@code geneva jobs
 * compact --db URI} compacts it ({@link JobHistoryCompactCommand}).
 */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = {
      "Lists, inspects and stops Ray jobs through the Ray dashboard (port 8265; use"
          + " kubectl port-forward or a RayCluster's dashboardUrl), and follows detached"
          + " backfills (KubeRay RayJobs) with 'jobs detached'.",
      "With --db URI: lists the backfill history recorded in that database instead;"
          + " 'jobs compact --db URI' compacts it."
    },
    subcommands = {
      JobsCommand.ListJobs.class,
      JobsCommand.Status.class,
      JobsCommand.Logs.class,
      JobsCommand.Stop.class,
      DetachedJobsCommand.class,
      JobHistoryCompactCommand.class
    })
public final class JobsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin JobHistoryListing history;

  /** Creates the command (picocli instantiates it). */
  public JobsCommand() {}

  @Override
  public void run() {
    if (history.requested()) {
      history.print(spec.commandLine().getOut());
      return;
    }
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand: list, status, logs, stop, detached or compact");
  }

  /** The options every jobs subcommand takes. */
  public static final class DashboardOptions {
    @Option(
        names = "--dashboard",
        required = true,
        description = "The Ray dashboard URL, e.g. http://localhost:8265.")
    URI dashboard;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the options (picocli fills them). */
    public DashboardOptions() {}

    RayJobsClient client(CommandLine cl) {
      String scheme = dashboard.getScheme();
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https"))
          || dashboard.getHost() == null) {
        throw new CommandLine.ParameterException(
            cl,
            "--dashboard must be an http(s) URL such as http://localhost:8265, got " + dashboard);
      }
      return RayJobsClient.builder().dashboardUrl(dashboard).build();
    }
  }

  static Map<String, Object> toMap(JobDetails d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("submissionId", d.submissionId());
    m.put("jobId", d.jobId());
    m.put("status", d.status().name());
    m.put("message", d.message());
    m.put("errorType", d.errorType());
    m.put("startTime", d.startTime());
    m.put("endTime", d.endTime());
    m.put("entrypoint", d.entrypoint());
    m.put("driverExitCode", d.driverExitCode());
    return m;
  }

  private static String time(Long millis) {
    return millis == null || millis == 0 ? "-" : Instant.ofEpochMilli(millis).toString();
  }

  /** Runs a dashboard call, mapping "no such job" to exit 1. */
  static int notFoundAware(CommandLine cl, String id, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (RayDashboardException e) {
      if (e.getMessage() != null && e.getMessage().contains("404")) {
        cl.getErr().println("geneva: no Ray job " + id + ": " + e.getMessage());
        cl.getErr().flush();
        return ExitCodes.CHECK_FAILED;
      }
      throw e;
    }
  }

  /** {@code geneva jobs list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every job.")
  public static final class ListJobs implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin DashboardOptions options;

    /** Creates the command (picocli instantiates it). */
    public ListJobs() {}

    @Override
    public Integer call() {
      List<JobDetails> jobs = options.client(spec.commandLine()).list();
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        out.println(Json.write(jobs.stream().map(JobsCommand::toMap).toList()));
      } else {
        out.printf("%-36s %-10s %-24s %s%n", "SUBMISSION ID", "STATUS", "STARTED", "ENTRYPOINT");
        for (JobDetails d : jobs) {
          out.printf(
              "%-36s %-10s %-24s %s%n",
              d.submissionId(), d.status(), time(d.startTime()), d.entrypoint());
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code geneva jobs status ID}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Shows a job's status (exit 1 when there is no such job).")
  public static final class Status implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin DashboardOptions options;

    @Parameters(index = "0", paramLabel = "ID", description = "Submission id.")
    String id;

    /** Creates the command (picocli instantiates it). */
    public Status() {}

    @Override
    public Integer call() throws Exception {
      RayJobsClient client = options.client(spec.commandLine());
      return notFoundAware(
          spec.commandLine(),
          id,
          () -> {
            JobDetails d = client.status(id);
            PrintWriter out = spec.commandLine().getOut();
            if (options.json) {
              out.println(Json.write(toMap(d)));
            } else {
              out.println("submission id: " + d.submissionId());
              out.println("status:        " + d.status());
              out.println("message:       " + (d.message() == null ? "" : d.message()));
              out.println("started:       " + time(d.startTime()));
              out.println("ended:         " + time(d.endTime()));
              out.println("entrypoint:    " + d.entrypoint());
              if (d.driverExitCode() != null) {
                out.println("exit code:     " + d.driverExitCode());
              }
            }
            out.flush();
            return ExitCodes.OK;
          });
    }
  }

  /** {@code geneva jobs logs ID}. */
  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = "Prints a job's logs (exit 1 when there is no such job).")
  public static final class Logs implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin DashboardOptions options;

    @Parameters(index = "0", paramLabel = "ID", description = "Submission id.")
    String id;

    @Option(names = "--tail", description = "Only the last N lines.")
    Integer tail;

    /** Creates the command (picocli instantiates it). */
    public Logs() {}

    @Override
    public Integer call() throws Exception {
      if (tail != null && tail < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--tail must be at least 1, got " + tail);
      }
      RayJobsClient client = options.client(spec.commandLine());
      return notFoundAware(
          spec.commandLine(),
          id,
          () -> {
            String logs = client.logs(id);
            if (tail != null) {
              logs = String.join("\n", RayJobsClient.tail(logs, tail)) + "\n";
            }
            PrintWriter out = spec.commandLine().getOut();
            if (options.json) {
              out.println(Json.write(Map.of("submissionId", id, "logs", logs)));
            } else {
              out.print(logs);
            }
            out.flush();
            return ExitCodes.OK;
          });
    }
  }

  /** {@code geneva jobs stop ID}. */
  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stops a job (exit 0 also when it had already ended; 1 when there is no such job).")
  public static final class Stop implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin DashboardOptions options;

    @Parameters(index = "0", paramLabel = "ID", description = "Submission id.")
    String id;

    /** Creates the command (picocli instantiates it). */
    public Stop() {}

    @Override
    public Integer call() throws Exception {
      RayJobsClient client = options.client(spec.commandLine());
      return notFoundAware(
          spec.commandLine(),
          id,
          () -> {
            boolean stopped = client.stop(id);
            PrintWriter out = spec.commandLine().getOut();
            if (options.json) {
              out.println(Json.write(Map.of("submissionId", id, "stopped", stopped)));
            } else {
              out.println(stopped ? "stopped " + id : id + " had already ended");
            }
            out.flush();
            return ExitCodes.OK;
          });
    }
  }
}
