package dev.geneva.ray.testing;

import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Blocks every row until {@link #release} opens (at most 30 s); counts rows started. */
public class BlockingUdf implements ScalarUdf<Long> {
  public static volatile CountDownLatch release = new CountDownLatch(1);
  public static volatile CountDownLatch started = new CountDownLatch(1);

  public static void reset() {
    release = new CountDownLatch(1);
    started = new CountDownLatch(1);
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
  }

  @Override
  public Long apply(Row row) throws InterruptedException {
    started.countDown();
    release.await(30, TimeUnit.SECONDS);
    return row.getLong("id");
  }
}
