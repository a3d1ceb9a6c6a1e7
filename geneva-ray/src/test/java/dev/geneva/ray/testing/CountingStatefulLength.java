package dev.geneva.ray.testing;

import dev.geneva.testing.TextLength;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.StatefulUdf;
import dev.geneva.udf.UdfContext;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Length of {@code text} plus an offset set up in {@link #open}; counts opens and closes in static
 * counters (Ray LOCAL mode runs actors in this JVM).
 */
public class CountingStatefulLength implements ScalarUdf<Integer>, StatefulUdf {
  /** Opens and closes per worker id; worker ids start with the column, so tests stay apart. */
  private static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();

  private static final Map<String, AtomicInteger> CLOSES = new ConcurrentHashMap<>();
  public static final int OFFSET = 1000;
  public static final String FAILURE = "stateful UDF fails on purpose";

  /** The id whose row fails, or -1 for none. */
  public static volatile long failOnId = -1;

  private Integer offset;
  private String workerId;

  /** Opens by workers of the given column's sessions. */
  public static int opens(String column) {
    return count(OPENS, column);
  }

  /** Closes by workers of the given column's sessions. */
  public static int closes(String column) {
    return count(CLOSES, column);
  }

  /** The workers of the given column's sessions that opened an instance. */
  public static Set<String> workers(String column) {
    return OPENS.keySet().stream()
        .filter(w -> w.startsWith(column + "-"))
        .collect(java.util.stream.Collectors.toSet());
  }

  private static int count(Map<String, AtomicInteger> counts, String column) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith(column + "-"))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  public static void reset() {
    OPENS.clear();
    CLOSES.clear();
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
    workerId = context.workerId();
    OPENS.computeIfAbsent(workerId, k -> new AtomicInteger()).incrementAndGet();
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
      CLOSES.computeIfAbsent(workerId, k -> new AtomicInteger()).incrementAndGet();
      offset = null;
    }
  }
}
