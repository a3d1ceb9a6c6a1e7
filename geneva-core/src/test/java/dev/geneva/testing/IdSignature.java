package dev.geneva.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A value that identifies its row ({@link #expected}), so a value written at the wrong row is
 * caught; null for every {@link #NULL_EVERY}th id when set, so reruns also meet rows whose computed
 * value is null (and whose fragments stay in the plan). Throws for the ids in {@link Faults};
 * sleeps {@link #DELAY_MICROS} per row when set (for runs to be killed).
 */
public class IdSignature implements ScalarUdf<Long> {
  /** Microseconds to sleep per row; 0 by default. */
  public static final AtomicLong DELAY_MICROS = new AtomicLong();

  /** Every how many ids the value is null; 0 (the default) for never. */
  public static final AtomicLong NULL_EVERY = new AtomicLong();

  /** When set, rows with ids below {@link #HOLD_BELOW} wait for it before computing. */
  public static final AtomicReference<CountDownLatch> HOLD = new AtomicReference<>();

  /** See {@link #HOLD}. */
  public static final AtomicLong HOLD_BELOW = new AtomicLong();

  /** Rows computed, by every instance in this JVM. */
  public static final AtomicLong CALLS = new AtomicLong();

  /** The value of row {@code id}, computed independently of Geneva. */
  public static Long expected(long id) {
    long every = NULL_EVERY.get();
    return every > 0 && id % every == every / 2 ? null : id * 1_000_003L + 17;
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
  }

  @Override
  public Long apply(Row row) throws InterruptedException {
    return compute(row.getLong("id"));
  }

  /** Computes row {@code id}'s value with the faults, holds and delays set (for other UDFs too). */
  static Long compute(long id) throws InterruptedException {
    Faults.maybeFail(id);
    CountDownLatch hold = HOLD.get();
    if (hold != null && id < HOLD_BELOW.get()) {
      hold.await();
    }
    long delay = DELAY_MICROS.get();
    if (delay > 0) {
      TimeUnit.MICROSECONDS.sleep(delay);
    }
    CALLS.incrementAndGet();
    return expected(id);
  }
}
