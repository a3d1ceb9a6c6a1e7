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

/**
 * Wraps an executor whose worker dies at the {@code dieAt}th call of a session (counted from 1; a
 * call is one task, or the parts of a packed call): either before running it, or after running it
 * with its answer lost (the parts' data files and checkpoints exist, but the driver hears only of
 * the failure). Every later call fails too.
 */
public final class DyingExecutor implements BackfillExecutor {
  private final BackfillExecutor delegate;
  private final int dieAt;
  private final boolean answerLost;

  /**
   * @param delegate the executor that runs the tasks; not closed by this one
   * @param dieAt the number of the task at which the worker dies
   * @param answerLost whether that task runs before its answer is lost
   */
  public DyingExecutor(BackfillExecutor delegate, int dieAt, boolean answerLost) {
    this.delegate = delegate;
    this.dieAt = dieAt;
    this.answerLost = answerLost;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public ExecutorSession openSession(SessionSpec spec) {
    ExecutorSession session = delegate.openSession(spec);
    AtomicInteger submitted = new AtomicInteger();
    return new ExecutorSession() {
      @Override
      public CompletableFuture<TaskResult> submit(BackfillTask task, LongConsumer rowsDone) {
        int n = submitted.incrementAndGet();
        if (n < dieAt) {
          return session.submit(task, rowsDone);
        }
        IllegalStateException died =
            new IllegalStateException("worker died running task " + n + " (injected)");
        if (n == dieAt && answerLost) {
          return session
              .submit(task, rowsDone)
              .handle(
                  (r, e) -> {
                    throw died;
                  });
        }
        return CompletableFuture.failedFuture(died);
      }

      @Override
      public CompletableFuture<List<TaskResult>> submitAll(
          List<BackfillTask> tasks, LongConsumer rowsDone) {
        int n = submitted.incrementAndGet();
        if (n < dieAt) {
          return session.submitAll(tasks, rowsDone);
        }
        IllegalStateException died =
            new IllegalStateException(
                "worker died running call " + n + " of " + tasks.size() + " parts (injected)");
        if (n == dieAt && answerLost) {
          return session
              .submitAll(tasks, rowsDone)
              .handle(
                  (r, e) -> {
                    throw died;
                  });
        }
        return CompletableFuture.failedFuture(died);
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
