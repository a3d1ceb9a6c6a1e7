package dev.geneva.testing;

import dev.geneva.udf.StatefulUdtf;
import dev.geneva.udf.UdfContext;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link TextChunker} as a stateful UDTF that counts its opens and closes. */
public class CountingStatefulChunker extends TextChunker implements StatefulUdtf {
  public static final AtomicInteger OPENS = new AtomicInteger();
  public static final AtomicInteger CLOSES = new AtomicInteger();

  @Override
  public void open(UdfContext context) {
    OPENS.incrementAndGet();
  }

  @Override
  public void close() {
    CLOSES.incrementAndGet();
  }
}
