package dev.geneva.cloud.aws;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;

/** Twice the row's {@code id}. */
public class DoubleId implements ScalarUdf<Long> {
  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
  }

  @Override
  public Long apply(Row row) {
    return 2 * row.getLong("id");
  }
}
