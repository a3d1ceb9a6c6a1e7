package dev.geneva;

import java.util.List;

/**
 * The names of the metrics a {@link JobRecord} carries: Geneva (Python)'s job metric names, so
 * dashboards and habits carry over. Counts are rows or fragments; times are cumulative
 * milliseconds; {@link #gauges()} are values as of the report. A job recorded by a Geneva without a
 * metric (the four task times and the two gauges came later) lacks it: {@link JobRecord#metrics()}
 * has no entry for it.
 */
public final class JobMetrics {
  private JobMetrics() {}

  /** Fragments the backfill planned to update. */
  public static final String FRAGMENTS = "fragments";

  /** Fragments whose new column file was committed. */
  public static final String WRITER_FRAGMENTS = "writer_fragments";

  /** Rows the UDF computed in this run. */
  public static final String UDF_VALUES_COMPUTED = "udf_values_computed";

  /** Rows finished by the read/UDF/checkpoint stage in this run (tasks whose output is saved). */
  public static final String ROWS_CHECKPOINTED = "rows_checkpointed";

  /** Rows committed to the table (visible to other connections), including reused checkpoints. */
  public static final String ROWS_COMMITTED = "rows_committed";

  /** Rows not recomputed because an earlier run had checkpointed them (no Geneva equivalent). */
  public static final String ROWS_REUSED = "rows_reused";

  /** Rows whose UDF call failed and were left null under a skip policy. */
  public static final String ROWS_FAILED = "rows_failed";

  /** Workers (parallel tasks) the backfill ran with. */
  public static final String WORKERS = "workers";

  /**
   * Cumulative time of the tasks' calls to workers, from submission to result, in ms: it covers the
   * four times below, plus waiting for a worker and moving tasks and results.
   */
  public static final String TASK_TIME_MS = "task_time_ms";

  /** Cumulative time the tasks spent opening scans and reading input batches, in ms. */
  public static final String READ_IO_TIME_MS = "read_io_time_ms";

  /** Cumulative time in the UDF's calls (retries and their backoff included), in ms. */
  public static final String UDF_PROCESSING_TIME = "udf_processing_time";

  /**
   * Cumulative time the tasks spent creating, filling and closing the column's data files (keeping
   * existing values included), in ms.
   */
  public static final String WRITER_WRITE_TIME = "writer_write_time";

  /** Cumulative time the tasks spent recording their checkpoints, in ms. */
  public static final String BATCH_CHECKPOINTING_TIME = "batch_checkpointing_time";

  /** Cumulative commit time, in ms. */
  public static final String COMMIT_TIME_MS = "commit_time_ms";

  /** Commits retried because another writer committed first. */
  public static final String COMMIT_CONFLICT_RETRIES = "commit_conflict_retries";

  /** Time waited between commit retries, in ms. */
  public static final String COMMIT_BACKOFF_TIME_MS = "commit_backoff_time_ms";

  /**
   * Rows computed (or taken from an earlier run's checkpoints) and checkpointed whose fragment is
   * not committed yet: they wait for the rest of their fragment or for the next commit of the batch
   * ({@code BackfillOptions.commitEvery}, {@code commitInterval}). A gauge, as of the report: 0
   * once every commit is done.
   */
  public static final String ROWS_READY_FOR_COMMIT = "rows_ready_for_commit";

  /**
   * Calls to workers in flight as of the report (running, or submitted and waiting for a Ray worker
   * to take them), at most {@link #WORKERS}. A gauge: 0 before the first call and after the last.
   */
  public static final String CNT_GENEVA_WORKERS_ACTIVE = "cnt_geneva_workers_active";

  /**
   * The metrics that are a value as of the report rather than a running total ({@link
   * #ROWS_READY_FOR_COMMIT}, {@link #CNT_GENEVA_WORKERS_ACTIVE}): summing them over jobs means
   * nothing.
   *
   * @return the names
   */
  public static List<String> gauges() {
    return List.of(ROWS_READY_FOR_COMMIT, CNT_GENEVA_WORKERS_ACTIVE);
  }

  /**
   * Every metric name, in the order the job table stores them.
   *
   * @return the names
   */
  public static List<String> names() {
    return List.of(
        FRAGMENTS,
        WRITER_FRAGMENTS,
        UDF_VALUES_COMPUTED,
        ROWS_CHECKPOINTED,
        ROWS_COMMITTED,
        ROWS_REUSED,
        ROWS_FAILED,
        WORKERS,
        TASK_TIME_MS,
        COMMIT_TIME_MS,
        COMMIT_CONFLICT_RETRIES,
        COMMIT_BACKOFF_TIME_MS,
        READ_IO_TIME_MS,
        UDF_PROCESSING_TIME,
        WRITER_WRITE_TIME,
        BATCH_CHECKPOINTING_TIME,
        ROWS_READY_FOR_COMMIT,
        CNT_GENEVA_WORKERS_ACTIVE);
  }
}
