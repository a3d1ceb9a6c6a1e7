package dev.geneva.benchmarks;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;

/**
 * The CPU-bound UDF of the scaling benchmark: {@link #rounds()} rounds of the SplitMix64 finalizer
 * over {@code id}. Every round depends on the previous one, so the JIT cannot skip work.
 */
public class SpinHash implements ScalarUdf<Long> {
  private static volatile int rounds = 2_000;

  /** Creates the UDF (Geneva recreates it by class name on each worker). */
  public SpinHash() {}

  /**
   * Sets the rounds per row for UDFs running in this JVM.
   *
   * @param value at least 1
   */
  public static void rounds(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("rounds must be at least 1, got " + value);
    }
    rounds = value;
  }

  /**
   * The rounds per row.
   *
   * @return the rounds
   */
  public static int rounds() {
    return rounds;
  }

  /**
   * The computation.
   *
   * @param id the input
   * @param n rounds
   * @return the hash
   */
  public static long hash(long id, int n) {
    long x = id;
    for (int i = 0; i < n; i++) {
      x += 0x9E3779B97F4A7C15L;
      x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
      x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
      x = x ^ (x >>> 31);
    }
    return x;
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
  }

  @Override
  public Long apply(Row row) {
    return hash(row.getLong("id"), rounds);
  }
}
