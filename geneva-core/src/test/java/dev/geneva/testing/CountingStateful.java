package dev.geneva.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.StatefulUdf;
import dev.geneva.udf.UdfContext;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A stateful UDF that counts opens and closes and refuses rows before open. */
public class CountingStateful implements ScalarUdf<Long>, StatefulUdf {
  public static final AtomicInteger OPENS = new AtomicInteger();
  public static final AtomicInteger CLOSES = new AtomicInteger();
  public static final Set<String> WORKERS = ConcurrentHashMap.newKeySet();

  private long offset = -1;

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
  }

  @Override
  public void open(UdfContext context) {
    OPENS.incrementAndGet();
    WORKERS.add(context.workerId());
    offset = 1000;
  }

  @Override
  public Long apply(Row row) {
    if (offset < 0) {
      throw new IllegalStateException("apply before open");
    }
    return row.getLong("id") + offset;
  }

  @Override
  public void close() {
    CLOSES.incrementAndGet();
  }
}
