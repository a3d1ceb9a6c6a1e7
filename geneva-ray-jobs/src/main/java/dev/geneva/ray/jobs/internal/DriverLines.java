package dev.geneva.ray.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.FailedRow;
import dev.geneva.JobMetrics;
import dev.geneva.RefreshResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The lines the job driver prints for the client to parse from the job's logs: {@code
 * GENEVA_PROGRESS {json}} while running, then exactly one {@code GENEVA_RESULT {json}} (a view
 * refresh: {@code GENEVA_REFRESH_RESULT {json}}) or {@code GENEVA_ERROR {json}}. A marker may
 * follow a prefix on its line (log decorations), never a line break.
 */
public final class DriverLines {
  /** Marker of a progress line. */
  public static final String PROGRESS = "GENEVA_PROGRESS ";

  /** Marker of the result line. */
  public static final String RESULT = "GENEVA_RESULT ";

  /** Marker of a view refresh driver's result line. */
  public static final String REFRESH_RESULT = "GENEVA_REFRESH_RESULT ";

  /** Marker of the error line. */
  public static final String ERROR = "GENEVA_ERROR ";

  private DriverLines() {}

  /** The most failed rows a result line carries (it is one line of the job's log). */
  static final int MAX_FAILED_ROWS = 100;

  /**
   * The result line.
   *
   * @param r the result
   * @return the line
   */
  public static String result(BackfillResult r) {
    return RESULT + Json.write(resultJson(r));
  }

  /**
   * The result line of a view refresh driver: the refresh's numbers and each UDF column's backfill
   * as a {@link #result(BackfillResult)} object.
   *
   * @param r the refresh's result
   * @return the line
   */
  public static String refreshResult(RefreshResult r) {
    ObjectNode o = Json.object();
    o.put("view", r.view());
    if (r.fromVersion().isPresent()) {
      o.put("from_version", r.fromVersion().getAsLong());
    }
    o.put("to_version", r.toVersion());
    o.put("source_rows_added", r.sourceRowsAdded());
    o.put("view_rows_added", r.viewRowsAdded());
    o.put("view_rows_deleted", r.viewRowsDeleted());
    o.put("udtf_rows_failed", r.udtfRowsFailed());
    var backfills = o.putArray("backfills");
    r.backfills().values().forEach(b -> backfills.add(resultJson(b)));
    o.put("view_version", r.viewVersion());
    o.put("duration_ms", r.duration().toMillis());
    return REFRESH_RESULT + Json.write(o);
  }

  /**
   * The refresh result in the logs, if the driver printed one.
   *
   * @param logs the job's logs
   * @return the result
   */
  public static Optional<RefreshResult> findRefreshResult(String logs) {
    return last(logs, REFRESH_RESULT)
        .map(
            n -> {
              Map<String, BackfillResult> backfills = new LinkedHashMap<>();
              for (JsonNode b : n.path("backfills")) {
                BackfillResult r = backfillResult(b);
                backfills.put(r.column(), r);
              }
              return new RefreshResult(
                  n.path("view").asText(),
                  n.hasNonNull("from_version")
                      ? OptionalLong.of(n.path("from_version").asLong())
                      : OptionalLong.empty(),
                  n.path("to_version").asLong(),
                  n.path("source_rows_added").asLong(),
                  n.path("view_rows_added").asLong(),
                  n.path("view_rows_deleted").asLong(),
                  n.path("udtf_rows_failed").asLong(),
                  backfills,
                  n.path("view_version").asLong(),
                  Duration.ofMillis(n.path("duration_ms").asLong()));
            });
  }

  private static ObjectNode resultJson(BackfillResult r) {
    ObjectNode o = Json.object();
    o.put("table", r.table());
    o.put("column", r.column());
    o.put("executor", r.executor());
    o.put("rows_processed", r.rowsProcessed());
    o.put("rows_skipped", r.rowsSkipped());
    o.put("rows_failed", r.rowsFailed());
    o.put("fragments", r.fragments());
    o.put("tasks", r.tasks());
    o.put("read_version", r.readVersion());
    o.put("committed_version", r.committedVersion());
    o.put("commits", r.commits());
    o.put("duration_ms", r.duration().toMillis());
    if (r.udfChange() != null) {
      o.put("udf_change", r.udfChange());
    }
    ObjectNode metrics = o.putObject("metrics");
    r.metrics().forEach(metrics::put);
    var failed = o.putArray("failed_rows");
    for (FailedRow f :
        r.failedRows().subList(0, Math.min(MAX_FAILED_ROWS, r.failedRows().size()))) {
      ObjectNode row = failed.addObject();
      row.put("row_address", f.rowAddress());
      row.put("error", f.error());
      row.put("message", f.message());
    }
    return o;
  }

