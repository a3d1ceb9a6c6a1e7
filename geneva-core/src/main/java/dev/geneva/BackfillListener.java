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
}
