package dev.geneva.spi;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.Table;

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
}
