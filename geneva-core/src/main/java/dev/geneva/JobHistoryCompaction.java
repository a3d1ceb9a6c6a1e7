package dev.geneva;

/**
 * What a compaction of the job history did ({@link JobHistory#compact()}).
 *
 * @param rowsBefore reports the table held before
 * @param rowsDeleted superseded heartbeats it deleted (see {@link JobHistory} for which reports are
 *     kept)
 * @param fragmentsBefore Lance fragments before (one per report appended since the last compaction)
 * @param fragmentsAfter fragments after, reports appended meanwhile by other writers included
 * @param version the table version it left
 */
public record JobHistoryCompaction(
    long rowsBefore, long rowsDeleted, int fragmentsBefore, int fragmentsAfter, long version) {}
