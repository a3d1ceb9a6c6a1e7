package dev.geneva.testing.resume;

import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import dev.geneva.spi.TaskResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/** Passes calls through to an executor, noting the most tasks one call carried. */
final class PartCountingExecutor implements BackfillExecutor {
  private final BackfillExecutor delegate;
  private final AtomicInteger mostParts = new AtomicInteger();

  /**
   * @param delegate the executor that runs the tasks; not closed by this one
   */
  PartCountingExecutor(BackfillExecutor delegate) {
    this.delegate = delegate;
  }

  int mostPartsPerCall() {
    return mostParts.get();
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public ExecutorSession openSession(SessionSpec spec) {
    ExecutorSession session = delegate.openSession(spec);
    return new ExecutorSession() {
      @Override
      public CompletableFuture<TaskResult> submit(BackfillTask task, LongConsumer rowsDone) {
        mostParts.accumulateAndGet(1, Math::max);
        return session.submit(task, rowsDone);
      }

      @Override
      public CompletableFuture<List<TaskResult>> submitAll(
          List<BackfillTask> tasks, LongConsumer rowsDone) {
        mostParts.accumulateAndGet(tasks.size(), Math::max);
        return session.submitAll(tasks, rowsDone);
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  @Override
  public void close() {}
}
