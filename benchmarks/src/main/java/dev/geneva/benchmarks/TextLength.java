package dev.geneva.benchmarks;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;

/** The cheap UDF of the overhead and memory benchmarks: the length of {@code text}. */
public class TextLength implements ScalarUdf<Integer> {
  /** Creates the UDF (Geneva recreates it by class name on each worker). */
  public TextLength() {}

  /**
   * The computation, shared with the hand-written baseline so both do the same work.
   *
   * @param text the input, or null
   * @return its length in UTF-16 units, or null
   */
  public static Integer length(String text) {
    return text == null ? null : text.length();
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
  }

  @Override
  public Integer apply(Row row) {
    return length(row.getString("text"));
  }
}
