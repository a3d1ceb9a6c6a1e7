package dev.geneva.testing;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.WriteParams;
import dev.geneva.Connection;
import dev.geneva.CreateTableOptions;
import dev.geneva.Table;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Builds small tables with known contents: {@code id} 0..n-1 and {@code text}. */
public final class SampleTables {
  private SampleTables() {}

  /** The text of row {@code id}; null for every 7th row. */
  public static String text(long id) {
    return id % 7 == 3 ? null : "row-" + id + "-" + "x".repeat((int) (id % 13));
  }

  /** Creates a table of {@code rows} rows in fragments of {@code rowsPerFragment}. */
  public static Table create(Connection db, String name, int rows, int rowsPerFragment) {
    return create(
        db, name, rows, CreateTableOptions.builder().maxRowsPerFile(rowsPerFragment).build());
  }

  /** Replaces a table with {@code rows} rows. */
  public static Table createOverwriting(Connection db, String name, int rows) {
    return create(db, name, rows, CreateTableOptions.builder().overwrite(true).build());
  }

  /**
   * Creates a table of columns {@code id} and {@code text} plus an int64 column of the given name
   * (holding the id), to try names Lance may refuse.
   */
  public static Table createWithExtraColumn(Connection db, String name, String column, int rows) {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("text", ArrowType.Utf8.INSTANCE),
                Field.nullable(column, new ArrowType.Int(64, true))));
    return create(db, name, rows, CreateTableOptions.defaults(), schema);
  }

  /**
   * Creates a table of {@code rows} rows in fragments of {@code rowsPerFragment} with plain
   * lance-core, in the given Lance file format version, and opens it with Geneva.
   */
  public static Table createWithFileVersion(
      Connection db,
      Path root,
      String name,
      int rows,
      int rowsPerFragment,
      WriteParams.LanceFileVersion version) {
    BufferAllocator allocator = db.allocator();
    try (ArrowStreamReader reader =
            new ArrowStreamReader(
                new ByteArrayInputStream(ipc(allocator, rows, idAndText())), allocator);
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, reader, stream);
      WriteParams params =
          new WriteParams.Builder()
              .withMaxRowsPerFile(rowsPerFragment)
              .withDataStorageVersion(version)
              .build();
      Dataset.create(allocator, stream, root.resolve(name + ".lance").toString(), params).close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return db.openTable(name);
  }

  private static Schema idAndText() {
    return new Schema(
        List.of(
            Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("text", ArrowType.Utf8.INSTANCE)));
  }

  /** Creates a table of {@code rows} rows with the given options. */
  public static Table create(Connection db, String name, int rows, CreateTableOptions options) {
    return create(db, name, rows, options, idAndText());
  }

  private static Table create(
      Connection db, String name, int rows, CreateTableOptions options, Schema schema) {
    BufferAllocator allocator = db.allocator();
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(ipc(allocator, rows, schema)), allocator)) {
      return db.createTable(name, reader, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Rows {@code firstId..firstId+rows-1} of {@code id} and {@code text} as an Arrow stream, in
   * batches of 10,000, for appending to a sample table; close it.
   */
  public static ArrowStreamReader rows(BufferAllocator allocator, long firstId, int rows) {
    return new ArrowStreamReader(
        new ByteArrayInputStream(ipc(allocator, firstId, rows, idAndText())), allocator);
  }

  /** Appends rows {@code firstId..firstId+rows-1} of {@code id} and {@code text} to a table. */
  public static void append(Table table, BufferAllocator allocator, long firstId, int rows) {
    try (ArrowStreamReader reader = rows(allocator, firstId, rows)) {
      table.add(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] ipc(BufferAllocator allocator, int rows, Schema schema) {
    return ipc(allocator, 0, rows, schema);
  }

  /** Rows as Arrow IPC: id, text, and any third int64 column holding the id. */
  private static byte[] ipc(BufferAllocator allocator, long firstId, int rows, Schema schema) {
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, ipc)) {
      writer.start();
      int batch = 10_000;
      for (int from = 0; from < rows; from += batch) {
        int n = Math.min(batch, rows - from);
        root.allocateNew();
        BigIntVector id = (BigIntVector) root.getVector("id");
        VarCharVector text = (VarCharVector) root.getVector("text");
        for (int i = 0; i < n; i++) {
          long rowId = firstId + from + i;
          id.setSafe(i, rowId);
          if (schema.getFields().size() > 2) {
            ((BigIntVector) root.getVector(2)).setSafe(i, rowId);
          }
          String t = text(rowId);
          if (t == null) {
            text.setNull(i);
          } else {
            text.setSafe(i, t.getBytes(StandardCharsets.UTF_8));
          }
        }
        root.setRowCount(n);
        writer.writeBatch();
      }
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ipc.toByteArray();
  }
}
