package dev.geneva.examples;

import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.StatefulUdf;
import dev.geneva.udf.UdfContext;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A stateful UDF: a "model" (here a table of word weights standing in for one that takes seconds to
 * load) is loaded once per worker in {@link #open(UdfContext)}, used for every batch that worker
 * computes, and released in {@link #close()}. {@link #main(String[])} backfills it locally and
 * prints how often the model was loaded: once per worker, not once per batch or row.
 */
public class StatefulModelUdf implements BatchUdf, StatefulUdf {
  /** How many times a model was loaded in this JVM. */
  public static final AtomicInteger LOADS = new AtomicInteger();

  private Map<String, Float> weights;

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.float32()).version("1").build();
  }

  @Override
  public void open(UdfContext context) {
    LOADS.incrementAndGet();
    Map<String, Float> w = new HashMap<>();
    String[] vocabulary = {"lance", "ray", "vector", "model", "feature", "java"};
    for (int i = 0; i < vocabulary.length; i++) {
      w.put(vocabulary[i], (i + 1) / (float) vocabulary.length);
    }
    weights = w;
  }

  @Override
  public void apply(VectorSchemaRoot input, FieldVector output) {
    VarCharVector text = (VarCharVector) input.getVector("text");
    Float4Vector score = (Float4Vector) output;
    for (int row = 0; row < input.getRowCount(); row++) {
      if (text.isNull(row)) {
        score.setNull(row);
        continue;
      }
      float sum = 0;
      for (String word : new String(text.get(row), StandardCharsets.UTF_8).split(" ")) {
        sum += weights.getOrDefault(word, 0f);
      }
      score.setSafe(row, sum);
    }
  }

  @Override
  public void close() {
    weights = null;
  }

  /**
   * Backfills a {@code score} column locally.
   *
   * @param args database directory (default {@code ./stateful-db}) and row count (default 100,000)
   * @throws IOException when the database cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "stateful-db");
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Quickstart.deleteRecursively(dir);
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = Quickstart.createDocs(db, rows);
      docs.addColumns(Map.of("score", new StatefulModelUdf()));
      BackfillResult r = docs.backfill("score");
      System.out.printf(
          "%,d rows scored on '%s'; model loaded %d time(s)%n",
          r.rowsProcessed(), r.executor(), LOADS.get());
    }
  }
}
