package dev.geneva.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import java.util.function.LongFunction;

/**
 * A scalar UDF of {@code id} whose declaration and function the test sets (UDFs are recreated by
 * class name, so they are static). Reset them in each test.
 */
public class Scripted implements ScalarUdf<Object> {
  /** The declaration every instance returns. */
  public static volatile UdfSpec spec;

  /** The value for a row's id. */
  public static volatile LongFunction<Object> function;

  @Override
  public UdfSpec spec() {
    return spec;
  }

  @Override
  public Object apply(Row row) {
    return function.apply(row.getLong("id"));
  }
}
