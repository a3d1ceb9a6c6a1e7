package dev.geneva.spi;

import dev.geneva.udf.Resources;
import java.util.Objects;

/**
 * What one backfill asks of an executor.
 *
 * @param tableUri the table being backfilled
 * @param column the column being computed
 * @param udfClass the UDF's class name
 * @param stateful whether the UDF is a {@link dev.geneva.udf.StatefulUdf} (one instance per worker,
 *     opened once)
 * @param concurrency how many tasks may run at once
 * @param resources what one UDF instance needs
 */
public record SessionSpec(
    String tableUri,
    String column,
    String udfClass,
    boolean stateful,
    int concurrency,
    Resources resources) {
  /**
   * Checks the values.
   *
   * @param tableUri the table being backfilled
   * @param column the column being computed
   * @param udfClass the UDF's class name
   * @param stateful whether the UDF is a {@link dev.geneva.udf.StatefulUdf} (one instance per
   *     worker, opened once)
   * @param concurrency how many tasks may run at once
   * @param resources what one UDF instance needs
   */
  public SessionSpec {
    Objects.requireNonNull(tableUri, "tableUri");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(udfClass, "udfClass");
    Objects.requireNonNull(resources, "resources");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
  }
}
