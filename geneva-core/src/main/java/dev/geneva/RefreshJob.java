package dev.geneva;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running refresh started by {@link MaterializedView#refreshAsync(RefreshOptions)}: its result,
 * live progress, and cancellation.
 */
public interface RefreshJob {

  /**
   * The result, completing when the refresh ends; exceptionally with a {@link GenevaException} on
   * failure or a {@link CancellationException} after {@link #cancel()}.
   *
   * @return the future
   */
  CompletableFuture<RefreshResult> future();

  /**
   * The current progress.
   *
   * @return a snapshot
   */
  RefreshProgress progress();

  /**
   * Stops the refresh at its next safe point: after the source fragment being synced is committed,
   * or by cancelling the UDF column's backfill under way (its finished fragments stay committed,
   * its finished tasks checkpointed). The view stays resumable: the next refresh finishes the job,
   * with the same result as a refresh never cancelled. Returns at once; {@link #future()} completes
   * when the refresh has stopped (normally, if it was already past its last safe point).
   *
   * @return false when the refresh had already ended
   */
  boolean cancel();

  /**
   * Waits for the result.
   *
   * @return the result
   * @throws GenevaException when the refresh failed
   * @throws CancellationException when it was cancelled
   */
  default RefreshResult join() {
    return JobFutures.join(future());
  }

  /**
   * Waits for the result at most {@code timeout}.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return the result
   * @throws TimeoutException when the refresh is still running
   */
  default RefreshResult join(long timeout, TimeUnit unit) throws TimeoutException {
    return JobFutures.join(future(), timeout, unit, "refresh");
  }
}
