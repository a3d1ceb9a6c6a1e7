package dev.geneva.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.RootAllocator;

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

  /**
   * Runs several tasks (the parts of one unit of work, such as consecutive small fragments) on one
   * worker, in order, so the per-call costs (a Ray round trip, opening the table) are paid once.
   * Each part still produces and checkpoints its own {@link TaskResult}; a part that fails fails
   * the whole call, and parts finished before it stay checkpointed. The engine counts one call as
   * one of the session's concurrency slots. The default submits each part on its own.
   *
   * @param tasks the parts, at least one
   * @param rowsDone called with row counts as the parts progress
   * @return the parts' results, in the order of {@code tasks}
   */
  default CompletableFuture<List<TaskResult>> submitAll(
      List<BackfillTask> tasks, LongConsumer rowsDone) {
    List<CompletableFuture<TaskResult>> parts = new ArrayList<>(tasks.size());
    for (BackfillTask task : tasks) {
      parts.add(submit(task, rowsDone));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Runs UDTF tasks (the expansion of one or more source fragments of a view's refresh) on one
   * worker, in order, with the session's resources; a part that fails fails the whole call, and
   * parts finished before it stay recorded. The engine counts one call as one of the session's
   * concurrency slots. The default runs them at once in the calling thread with a worker of its
   * own, so an executor that does not ship UDTF work still refreshes views (in this JVM).
   *
   * @param tasks the parts, at least one
   * @param rowsDone called with source row counts as the parts progress
   * @return the parts' results, in the order of {@code tasks}
   */
  default CompletableFuture<List<UdtfTaskResult>> submitUdtf(
      List<UdtfTask> tasks, LongConsumer rowsDone) {
    try (RootAllocator allocator = new RootAllocator();
        TaskRunner runner =
            new TaskRunner(allocator, "caller-" + Thread.currentThread().getName())) {
      return CompletableFuture.completedFuture(runner.runUdtf(tasks, rowsDone));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Stops the workers. Safe to call twice. */
  @Override
  void close();
}
