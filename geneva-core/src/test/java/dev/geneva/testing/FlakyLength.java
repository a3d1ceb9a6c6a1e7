package dev.geneva.testing;

import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.concurrent.atomic.AtomicLong;

/** Text length that fails on {@link Faults#FAILING_IDS}; fail-fast policy. */
public class FlakyLength implements ScalarUdf<Integer> {
  public static final AtomicLong CALLS = new AtomicLong();

  protected ErrorPolicy policy() {
    return ErrorPolicy.failFast();
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder()
        .inputs("id", "text")
        .output(UdfTypes.int32())
        .errorPolicy(policy())
        .build();
  }

  @Override
  public Integer apply(Row row) {
    CALLS.incrementAndGet();
    Faults.maybeFail(row.getLong("id"));
    String t = row.getString("text");
    return t == null ? null : t.length();
  }

  /** Retries a {@link Faults.TransientFault} up to 3 attempts. */
  public static class Retrying extends FlakyLength {
    @Override
    protected ErrorPolicy policy() {
      return ErrorPolicy.builder()
          .maxAttempts(3)
          .retryOn(java.util.List.of(Faults.TransientFault.class))
          .backoff(java.time.Duration.ZERO, java.time.Duration.ZERO)
          .build();
    }
  }

  /** Writes null for failing rows. */
  public static class Skipping extends FlakyLength {
    @Override
    protected ErrorPolicy policy() {
      return ErrorPolicy.skip();
    }
  }
}
