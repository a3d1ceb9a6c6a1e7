package dev.geneva.ray.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.concurrent.atomic.AtomicLong;

/** Length of {@code text}, null for null text; counts its calls. */
public class TextLength implements ScalarUdf<Integer> {
  public static final AtomicLong CALLS = new AtomicLong();

  /** The independent computation the tests compare with. */
  public static Integer expected(long id) {
    String t = SampleTables.text(id);
    return t == null ? null : t.length();
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
  }

  @Override
  public Integer apply(Row row) {
    CALLS.incrementAndGet();
    String t = row.getString("text");
    return t == null ? null : t.length();
  }
}
