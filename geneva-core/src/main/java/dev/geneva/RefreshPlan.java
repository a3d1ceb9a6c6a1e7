package dev.geneva;

import java.util.List;
import java.util.OptionalLong;

/**
 * What a refresh of a materialized view would do now, worked out without writing anything.
 *
 * @param view the view's name
 * @param fromVersion the source version of the last finished refresh, empty before the first
 * @param toVersion the source version the refresh would bring the view to
 * @param resuming true when an earlier refresh did not finish (its work is kept and checked)
 * @param fragmentsToSync source fragments whose rows are compared with the view's
 * @param fragmentsToRecompute of those, fragments whose data changed, so all their view rows are
 *     rebuilt
 * @param fragmentsToRemove source fragments gone since the last refresh (compacted or deleted)
 * @param sourceRowsToAdd source rows that would enter the view (a UDTF view expands each into any
 *     number of rows)
 * @param viewRowsToDelete view rows that would be deleted
 * @param udfColumns the UDF columns the refresh would then backfill, in order
 */
public record RefreshPlan(
    String view,
    OptionalLong fromVersion,
    long toVersion,
    boolean resuming,
    int fragmentsToSync,
    int fragmentsToRecompute,
    int fragmentsToRemove,
    long sourceRowsToAdd,
    long viewRowsToDelete,
    List<String> udfColumns) {

  /**
   * Copies the column list.
   *
   * @param view the view's name
   * @param fromVersion the source version of the last finished refresh, empty before the first
   * @param toVersion the source version the refresh would bring the view to
   * @param resuming true when an earlier refresh did not finish (its work is kept and checked)
   * @param fragmentsToSync source fragments whose rows are compared with the view's
   * @param fragmentsToRecompute of those, fragments whose data changed, so all their view rows are
   *     rebuilt
   * @param fragmentsToRemove source fragments gone since the last refresh (compacted or deleted)
   * @param sourceRowsToAdd source rows that would enter the view (a UDTF view expands each into any
   *     number of rows)
   * @param viewRowsToDelete view rows that would be deleted
   * @param udfColumns the UDF columns the refresh would then backfill, in order
   */
  public RefreshPlan {
    udfColumns = List.copyOf(udfColumns);
  }

  /**
   * Tells whether the view's rows are already those of {@code toVersion} (the UDF columns may still
   * have rows to compute).
   *
   * @return true when no row would be added or deleted
   */
  public boolean rowsUpToDate() {
    return sourceRowsToAdd == 0 && viewRowsToDelete == 0 && fragmentsToRecompute == 0;
  }
}
