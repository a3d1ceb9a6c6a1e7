package dev.geneva.examples;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Batches;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.examples.udf.MiniLmEncoder;
import dev.geneva.examples.udf.SentenceEmbedding;
import dev.geneva.spi.BackfillExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * The embedding backfill on one device, for {@code benchmarks/gpu/run.sh}: each call is one JVM, so
 * the CPU and GPU runs do not share a process. Subcommands:
 *
 * <ul>
 *   <li>{@code run <db> <rows> <cpu|cuda> [concurrency]}: creates table {@code docs} of {@code
 *       rows} sentences in {@code db} if it is not there, adds column {@code embedding_<device>}
 *       ({@link SentenceEmbedding}, float32 weights) and backfills it on this JVM's threads with
 *       {@value MiniLmEncoder#DEVICE_PROPERTY} set to the device ({@code cuda} fails rather than
 *       fall back), then prints {@code RESULT device=.. rows=.. seconds=.. rows_per_s=..}.
 *       Concurrency defaults to the number of processors on the CPU (one ONNX Runtime thread each)
 *       and 1 on the GPU.
 *   <li>{@code compare <db> <column a> <column b> <min cosine>}: prints the largest absolute
 *       difference and the smallest cosine similarity between the two vector columns over every
 *       row, and exits 1 when a row differs (null in one only, or cosine below the minimum).
 * </ul>
 */
public final class EmbeddingBenchmark {
  private EmbeddingBenchmark() {}

  /**
   * Runs a subcommand.
   *
   * @param args see the class comment
   * @throws Exception when the backfill or the comparison fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length >= 4 && args[0].equals("run")) {
      int concurrency =
          args.length > 4
              ? Integer.parseInt(args[4])
              : args[3].equals("cpu") ? Runtime.getRuntime().availableProcessors() : 1;
      run(Path.of(args[1]), Integer.parseInt(args[2]), args[3], concurrency);
    } else if (args.length == 5 && args[0].equals("compare")) {
      boolean same = compare(Path.of(args[1]), args[2], args[3], Double.parseDouble(args[4]));
      System.exit(same ? 0 : 1);
    } else {
      System.err.println(
          "usage: EmbeddingBenchmark run <db> <rows> <cpu|cuda> [concurrency]\n"
              + "       EmbeddingBenchmark compare <db> <column a> <column b> <min cosine>");
      System.exit(2);
    }
  }

  private static void run(Path db, int rows, String device, int concurrency) throws Exception {
    MiniLmEncoder.Device d = MiniLmEncoder.Device.valueOf(device.toUpperCase(Locale.ROOT));
    System.setProperty(MiniLmEncoder.DEVICE_PROPERTY, d.name().toLowerCase(Locale.ROOT));
    String column = "embedding_" + d.name().toLowerCase(Locale.ROOT);
    try (BackfillExecutor threads = BackfillExecutors.threads();
        Connection conn = Geneva.connect(db.toString())) {
      Table docs =
          Files.exists(db.resolve("docs.lance"))
              ? conn.openTable("docs")
              : Quickstart.createDocs(conn, rows, Sentences::of);
      if (docs.schema().getFields().stream().noneMatch(f -> f.getName().equals(column))) {
        docs.addColumns(Map.of(column, new SentenceEmbedding()));
      }
      BackfillResult r =
          docs.backfill(
              column,
              BackfillOptions.builder()
                  .executor(threads)
                  .concurrency(concurrency)
                  .listener(new ConsoleProgress(System.out))
                  .build());
      double seconds = r.duration().toNanos() / 1e9;
      System.out.printf(
          Locale.ROOT,
          "RESULT device=%s rows=%d seconds=%.3f rows_per_s=%.1f concurrency=%d%n",
          d.name().toLowerCase(Locale.ROOT),
          r.rowsProcessed(),
          seconds,
          r.rowsProcessed() / seconds,
          concurrency);
    }
  }

  private static boolean compare(Path db, String a, String b, double minCosine) {
    double maxAbs = 0;
    double worst = 1;
    long rows = 0;
    long mismatched = 0;
    try (Connection conn = Geneva.connect(db.toString());
        Batches batches = conn.openTable("docs").read(List.of(a, b), null)) {
      while (batches.next()) {
        VectorSchemaRoot root = batches.current();
        FixedSizeListVector va = (FixedSizeListVector) root.getVector(a);
        FixedSizeListVector vb = (FixedSizeListVector) root.getVector(b);
        Float4Vector fa = (Float4Vector) va.getDataVector();
        Float4Vector fb = (Float4Vector) vb.getDataVector();
        int dim = va.getListSize();
        for (int row = 0; row < root.getRowCount(); row++) {
          rows++;
          if (va.isNull(row) || vb.isNull(row)) {
            if (va.isNull(row) != vb.isNull(row)) {
              mismatched++;
            }
            continue;
          }
          double dot = 0;
          double na = 0;
          double nb = 0;
          for (int k = 0; k < dim; k++) {
            float x = fa.get(row * dim + k);
            float y = fb.get(row * dim + k);
            maxAbs = Math.max(maxAbs, Math.abs(x - y));
            dot += x * y;
            na += x * x;
            nb += y * y;
          }
          double cosine = dot / Math.sqrt(na * nb);
          worst = Math.min(worst, cosine);
          if (!(cosine >= minCosine)) {
            mismatched++;
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "COMPARE rows=%d max_abs_diff=%.3g min_cosine=%.6f mismatched=%d (min cosine %s)%n",
        rows,
        maxAbs,
        worst,
        mismatched,
        minCosine);
    return mismatched == 0 && rows > 0;
  }
}
