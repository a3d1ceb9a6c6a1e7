package dev.geneva.cli.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;

/** Length of {@code text}, null for null text. */
public class TextLength implements ScalarUdf<Integer> {
  /** Creates the UDF (workers create it by class name). */
  public TextLength() {}

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
  }

  @Override
  public Integer apply(Row row) {
    String t = row.getString("text");
    return t == null ? null : t.length();
  }
}
