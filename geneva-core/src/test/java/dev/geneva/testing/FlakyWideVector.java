package dev.geneva.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.Arrays;

/**
 * A 32 KiB vector per row ({@link #DIM} floats, all equal to the row's id), failing on {@link
 * Faults#FAILING_IDS}: wide enough that a task writes several chunks of its data file before it
 * reaches a failing row.
 */
public class FlakyWideVector implements ScalarUdf<float[]> {
  public static final int DIM = 8192;

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.floatVector(DIM)).build();
  }

  @Override
  public float[] apply(Row row) {
    long id = row.getLong("id");
    Faults.maybeFail(id);
    float[] v = new float[DIM];
    Arrays.fill(v, id);
    return v;
  }
}
