package dev.geneva.benchmarks;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;

/** {@code id * 2}: the UDF compared with Lance's SQL expression of the same name. */
public class TimesTwo implements ScalarUdf<Long> {
  /** Creates the UDF (Geneva recreates it by class name on each worker). */
  public TimesTwo() {}

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
  }

  @Override
  public Long apply(Row row) {
    return row.getLong("id") * 2;
  }
}
