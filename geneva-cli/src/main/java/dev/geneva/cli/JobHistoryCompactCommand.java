package dev.geneva.cli;

import dev.geneva.Connection;
import dev.geneva.JobHistory;
import dev.geneva.JobHistoryCompaction;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code geneva jobs compact --db URI [--json]}: compacts the database's backfill history ({@link
 * JobHistory#compact()}), which backfills otherwise do when they end and it has grown past its
 * threshold. Safe while backfills run and report.
 */
@Command(
    name = "compact",
    mixinStandardHelpOptions = true,
    description = {
      "Compacts the backfill history of a database (<db>/_geneva/jobs.lance): deletes the"
          + " heartbeats that later reports supersede and merges its fragments, so that"
          + " 'geneva jobs --db' stays fast. Every state change is kept and every job reads the"
          + " same. Safe while backfills run."
    })
public final class JobHistoryCompactCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin DatabaseOptions database;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  /** Creates the command (picocli instantiates it). */
  public JobHistoryCompactCommand() {}

  @Override
  public Integer call() {
    JobHistoryCompaction c;
    String uri;
    try (Connection conn = database.connect()) {
      uri = conn.jobHistory().uri();
      c = conn.jobHistory().compact();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("history", uri);
      m.put("rowsBefore", c.rowsBefore());
      m.put("rowsDeleted", c.rowsDeleted());
      m.put("fragmentsBefore", c.fragmentsBefore());
      m.put("fragmentsAfter", c.fragmentsAfter());
      m.put("version", c.version());
      out.println(Json.write(m));
    } else if (c.version() == 0) {
      out.println("no job history in " + uri + " yet: nothing to compact");
    } else {
      out.printf(
          "compacted %s: %d of %d reports deleted (superseded heartbeats), %d fragments now (were"
              + " %d), version %d%n",
          uri,
          c.rowsDeleted(),
          c.rowsBefore(),
          c.fragmentsAfter(),
          c.fragmentsBefore(),
          c.version());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
