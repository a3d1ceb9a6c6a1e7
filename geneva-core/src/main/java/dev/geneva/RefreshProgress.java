package dev.geneva;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a running refresh of a materialized view.
 *
 * @param view the view's name
 * @param phase what the refresh is doing
 * @param fragmentsTotal source fragments the refresh compares with the view (synced or rebuilt)
 * @param fragmentsDone of those, fragments whose rows are added and deleted
 * @param sourceRowsAdded source rows that entered the view so far
 * @param viewRowsAdded view rows written so far (more than {@code sourceRowsAdded} for a chunker)
 * @param viewRowsDeleted view rows deleted so far
 * @param columnsTotal UDF columns the refresh backfills
 * @param columnsDone of those, columns whose backfill finished
 * @param rowsComputed UDF values computed so far, over all columns
 * @param backfill the progress of the column being backfilled, while one is
 * @param elapsed time since the refresh started
 */
public record RefreshProgress(
    String view,
    Phase phase,
    int fragmentsTotal,
    int fragmentsDone,
    long sourceRowsAdded,
    long viewRowsAdded,
    long viewRowsDeleted,
    int columnsTotal,
    int columnsDone,
    long rowsComputed,
    Optional<BackfillProgress> backfill,
    Duration elapsed) {

  /** The steps of a refresh, in order. */
  public enum Phase {
    /** Comparing the source with the view. */
    PLANNING,
    /** Adding and deleting view rows, fragment by fragment. */
    SYNCING,
    /** Backfilling the UDF columns. */
    BACKFILLING,
    /** Finished, failed or cancelled. */
    ENDED
  }
}
