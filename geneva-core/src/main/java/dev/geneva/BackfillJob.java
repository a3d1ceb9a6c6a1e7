package dev.geneva;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running backfill started by {@link Table#backfillAsync(String, BackfillOptions)}: its result,
 * live progress, and cancellation.
 */
public interface BackfillJob {

  /**
   * The result, completing when the backfill ends; exceptionally with a {@link GenevaException} on
   * failure or a {@link CancellationException} after {@link #cancel()}.
   *
   * @return the future
   */
  CompletableFuture<BackfillResult> future();

  /**
   * The current progress.
   *
   * @return a snapshot
   */
  BackfillProgress progress();

  /**
   * Stops the backfill: running tasks are interrupted, finished fragments are committed, the rest
   * stays checkpointed for the next run. Returns at once; {@link #future()} completes when the
   * backfill has stopped.
   *
   * @return false when the backfill had already ended
   */
  boolean cancel();

  /**
   * The id the backfill is recorded under in the {@linkplain Connection#jobs() job history}.
   *
   * @return the id, empty for jobs that are not recorded
   */
  default java.util.Optional<String> jobId() {
    return java.util.Optional.empty();
  }

  /**
   * Waits for the result.
   *
   * @return the result
   * @throws GenevaException when the backfill failed
   * @throws CancellationException when it was cancelled
   */
  default BackfillResult join() {
    return JobFutures.join(future());
  }

  /**
   * Waits for the result at most {@code timeout}.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return the result
   * @throws TimeoutException when the backfill is still running
   */
  default BackfillResult join(long timeout, TimeUnit unit) throws TimeoutException {
    return JobFutures.join(future(), timeout, unit, "backfill");
  }
}
