package dev.geneva.examples;

import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.CreateTableOptions;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.examples.udf.MiniLmEncoder;
import dev.geneva.examples.udf.QuantizedSentenceEmbedding;
import dev.geneva.examples.udf.WordCount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The local quickstart: builds a table of English sentences in a local Lance database, adds a
 * sentence-embedding column (all-MiniLM-L6-v2 in ONNX Runtime, {@link QuantizedSentenceEmbedding})
 * and a word-count column, backfills both with a progress bar, prints a summary, and then shows the
 * embeddings at work: the stored sentences nearest in meaning to two new ones.
 *
 * <p>Run it with {@code mvn -B -q -Pquickstart -DskipTests verify}; arguments: the database
 * directory (default {@code ./quickstart-db}) and the number of rows (default 20,000).
 */
public final class Quickstart {
  /** Rows of the table when no size is given. */
  public static final int DEFAULT_ROWS = 20_000;

  private static final List<String> QUERIES =
      List.of(
          "Who scored the winning goal in the last minute of the game?",
          "How do I make bread rise before baking it?");

  private static final String[] WORDS = {
    "lance", "ray", "vector", "column", "fragment", "java", "table", "backfill", "model", "feature"
  };

  private Quickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args database directory and row count, both optional
   * @throws Exception when the database cannot be written or the model cannot be loaded
   */
  public static void main(String[] args) throws Exception {
    Path dir = Paths.get(args.length > 0 ? args[0] : "quickstart-db");
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ROWS;
    deleteRecursively(dir);

    try (Connection db = Geneva.connect(dir.toString())) {
      System.out.printf("Creating table 'docs' with %,d sentences in %s%n", rows, db.uri());
      Table docs = createDocs(db, rows, Sentences::of);
      docs.delete("id % 100 = 99");
      System.out.printf(
          "  %,d live rows in %d fragments after deleting every 100th row%n",
          docs.countRows(), fragmentCount(rows));

      docs.addColumns(
          Map.of("embedding", new QuantizedSentenceEmbedding(), "words", new WordCount()));
      System.out.println(
          "Added UDF columns 'embedding' (all-MiniLM-L6-v2, 384 floats) and 'words'; backfilling:");

      BackfillOptions options =
          BackfillOptions.builder().listener(new ConsoleProgress(System.out)).build();
      BackfillResult embedding = docs.backfill("embedding", options);
      BackfillResult words = docs.backfill("words", options);

      System.out.println();
      for (BackfillResult r : List.of(embedding, words)) {
        double seconds = r.duration().toMillis() / 1000.0;
        System.out.printf(
            "%-10s %,d rows computed in %d fragments on '%s' in %.1fs, %,.0f rows/s (version %d"
                + " -> %d)%n",
            r.column(),
            r.rowsProcessed(),
            r.fragments(),
            r.executor(),
            seconds,
            r.rowsProcessed() / Math.max(seconds, 1e-3),
            r.readVersion(),
            r.committedVersion());
      }
      System.out.printf(
          "Rows with text but no embedding: %d; rows with null text: %,d%n",
          docs.countRows("text IS NOT NULL AND embedding IS NULL"), docs.countRows("text IS NULL"));
      System.out.println("First rows:");
      for (Map<String, Object> row : docs.head(3, "id", "text", "words")) {
        System.out.println("  " + row);
      }

      // The embeddings are useful: the stored sentences closest in meaning to a new one.
      try (MiniLmEncoder model =
          MiniLmEncoder.open(MiniLmEncoder.Variant.INT8, MiniLmEncoder.Device.CPU, 2)) {
        for (String query : QUERIES) {
          float[] vector = model.embed(List.of(query))[0];
          System.out.printf("%nNearest neighbours of \"%s\" (cosine similarity):%n", query);
          for (NearestNeighbours.Neighbour n :
              NearestNeighbours.of(docs, "embedding", vector, 5, db.allocator())) {
            System.out.printf("  %.3f  %-9s %s%n", n.cosine(), Sentences.topic(n.id()), n.text());
          }
        }
      }
    }
  }

  private static int fragmentCount(int rows) {
    return (rows + rowsPerFragment(rows) - 1) / rowsPerFragment(rows);
  }

  private static int rowsPerFragment(int rows) {
    return Math.max(1, rows / 8);
  }

  /**
   * Creates the table {@code docs} ({@code id} int64, {@code text} utf8 of a few random words with
   * every 50th text null) of {@code rows} rows, in about 8 fragments, streaming it batch by batch.
   *
   * @param db the connection
   * @param rows how many rows
   * @return the new table
   * @throws IOException when the data cannot be written
   */
  public static Table createDocs(Connection db, int rows) throws IOException {
    return createDocs(db, rows, DocsReader::words);
  }

  /**
   * Creates the table {@code docs} ({@code id} int64, {@code text} utf8: {@code text.apply(id)},
   * null for every 50th row) of {@code rows} rows, in about 8 fragments, streaming it batch by
   * batch.
   *
   * @param db the connection
   * @param rows how many rows
   * @param text the text of row {@code id}
   * @return the new table
   * @throws IOException when the data cannot be written
   */
  public static Table createDocs(Connection db, int rows, LongFunction<String> text)
      throws IOException {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("text", ArrowType.Utf8.INSTANCE)));
    try (DocsReader reader = new DocsReader(db.allocator(), schema, rows, text)) {
      return db.createTable(
          "docs",
          reader,
          CreateTableOptions.builder().maxRowsPerFile(rowsPerFragment(rows)).build());
    }
  }

  /** Generates the documents batch by batch, so the table is never whole in memory. */
  private static final class DocsReader extends ArrowReader {
    private static final int BATCH = 8192;
    private final Schema schema;
    private final int rows;
    private final LongFunction<String> texts;
    private int next;

    DocsReader(BufferAllocator allocator, Schema schema, int rows, LongFunction<String> texts) {
      super(allocator);
      this.schema = schema;
      this.rows = rows;
      this.texts = texts;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      if (next >= rows) {
        return false;
      }
      VectorSchemaRoot root = getVectorSchemaRoot();
      int n = Math.min(BATCH, rows - next);
      root.allocateNew();
      BigIntVector id = (BigIntVector) root.getVector("id");
      VarCharVector text = (VarCharVector) root.getVector("text");
      for (int i = 0; i < n; i++) {
        long value = next + i;
        id.setSafe(i, value);
        if (value % 50 == 7) {
          text.setNull(i);
        } else {
          text.setSafe(i, texts.apply(value).getBytes(StandardCharsets.UTF_8));
        }
      }
      root.setRowCount(n);
      next += n;
      return true;
    }

    private static String words(long seed) {
      StringBuilder s = new StringBuilder();
      long x = seed * 0x9E3779B97F4A7C15L;
      int words = 3 + (int) Math.floorMod(x >>> 7, 9L);
      for (int w = 0; w < words; w++) {
        if (w > 0) {
          s.append(' ');
        }
        x = x * 6364136223846793005L + 1442695040888963407L;
        s.append(WORDS[(int) Math.floorMod(x >>> 33, (long) WORDS.length)]);
      }
      return s.toString();
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}

    @Override
    protected Schema readSchema() {
      return schema;
    }
  }

  /**
   * Deletes a directory tree, if it exists.
   *
   * @param dir the directory
   * @throws IOException when a file cannot be deleted
   */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
