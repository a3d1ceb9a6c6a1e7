package dev.geneva.ray.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Length of {@code text}; records the names of the threads it ran on (one JVM in LOCAL mode). */
public class ThreadRecordingLength implements ScalarUdf<Integer> {
  /** Names of the threads that called {@link #apply}; clear it before a backfill. */
  public static final Set<String> THREADS = ConcurrentHashMap.newKeySet();

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
  }

  @Override
  public Integer apply(Row row) {
    THREADS.add(Thread.currentThread().getName());
    String t = row.getString("text");
    return t == null ? null : t.length();
  }
}
