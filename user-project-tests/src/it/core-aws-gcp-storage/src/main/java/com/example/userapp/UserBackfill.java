package com.example.userapp;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Batches;
import dev.geneva.Connection;
import dev.geneva.CreateTableOptions;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.spi.BackfillExecutor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A user's program: creates a 300-row table in three fragments, adds a UDF column and backfills it
 * on the default executor, adds another and backfills it on threads chosen for that backfill,
 * checks every value, and writes what it saw to a properties file for the build's verify script.
 */
public final class UserBackfill {
  static final int ROWS = 300;

  /**
   * Runs the backfills.
   *
   * @param args the database directory and the report file
   * @throws IOException when the report cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path db = Path.of(args[0]);
    Path report = Path.of(args[1]);
    deleteRecursively(db);
    Properties out = new Properties();
    try (Connection conn = Geneva.connect(db.toString())) {
      Table docs;
      try (ArrowStreamReader data = rows(conn.allocator())) {
        docs =
            conn.createTable(
                "docs", data, CreateTableOptions.builder().maxRowsPerFile(100).build());
      }
      docs.addColumns(Map.of("text_length", new TextLength()));
      BackfillResult result = docs.backfill("text_length");
      out.setProperty("executor", result.executor());
      out.setProperty("rowsProcessed", Long.toString(result.rowsProcessed()));
      out.setProperty("fragments", Integer.toString(result.fragments()));
      check(docs, "text_length", out);

      // The thread executor chosen for one backfill, whatever the default is.
      try (BackfillExecutor threads = BackfillExecutors.threads()) {
        docs.addColumns(Map.of("text_length_threads", new TextLength()));
        BackfillResult onThreads =
            docs.backfill(
                "text_length_threads", BackfillOptions.builder().executor(threads).build());
        out.setProperty("threads.executor", onThreads.executor());
        out.setProperty("threads.rowsProcessed", Long.toString(onThreads.rowsProcessed()));
        check(docs, "text_length_threads", out);
      }
    }
    CloudChecks.run(out);
    try (Writer w = Files.newBufferedWriter(report)) {
      out.store(w, "user project backfill");
    }
    System.out.println("user project backfill: " + out);
  }

  /** Counts rows whose computed length is right and wrong. */
  static void check(Table docs, String column, Properties out) {
    long right = 0;
    long wrong = 0;
    try (Batches batches = docs.read(List.of("text", column), null)) {
      while (batches.next()) {
        VectorSchemaRoot b = batches.current();
        VarCharVector text = (VarCharVector) b.getVector("text");
        IntVector length = (IntVector) b.getVector(column);
        for (int i = 0; i < b.getRowCount(); i++) {
          String t = new String(text.get(i), StandardCharsets.UTF_8);
          if (!length.isNull(i) && length.get(i) == t.length()) {
            right++;
          } else {
            wrong++;
          }
        }
      }
    }
    out.setProperty(column + ".right", Long.toString(right));
    out.setProperty(column + ".wrong", Long.toString(wrong));
  }

  /** The table's rows: id and a text of id % 17 + 1 letters. */
  static ArrowStreamReader rows(BufferAllocator allocator) throws IOException {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(32, true)),
                Field.nullable("text", ArrowType.Utf8.INSTANCE)));
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, ipc)) {
      IntVector id = (IntVector) root.getVector("id");
      VarCharVector text = (VarCharVector) root.getVector("text");
      for (int i = 0; i < ROWS; i++) {
        id.setSafe(i, i);
        text.setSafe(i, "x".repeat(i % 17 + 1).getBytes(StandardCharsets.UTF_8));
      }
      root.setRowCount(ROWS);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    return new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), allocator);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
