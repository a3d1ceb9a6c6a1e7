package dev.geneva.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import java.util.function.Function;

/**
 * A scalar UDF of a whole {@link Row} whose declaration and function the test sets (UDFs are
 * recreated by class name, so they are static). Reset them in each test.
 */
public class RowScripted implements ScalarUdf<Object> {
  /** The declaration every instance returns. */
  public static volatile UdfSpec spec;

  /** The value for a row. */
  public static volatile Function<Row, Object> function;

  @Override
  public UdfSpec spec() {
    return spec;
  }

  @Override
  public Object apply(Row row) {
    return function.apply(row);
  }
}
