package com.example.userapp;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;

/** The user's UDF: the length of {@code text}, or null for null text. */
public class TextLength implements ScalarUdf<Integer> {
  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
  }

  @Override
  public Integer apply(Row row) {
    String text = row.getString("text");
    return text == null ? null : text.length();
  }
}
