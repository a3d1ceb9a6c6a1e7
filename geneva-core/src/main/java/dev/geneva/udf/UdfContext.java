package dev.geneva.udf;

import java.util.Objects;

/**
 * What a {@link StatefulUdf} learns about where it runs.
 *
 * @param tableUri the table being backfilled
 * @param column the column being computed
 * @param workerId a name for the worker (thread or Ray actor) that owns this instance
 */
public record UdfContext(String tableUri, String column, String workerId) {
  /**
   * Checks that no component is null.
   *
   * @param tableUri the table being backfilled
   * @param column the column being computed
   * @param workerId a name for the worker (thread or Ray actor) that owns this instance
   */
  public UdfContext {
    Objects.requireNonNull(tableUri, "tableUri");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(workerId, "workerId");
  }
}
