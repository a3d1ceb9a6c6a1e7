package dev.geneva.cli;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobFilter;
import dev.geneva.JobHistory;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code geneva jobs --db URI [--table T] [--column C] [--state S]... [--json]}: the database's
 * backfill history ({@link Connection#jobs(JobFilter)}), local and cluster backfills alike, newest
 * first. A mixin of {@link JobsCommand}, which runs it when {@code --db} is given.
 */
public final class JobHistoryListing {
  @Option(
      names = "--db",
      paramLabel = "URI",
      description =
          "List the backfill history recorded in this database (a directory, s3://... or gs://...)"
              + " instead of Ray jobs.")
  String db;

  @Option(names = "--table", description = "With --db: only jobs of this table.")
  String table;

  @Option(names = "--column", description = "With --db: only jobs computing this column.")
  String column;

  @Option(
      names = "--state",
      description = "With --db: only jobs in this state (repeatable): ${COMPLETION-CANDIDATES}.")
  List<JobState> states = new ArrayList<>();

  @Option(
      names = "--storage-option",
      paramLabel = "KEY=VALUE",
      description = "With --db: a Lance storage option (repeatable), e.g. aws_region=us-east-1.")
  Map<String, String> storageOptions = new LinkedHashMap<>();

  @Option(names = "--json", description = "With --db: print the records as JSON.")
  boolean json;

  @Option(
      names = "--stale-after",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "With --db: report a RUNNING job as stale when nothing was recorded for it for this long"
              + " (e.g. 30m; default 10m). Running backfills report every minute.")
  Duration staleAfter;

  /** Creates the options (picocli fills them). */
  public JobHistoryListing() {}

  /**
   * Whether the history was asked for.
   *
   * @return true when {@code --db} is given
   */
  boolean requested() {
    return db != null;
  }

  /**
   * Prints the history.
   *
   * @param out where to print
   * @return the exit code
   */
  int print(PrintWriter out) {
    JobFilter.Builder filter = JobFilter.builder().table(table).column(column);
    states.forEach(filter::state);
    List<JobRecord> jobs;
    JobHistory history;
    try (Connection conn = Geneva.connect(db, storageOptions)) {
      history =
          staleAfter == null ? conn.jobHistory() : conn.jobHistory().withStaleAfter(staleAfter);
      jobs = history.list(filter.build());
    }
    if (json) {
      out.println(Json.write(jobs.stream().map(JobHistoryListing::toMap).toList()));
    } else {
      out.printf(
          "%-32s %-16s %-16s %-9s %-20s %9s %12s %-20s %s%n",
          "JOB ID",
          "TABLE",
          "COLUMN",
          "STATE",
          "CREATED",
          "SECONDS",
          "ROWS",
          "READ/UDF/WRITE S",
          "WHERE");
      for (JobRecord j : jobs) {
        out.printf(
            "%-32s %-16s %-16s %-9s %-20s %9s %12d %-20s %s%n",
            j.jobId(),
            j.table(),
            j.column(),
            j.state(),
            j.createdAt().toString().substring(0, 19) + "Z",
            j.startedAt()
                .map(
                    s ->
                        String.format(
                            java.util.Locale.ROOT,
                            "%.1f",
                            Duration.between(s, j.endedAt().orElse(Instant.now())).toMillis()
                                / 1000.0))
                .orElse("-"),
            j.metric(JobMetrics.ROWS_COMMITTED),
            taskTimes(j),
            j.executor() + j.cluster().map(c -> " on " + c).orElse(""));
        running(j).ifPresent(out::println);
        j.staleSince()
            .ifPresent(
                t ->
                    out.println(
                        "    stale since "
                            + t
                            + ": no report for over "
                            + (history.staleAfter().toSecondsPart() == 0
                                ? history.staleAfter().toMinutes() + " min"
                                : history.staleAfter().toSeconds() + " s")
                            + "; its client or driver probably died. Run the backfill again to"
                            + " resume from its checkpoints"));
        j.error().ifPresent(e -> out.println("    " + e.lines().findFirst().orElse("")));
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * For a running job that records them: {@code " at <time>: 2 workers active, 1500 rows ready for
   * commit, 3000 committed"}.
   */
  static Optional<String> running(JobRecord j) {
    Long active = j.metrics().get(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE);
    Long ready = j.metrics().get(JobMetrics.ROWS_READY_FOR_COMMIT);
    if (j.state() != JobState.RUNNING || active == null || ready == null) {
      return Optional.empty();
    }
    return Optional.of(
        "    at "
            + j.updatedAt()
            + ": "
            + active
            + " of "
            + j.metric(JobMetrics.WORKERS)
            + " workers active, "
            + ready
            + " rows ready for commit, "
            + j.metric(JobMetrics.ROWS_COMMITTED)
            + " committed");
  }

  /** Seconds reading, in the UDF and writing, as {@code 1.2/30.5/0.8}; "-" when not recorded. */
  static String taskTimes(JobRecord j) {
    List<String> parts = new ArrayList<>();
    for (String m :
        List.of(
            JobMetrics.READ_IO_TIME_MS,
            JobMetrics.UDF_PROCESSING_TIME,
            JobMetrics.WRITER_WRITE_TIME)) {
      Long ms = j.metrics().get(m);
      if (ms == null) {
        return "-";
      }
      parts.add(String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0));
    }
    return String.join("/", parts);
  }

  private static Map<String, Object> toMap(JobRecord j) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobId", j.jobId());
    m.put("table", j.table());
    m.put("column", j.column());
    m.put("udfClass", j.udfClass());
    m.put("udfVersion", j.udfVersion());
    m.put("state", j.state().name());
    m.put("staleSince", j.staleSince().map(Instant::toString).orElse(null));
    m.put("createdAt", j.createdAt().toString());
    m.put("startedAt", j.startedAt().map(Instant::toString).orElse(null));
    m.put("endedAt", j.endedAt().map(Instant::toString).orElse(null));
    m.put("executor", j.executor());
    m.put("cluster", j.cluster().orElse(null));
    m.put("error", j.error().orElse(null));
    m.put("metrics", j.metrics());
    return m;
  }
}
