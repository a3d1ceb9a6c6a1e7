package dev.geneva.testing;

import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Text length, 20 ms per batch, so a test can kill the JVM in the middle of a backfill. */
public class SlowLength implements BatchUdf {
  public static final AtomicLong ROWS = new AtomicLong();

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
  }

  @Override
  public void apply(VectorSchemaRoot input, FieldVector output) throws InterruptedException {
    Thread.sleep(20);
    VarCharVector text = (VarCharVector) input.getVector(0);
    IntVector out = (IntVector) output;
    for (int i = 0; i < input.getRowCount(); i++) {
      if (!text.isNull(i)) {
        out.set(i, new String(text.get(i), java.nio.charset.StandardCharsets.UTF_8).length());
      }
    }
    ROWS.addAndGet(input.getRowCount());
  }
}
