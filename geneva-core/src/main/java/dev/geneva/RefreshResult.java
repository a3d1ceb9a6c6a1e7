package dev.geneva;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a finished refresh of a materialized view did.
 *
 * @param view the view's name
 * @param fromVersion the source version of the previous refresh, empty for the first
 * @param toVersion the source version the view now reflects
 * @param sourceRowsAdded source rows that entered the view
 * @param viewRowsAdded view rows written (more than {@code sourceRowsAdded} for a chunker)
 * @param viewRowsDeleted view rows deleted because their source rows are gone or changed
 * @param udtfRowsFailed source rows whose UDTF call failed and were skipped under a skip policy
 * @param backfills the backfill of each UDF column, in the order they ran
 * @param viewVersion the view table's version at the end
 * @param duration wall-clock time
 */
public record RefreshResult(
    String view,
    OptionalLong fromVersion,
    long toVersion,
    long sourceRowsAdded,
    long viewRowsAdded,
    long viewRowsDeleted,
    long udtfRowsFailed,
    Map<String, BackfillResult> backfills,
    long viewVersion,
    Duration duration) {

  /**
   * Copies the map, keeping its order.
   *
   * @param view the view's name
   * @param fromVersion the source version of the previous refresh, empty for the first
   * @param toVersion the source version the view now reflects
   * @param sourceRowsAdded source rows that entered the view
   * @param viewRowsAdded view rows written (more than {@code sourceRowsAdded} for a chunker)
   * @param viewRowsDeleted view rows deleted because their source rows are gone or changed
   * @param udtfRowsFailed source rows whose UDTF call failed and were skipped under a skip policy
   * @param backfills the backfill of each UDF column, in the order they ran
   * @param viewVersion the view table's version at the end
   * @param duration wall-clock time
   */
  public RefreshResult {
    backfills = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(backfills));
  }
}
