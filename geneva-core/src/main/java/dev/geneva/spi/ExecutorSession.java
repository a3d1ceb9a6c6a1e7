package dev.geneva.spi;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * The workers of one backfill. Closing the session stops running tasks and closes every UDF
 * instance its workers opened.
 */
public interface ExecutorSession extends AutoCloseable {

  /**
   * Runs a task. The engine never has more than the session's concurrency in flight.
   *
   * @param task the task
   * @param rowsDone called with row counts as the task progresses (possibly only at the end)
   * @return the result; completes exceptionally with the task's failure
   */
  CompletableFuture<TaskResult> submit(BackfillTask task, LongConsumer rowsDone);

  /** Stops the workers. Safe to call twice. */
  @Override
  void close();
}
