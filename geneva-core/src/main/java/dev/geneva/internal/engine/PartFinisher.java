package dev.geneva.internal.engine;

import dev.geneva.GenevaException;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskResult;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.BiConsumer;

/**
 * Finishes the data files of a shared scan's parts (last write, footer, close) on a worker's file
 * threads while the scan goes on with the next fragments, and reports them to {@code done} in the
 * order they were handed over. Closing a Lance file waits on its object store's I/O threads, which
 * for small fragments took longer than computing them; with a few files closing at once that wait
 * overlaps with the scan. At most {@code maxPending} files are unfinished at a time, so memory
 * stays bounded.
 */
final class PartFinisher {
  private record Pending(BackfillTask task, Future<TaskResult> result) {}

  private final Executor files;
  private final int maxPending;
  private final BiConsumer<BackfillTask, TaskResult> done;
  private final Deque<Pending> pending = new ArrayDeque<>();

  /**
   * @param files the threads that finish files
   * @param maxPending the most files handed over and not yet reported
   * @param done told of each finished part, in the order handed over
   */
  PartFinisher(Executor files, int maxPending, BiConsumer<BackfillTask, TaskResult> done) {
    this.files = files;
    this.maxPending = maxPending;
    this.done = done;
  }

  /**
   * Hands over a part whose rows are all written; {@code finish} must remove what it wrote when it
   * fails. Reports the parts already finished, and waits for the oldest when too many are pending.
   *
   * @throws GenevaException or the part's own unchecked failure, when a part failed to finish
   */
  void finish(BackfillTask task, Callable<TaskResult> finish) throws InterruptedException {
    FutureTask<TaskResult> result = new FutureTask<>(finish);
    pending.add(new Pending(task, result));
    files.execute(result);
    while (!pending.isEmpty()
        && (pending.size() > maxPending || pending.peek().result().isDone())) {
      report(pending.poll());
    }
  }

  /**
   * Waits for every part handed over and reports them in order.
   *
   * @throws GenevaException or the part's own unchecked failure, when a part failed to finish
   */
  void awaitAll() throws InterruptedException {
    while (!pending.isEmpty()) {
      report(pending.poll());
    }
  }

  /**
   * After a failure: waits for the parts still finishing (so nothing writes once the task has
   * ended) and reports the ones that finished, so they are checkpointed; their own failures are
   * added to {@code failure}.
   */
  void awaitAfterFailure(Throwable failure) {
    boolean interrupted = false;
    while (!pending.isEmpty()) {
      Pending p = pending.poll();
      while (true) {
        try {
          done.accept(p.task(), p.result().get());
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | CancellationException e) {
          failure.addSuppressed(e.getCause() == null ? e : e.getCause());
          break;
        } catch (RuntimeException e) {
          failure.addSuppressed(e);
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void report(Pending p) throws InterruptedException {
    TaskResult result;
    try {
      result = p.result().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new GenevaException(
          "finishing the data file of fragment "
              + p.task().fragmentId()
              + " failed: "
              + cause.getMessage(),
          cause);
    }
    done.accept(p.task(), result);
  }
}
