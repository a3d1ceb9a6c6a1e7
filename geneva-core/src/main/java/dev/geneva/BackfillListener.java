package dev.geneva;

/**
 * Receives a backfill's progress. Called from Geneva's threads: return quickly and do not throw
 * (exceptions are logged and ignored).
 */
public interface BackfillListener {

  /**
   * Called after each batch of rows or finished task, at most a few times per second.
   *
   * @param progress the current snapshot
   */
  void onProgress(BackfillProgress progress);

  /**
   * Called after each commit.
   *
   * @param version the table version the commit created
   * @param fragments how many fragments it updated
   */
  default void onCommit(long version, int fragments) {}

  /**
   * Called with each report about the backfill in the {@linkplain Connection#jobs() job history}:
   * when it starts running, at each heartbeat while it runs ({@link
   * JobHistory#heartbeatInterval()}, a {@code RUNNING} report with the metrics so far) and when it
   * ends (done, failed or cancelled), with its metrics under Geneva's names ({@link JobMetrics});
   * for a cluster backfill, in the client, when it ends. Called even when the history could not be
   * written.
   *
   * @param job the job as reported
   */
  default void onJobRecorded(JobRecord job) {}
}
