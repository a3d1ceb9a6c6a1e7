package dev.geneva.examples;

import dev.geneva.Connection;
import dev.geneva.CreateTableOptions;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshPlan;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.examples.udf.HashingEmbedding;
import dev.geneva.examples.udf.SentenceChunker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The RAG pipeline as materialized views: documents → passages (a chunker UDTF view) → embeddings
 * (a UDF column of the view) → nearest-neighbour search; then documents are appended and deleted,
 * and one incremental refresh brings the passages and their embeddings up to date.
 *
 * <p>Arguments: {@code [database directory] [documents]} (a temporary directory and 200 by
 * default). The embedding is {@link HashingEmbedding} (no model download); {@code
 * udf.SentenceEmbedding} drops in for real vectors.
 */
public final class RagPipeline {
  /** Sentences per document. */
  public static final int SENTENCES = 4;

  /**
   * What the run did, for checking.
   *
   * @param first the first refresh
   * @param plan the plan of the second refresh
   * @param second the second refresh
   * @param hits the neighbours of a sentence of an appended document, closest first
   * @param query that sentence
   * @param passages the view's rows at the end
   */
  public record Outcome(
      RefreshResult first,
      RefreshPlan plan,
      RefreshResult second,
      List<NearestNeighbours.Neighbour> hits,
      String query,
      long passages) {}

  private RagPipeline() {}

  /**
   * Runs the example.
   *
   * @param args database directory and number of documents, both optional
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    Path root =
        args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("geneva-rag-pipeline");
    int documents = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Outcome o = run(root, documents);
    System.out.printf(
        "first refresh: %d documents → %d passages, embedded in %s%n",
        o.first().sourceRowsAdded(), o.first().viewRowsAdded(), o.first().duration());
    System.out.printf(
        "after appending 20 documents and deleting 10: plan adds %d documents, deletes %d"
            + " passages; refresh added %d passages in %s%n",
        o.plan().sourceRowsToAdd(),
        o.plan().viewRowsToDelete(),
        o.second().viewRowsAdded(),
        o.second().duration());
    System.out.println("nearest passages to \"" + o.query() + "\":");
    for (NearestNeighbours.Neighbour n : o.hits()) {
      System.out.printf("  %.3f  document %d: %s%n", n.cosine(), n.id(), n.text());
    }
  }

  /**
   * Builds the pipeline in {@code root}, refreshes it, appends and deletes documents, refreshes
   * again and searches.
   *
   * @param root the database directory
   * @param documents the number of documents to start with
   * @return what happened
   * @throws Exception when a step fails
   */
  public static Outcome run(Path root, int documents) throws Exception {
    try (Connection db = Geneva.connect(root.toString())) {
      BufferAllocator allocator = db.allocator();
      Table docs;
      try (ArrowStreamReader rows = documents(allocator, 0, documents)) {
        docs =
            db.createTable(
                "documents", rows, CreateTableOptions.builder().maxRowsPerFile(50).build());
      }
      // docs:begin views-create
      MaterializedView passages =
          db.createUdtfView(
              "passages",
              docs.query().select("id", "text"),
              new SentenceChunker(),
              Map.of("embedding", new HashingEmbedding()));
      RefreshResult first = passages.refresh();
      // docs:end views-create

      try (ArrowStreamReader more = documents(allocator, documents, 20)) {
        docs.add(more);
      }
      docs.delete("id < 10");
      // docs:begin views-refresh
      RefreshPlan plan = passages.planRefresh();
      RefreshResult second = passages.refresh();
      // docs:end views-refresh

      String query = SentenceChunker.split(text(documents + 5)).get(2);
      float[] vector = new float[HashingEmbedding.DIMENSION];
      HashingEmbedding.embed(query.getBytes(StandardCharsets.UTF_8), vector);
      List<NearestNeighbours.Neighbour> hits =
          NearestNeighbours.of(passages.table(), "embedding", vector, 3, allocator);
      return new Outcome(first, plan, second, hits, query, passages.table().countRows());
    }
  }

  /**
   * The text of document {@code id}: {@value #SENTENCES} generated sentences.
   *
   * @param id the document's id
   * @return the text
   */
  public static String text(long id) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < SENTENCES; i++) {
      s.append(i == 0 ? "" : " ").append(Sentences.of(id * SENTENCES + i));
    }
    return s.toString();
  }

  /** Documents {@code first..first+count-1} as an Arrow stream; close it. */
  static ArrowStreamReader documents(BufferAllocator allocator, long first, int count)
      throws IOException {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("text", ArrowType.Utf8.INSTANCE)));
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(batch, null, ipc)) {
      BigIntVector id = (BigIntVector) batch.getVector("id");
      VarCharVector text = (VarCharVector) batch.getVector("text");
      for (int i = 0; i < count; i++) {
        id.setSafe(i, first + i);
        text.setSafe(i, text(first + i).getBytes(StandardCharsets.UTF_8));
      }
      batch.setRowCount(count);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    return new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), allocator);
  }
}
