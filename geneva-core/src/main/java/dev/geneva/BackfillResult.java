package dev.geneva;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished backfill did.
 *
 * @param table the table's URI
 * @param column the computed column
 * @param executor the executor that ran the tasks
 * @param rowsProcessed rows the UDF computed in this run
 * @param rowsSkipped rows not recomputed because an earlier run had checkpointed them
 * @param rowsFailed rows whose UDF call failed and were left null under a skip policy
 * @param fragments fragments updated
 * @param tasks tasks planned
 * @param readVersion the table version the backfill read
 * @param committedVersion the table version after the last commit (equal to {@code readVersion}
 *     when nothing needed computing)
 * @param commits the number of commits
 * @param duration wall-clock time
 * @param failedRows the rows counted in {@code rowsFailed}, with their errors, in the order tasks
 *     finished (at most {@link #MAX_FAILED_ROWS}, and at most 1000 a task)
 * @param udfChange how the UDF changed (version, inputs or class) since the column's values were
 *     computed, when that made this default backfill recompute every row rather than only the null
 *     ones, as Geneva does; null when it did not
 * @param metrics the job's metrics by {@link JobMetrics} name, as its {@linkplain JobRecord job
 *     record} has them (read, UDF and write times among them); empty when not known
 */
public record BackfillResult(
    String table,
    String column,
    String executor,
    long rowsProcessed,
    long rowsSkipped,
    long rowsFailed,
    int fragments,
    int tasks,
    long readVersion,
    long committedVersion,
    int commits,
    Duration duration,
    List<FailedRow> failedRows,
    String udfChange,
    Map<String, Long> metrics) {

  /** The most failed rows a result lists; {@code rowsFailed} counts them all. */
  public static final int MAX_FAILED_ROWS = 10_000;

  /**
   * Checks the values.
   *
   * @param table the table's URI
   * @param column the computed column
   * @param executor the executor that ran the tasks
   * @param rowsProcessed rows the UDF computed in this run
   * @param rowsSkipped rows not recomputed because an earlier run had checkpointed them
   * @param rowsFailed rows whose UDF call failed and were left null under a skip policy
   * @param fragments fragments updated
   * @param tasks tasks planned
   * @param readVersion the table version the backfill read
   * @param committedVersion the table version after the last commit
   * @param commits the number of commits
   * @param duration wall-clock time
   * @param failedRows the failed rows with their errors
   * @param udfChange how the UDF changed, when that made the backfill recompute every row; or null
   * @param metrics the job's metrics by {@link JobMetrics} name
   */
  public BackfillResult {
    failedRows = List.copyOf(failedRows);
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /**
   * A result without metrics.
   *
   * @param table the table's URI
   * @param column the computed column
   * @param executor the executor that ran the tasks
   * @param rowsProcessed rows the UDF computed in this run
   * @param rowsSkipped rows not recomputed because an earlier run had checkpointed them
   * @param rowsFailed rows whose UDF call failed and were left null under a skip policy
   * @param fragments fragments updated
   * @param tasks tasks planned
   * @param readVersion the table version the backfill read
   * @param committedVersion the table version after the last commit
   * @param commits the number of commits
   * @param duration wall-clock time
   * @param failedRows the failed rows with their errors
   * @param udfChange how the UDF changed, when that made the backfill recompute every row; or null
   */
  public BackfillResult(
      String table,
      String column,
      String executor,
      long rowsProcessed,
      long rowsSkipped,
      long rowsFailed,
      int fragments,
      int tasks,
      long readVersion,
      long committedVersion,
      int commits,
      Duration duration,
      List<FailedRow> failedRows,
      String udfChange) {
    this(
        table,
        column,
        executor,
        rowsProcessed,
        rowsSkipped,
        rowsFailed,
        fragments,
        tasks,
        readVersion,
        committedVersion,
        commits,
        duration,
        failedRows,
        udfChange,
        Map.of());
  }

  /**
   * One metric, such as {@link JobMetrics#UDF_PROCESSING_TIME}.
   *
   * @param name a {@link JobMetrics} name
   * @return the value, 0 when not known
   */
  public long metric(String name) {
    return metrics.getOrDefault(name, 0L);
  }

  /**
   * Tells whether this backfill recomputed every row because the UDF changed.
   *
   * @return true when {@link #udfChange()} is set
   */
  public boolean recomputedForUdfChange() {
    return udfChange != null;
  }

  /**
   * A result without failed-row records (a remote run reports counts only).
   *
   * @param table the table's URI
   * @param column the computed column
   * @param executor the executor that ran the tasks
   * @param rowsProcessed rows the UDF computed in this run
   * @param rowsSkipped rows not recomputed because an earlier run had checkpointed them
   * @param rowsFailed rows whose UDF call failed and were left null under a skip policy
   * @param fragments fragments updated
   * @param tasks tasks planned
   * @param readVersion the table version the backfill read
   * @param committedVersion the table version after the last commit
   * @param commits the number of commits
   * @param duration wall-clock time
   */
  public BackfillResult(
      String table,
      String column,
      String executor,
      long rowsProcessed,
      long rowsSkipped,
      long rowsFailed,
      int fragments,
      int tasks,
      long readVersion,
      long committedVersion,
      int commits,
      Duration duration) {
    this(
        table,
        column,
        executor,
        rowsProcessed,
        rowsSkipped,
        rowsFailed,
        fragments,
        tasks,
        readVersion,
        committedVersion,
        commits,
        duration,
        List.of(),
        null,
        Map.of());
  }
}
