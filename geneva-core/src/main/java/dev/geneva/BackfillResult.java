package dev.geneva;

import java.time.Duration;

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
    Duration duration) {}
