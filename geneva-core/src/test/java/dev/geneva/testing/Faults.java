package dev.geneva.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults the test UDFs inject, set by tests (UDFs are created by class name, so state is static).
 */
public final class Faults {
  private Faults() {}

  /** Ids whose rows throw. */
  public static final Set<Long> FAILING_IDS = ConcurrentHashMap.newKeySet();

  /** How many times each failing id throws before succeeding; 0 or less means always. */
  public static final AtomicInteger FAILURES_PER_ID = new AtomicInteger();

  private static final ConcurrentHashMap<Long, AtomicInteger> SEEN = new ConcurrentHashMap<>();

  /** Throws for a failing id, while it still has failures left. */
  public static void maybeFail(long id) {
    if (!FAILING_IDS.contains(id)) {
      return;
    }
    int times = SEEN.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    int limit = FAILURES_PER_ID.get();
    if (limit <= 0 || times <= limit) {
      throw new TransientFault("injected failure for id " + id + " (attempt " + times + ")");
    }
  }

  /** Clears every fault. */
  public static void reset() {
    FAILING_IDS.clear();
    FAILURES_PER_ID.set(0);
    SEEN.clear();
  }

  /** The exception the faults throw. */
  public static final class TransientFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransientFault(String message) {
      super(message);
    }
  }
}
