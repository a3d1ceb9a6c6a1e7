package dev.geneva;

import java.time.Duration;

/**
 * A snapshot of a running backfill.
 *
 * @param column the column being computed
 * @param tasksTotal tasks planned
 * @param tasksDone tasks finished (computed or found in a checkpoint)
 * @param rowsTotal rows selected by the filter
 * @param rowsDone rows computed or found in checkpoints so far
 * @param fragmentsCommitted fragments whose new data is committed
 * @param elapsed time since the backfill started
 */
public record BackfillProgress(
    String column,
    int tasksTotal,
    int tasksDone,
    long rowsTotal,
    long rowsDone,
    int fragmentsCommitted,
    Duration elapsed) {

  /**
   * The fraction of rows done, from 0 to 1 (1 when there is nothing to do).
   *
   * @return the fraction
   */
  public double fraction() {
    return rowsTotal == 0 ? 1.0 : Math.min(1.0, (double) rowsDone / rowsTotal);
  }
}
