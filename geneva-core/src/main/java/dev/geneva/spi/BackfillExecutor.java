package dev.geneva.spi;

/**
 * Runs backfill tasks somewhere: threads of this JVM, embedded Ray, a Ray cluster. Long-lived and
 * owned by whoever created it (normally the {@link dev.geneva.Connection}); each backfill opens a
 * {@link ExecutorSession} of its own.
 */
public interface BackfillExecutor extends AutoCloseable {

  /**
   * A short name for logs and results, such as {@code "threads"} or {@code "ray-local"}.
   *
   * @return the name
   */
  String name();

  /**
   * Starts the workers for one backfill.
   *
   * @param spec what the backfill needs
   * @return the session; the caller closes it
   */
  ExecutorSession openSession(SessionSpec spec);

  /** Releases the executor. Safe to call twice. */
  @Override
  void close();
}
