package dev.geneva.ray.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.StatefulUdf;
import dev.geneva.udf.UdfContext;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Length of {@code text} plus an offset set up in {@link #open}; counts opens and closes in static
 * counters (Ray LOCAL mode runs actors in this JVM).
 */
public class CountingStatefulLength implements ScalarUdf<Integer>, StatefulUdf {
  public static final AtomicInteger OPENS = new AtomicInteger();
  public static final AtomicInteger CLOSES = new AtomicInteger();
  public static final Set<String> WORKERS = ConcurrentHashMap.newKeySet();
  public static final int OFFSET = 1000;
  public static final String FAILURE = "stateful UDF fails on purpose";

  /** The id whose row fails, or -1 for none. */
  public static volatile long failOnId = -1;

  private Integer offset;

  public static void reset() {
    OPENS.set(0);
    CLOSES.set(0);
    WORKERS.clear();
    failOnId = -1;
  }

  /** The independent computation the tests compare with. */
  public static Integer expected(long id) {
    Integer len = TextLength.expected(id);
    return len == null ? null : len + OFFSET;
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id", "text").output(UdfTypes.int32()).build();
  }

  @Override
  public void open(UdfContext context) {
    OPENS.incrementAndGet();
    WORKERS.add(context.workerId());
    offset = OFFSET;
  }

  @Override
  public Integer apply(Row row) {
    if (offset == null) {
      throw new IllegalStateException("apply before open");
    }
    if (row.getLong("id") == failOnId) {
      throw new IllegalStateException(FAILURE);
    }
    String t = row.getString("text");
    return t == null ? null : t.length() + offset;
  }

  @Override
  public void close() {
    if (offset != null) {
      CLOSES.incrementAndGet();
      offset = null;
    }
  }
}
