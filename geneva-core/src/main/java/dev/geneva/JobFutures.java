package dev.geneva;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a job's future, with its failure rethrown as is: the {@code join}s of the jobs. */
final class JobFutures {
  private JobFutures() {}

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw unwrap(e.getCause());
    }
  }

  static <T> T join(CompletableFuture<T> future, long timeout, TimeUnit unit, String what)
      throws TimeoutException {
    try {
      return future.get(timeout, unit);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for the " + what);
    }
  }

  private static RuntimeException unwrap(Throwable cause) {
    if (cause instanceof RuntimeException r) {
      return r;
    }
    return new GenevaException(String.valueOf(cause), cause);
  }
}
