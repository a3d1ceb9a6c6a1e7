package dev.geneva.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link IdSignature} as a UDF of two columns: {@code sig} (the same value) and {@code sig_text}
 * ({@link #expectedText}), with the same faults, holds and delays. {@code sig_text} is also null on
 * rows of its own, so reruns meet rows where only one member is null.
 */
public class IdSignatures implements ScalarUdf<Map<String, Object>> {
  /** The {@code sig_text} of row {@code id}, computed independently of Geneva. */
  public static String expectedText(long id) {
    Long sig = IdSignature.expected(id);
    return sig == null || id % 13 == 6 ? null : "s" + sig;
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder()
        .inputs("id")
        .outputColumns(
            UdfTypes.named("sig", UdfTypes.int64()), UdfTypes.named("sig_text", UdfTypes.utf8()))
        .build();
  }

  @Override
  public Map<String, Object> apply(Row row) throws InterruptedException {
    long id = row.getLong("id");
    Map<String, Object> m = new HashMap<>();
    m.put("sig", IdSignature.compute(id));
    m.put("sig_text", expectedText(id));
    return m;
  }
}
