package dev.geneva.spi;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.RefreshJob;
import dev.geneva.Table;
import dev.geneva.udf.Udtf;
import java.util.OptionalLong;

/**
 * Runs whole backfills somewhere other than this JVM, such as a Ray cluster reached through its
 * Jobs API. A started {@code RayCluster} makes itself the process-wide {@linkplain
 * BackfillTargets#current() current target} until it is closed, so {@code table.backfill(...)} on
 * any thread inside its try block runs there.
 */
public interface BackfillTarget {

  /**
   * A short name for logs and results, such as {@code "ray-job:geneva/my-cluster"}.
   *
   * @return the name
   */
  String name();

  /**
   * Starts a backfill that Geneva has already validated locally.
   *
   * @param table the table
   * @param column the column to compute
   * @param options the options (with no target set)
   * @return the running job, with the same contract as a local one
   */
  BackfillJob start(Table table, String column, BackfillOptions options);

  /**
   * Checks, before anything is written, that a backfill of a column could run here, such as that
   * its UDF's resources fit one of a cluster's worker groups. {@link #start} checks it too; work
   * that backfills several columns after writing rows (a materialized view's refresh) calls it for
   * each column first. The default accepts every column.
   *
   * @param table the table
   * @param column the UDF column
   * @throws dev.geneva.GenevaException naming what does not fit and how to fix it
   */
  default void checkAdmission(Table table, String column) {}

  /**
   * Checks, before a materialized view's refresh writes anything, that the view's UDTF could run
   * here, such as that its resources fit one of a cluster's worker groups. A refresh calls it when
   * its UDF columns' backfills would come here, before {@link #checkAdmission(Table, String)} for
   * each column. The default accepts every UDTF.
   *
   * @param view the view's table
   * @param udtf the view's UDTF
   * @throws dev.geneva.GenevaException naming what does not fit and how to fix it
   */
  default void checkAdmission(Table view, Udtf udtf) {}

  /**
   * Whether this target runs a materialized view's whole refresh ({@link #startRefresh}) rather
   * than only the backfills of its UDF columns. The default is false.
   *
   * @return true when {@link #startRefresh} is supported
   */
  default boolean runsRefreshes() {
    return false;
  }

  /**
   * Starts a materialized view's whole refresh here (the UDTF's expansion, the deletes and appends,
   * and the UDF columns' backfills) and returns at once. Geneva calls it, after the admission
   * checks and without taking the view's refresh lease (the refresh takes it where it runs), only
   * when {@link #runsRefreshes()} is true; a cancel of the caller's refresh cancels the returned
   * job.
   *
   * @param view the view's table
   * @param sourceVersion the source version to refresh to, or empty for the latest
   * @param options the UDF columns' backfill options
   * @return the running refresh
   * @throws UnsupportedOperationException unless {@link #runsRefreshes()}
   */
  default RefreshJob startRefresh(Table view, OptionalLong sourceVersion, BackfillOptions options) {
    throw new UnsupportedOperationException(name() + " runs backfills, not view refreshes");
  }
}
