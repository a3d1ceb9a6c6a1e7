package dev.geneva.testing;

import dev.geneva.udf.Row;
import java.util.Map;

/** {@link TextChunker} taking 5 ms a row, so a refresh can be killed part-way. */
public class SlowChunker extends TextChunker {
  @Override
  public Iterable<Map<String, ?>> apply(Row row) {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return super.apply(row);
  }
}
