package dev.geneva.udf;

/**
 * A {@link Udtf} with state set up once per refresh (a model, a tokenizer, a client) and released
 * at the end. Geneva calls {@link #open(UdfContext)} before the first row and {@link #close()} when
 * the expansion is done; one instance is never used by two threads at once.
 */
public interface StatefulUdtf extends Udtf, AutoCloseable {

  /**
   * Sets up the state.
   *
   * @param context the view being refreshed ({@code column} is {@code "<udtf>"})
   * @throws Exception when the state cannot be set up; the refresh fails with this cause
   */
  void open(UdfContext context) throws Exception;

  /** Releases the state. Must not throw for state that was never opened. */
  @Override
  void close();
}
