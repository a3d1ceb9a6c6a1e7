package dev.geneva.ray.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;

/** Fails on the row with {@code id == 1234}. */
public class FailingUdf implements ScalarUdf<Long> {
  public static final String MESSAGE = "cannot compute row 1234 on purpose";

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
  }

  @Override
  public Long apply(Row row) {
    long id = row.getLong("id");
    if (id == 1234) {
      throw new IllegalArgumentException(MESSAGE);
    }
    return id * 2;
  }
}