  /**
   * The progress line.
   *
   * @param p the progress
   * @return the line
   */
  public static String progress(BackfillProgress p) {
    ObjectNode o = Json.object();
    o.put("column", p.column());
    o.put("tasks_total", p.tasksTotal());
    o.put("tasks_done", p.tasksDone());
    o.put("rows_total", p.rowsTotal());
    o.put("rows_done", p.rowsDone());
    o.put("fragments_committed", p.fragmentsCommitted());
    o.put("elapsed_ms", p.elapsed().toMillis());
    return PROGRESS + Json.write(o);
  }

  /**
   * The error line.
   *
   * @param type the exception's class name
   * @param message the message
   * @return the line
   */
  public static String error(String type, String message) {
    ObjectNode o = Json.object();
    o.put("type", type);
    o.put("message", message);
    return ERROR + Json.write(o);
  }

  /**
   * The result in the logs, if the driver printed one.
   *
   * @param logs the job's logs
   * @return the result
   */
  public static Optional<BackfillResult> findResult(String logs) {
    return last(logs, RESULT).map(DriverLines::backfillResult);
  }

  private static BackfillResult backfillResult(JsonNode n) {
    return new BackfillResult(
        n.path("table").asText(),
        n.path("column").asText(),
        n.path("executor").asText(),
        n.path("rows_processed").asLong(),
        n.path("rows_skipped").asLong(),
        n.path("rows_failed").asLong(),
        n.path("fragments").asInt(),
        n.path("tasks").asInt(),
        n.path("read_version").asLong(),
        n.path("committed_version").asLong(),
        n.path("commits").asInt(),
        Duration.ofMillis(n.path("duration_ms").asLong()),
        failedRows(n.path("failed_rows")),
        n.hasNonNull("udf_change") ? n.path("udf_change").asText() : null,
        metrics(n.path("metrics")));
  }

  /** The metrics a driver printed: the names this client knows, whatever a newer driver adds. */
  private static Map<String, Long> metrics(JsonNode metrics) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : JobMetrics.names()) {
      if (metrics.path(name).isIntegralNumber()) {
        out.put(name, metrics.path(name).asLong());
      }
    }
    return out;
  }

  private static List<FailedRow> failedRows(JsonNode rows) {
    List<FailedRow> out = new ArrayList<>();
    for (JsonNode row : rows) {
      out.add(
          new FailedRow(
              row.path("row_address").asLong(),
              row.path("error").asText(),
              row.path("message").asText()));
    }
    return out;
  }

  /**
   * The last progress in the logs.
   *
   * @param logs the job's logs
   * @return the progress
   */
  public static Optional<BackfillProgress> findProgress(String logs) {
    return last(logs, PROGRESS)
        .map(
            n ->
                new BackfillProgress(
                    n.path("column").asText(),
                    n.path("tasks_total").asInt(),
                    n.path("tasks_done").asInt(),
                    n.path("rows_total").asLong(),
                    n.path("rows_done").asLong(),
                    n.path("fragments_committed").asInt(),
                    Duration.ofMillis(n.path("elapsed_ms").asLong())));
  }

  /**
   * The driver's error message in the logs, if it printed one.
   *
   * @param logs the job's logs
   * @return {@code type: message}
   */
  public static Optional<String> findError(String logs) {
    return last(logs, ERROR).map(n -> n.path("type").asText() + ": " + n.path("message").asText());
  }

  private static Optional<JsonNode> last(String logs, String marker) {
    int at = logs.lastIndexOf(marker);
    while (at >= 0) {
      int end = logs.indexOf('\n', at);
      String json = logs.substring(at + marker.length(), end < 0 ? logs.length() : end).trim();
      try {
        JsonNode n = Json.MAPPER.readTree(json);
        if (n != null && n.isObject()) {
          return Optional.of(n);
        }
      } catch (java.io.IOException e) {
        // A torn line (logs read while being written): try the one before.
      }
      at = at == 0 ? -1 : logs.lastIndexOf(marker, at - 1);
    }
    return Optional.empty();
  }
}
