package dev.geneva.udf;

/**
 * A UDF with state set up once per worker (a model, a client, a cache) and released at the end.
 * Geneva calls {@link #open(UdfContext)} once before the first row a worker computes and {@link
 * #close()} once when the worker is done; one instance is never used by two threads at once.
 */
public interface StatefulUdf extends Udf, AutoCloseable {

  /**
   * Sets up the state.
   *
   * @param context where and how the UDF runs
   * @throws Exception when the state cannot be set up; the backfill fails with this cause
   */
  void open(UdfContext context) throws Exception;

  /** Releases the state. Must not throw for state that was never opened. */
  @Override
  void close();
}
