package dev.geneva.benchmarks;

import dev.geneva.Connection;
import dev.geneva.CreateTableOptions;
import dev.geneva.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
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
 * Benchmark tables: {@code id} (int64, 0..n-1) and {@code text} (utf8, null for every 7th row),
 * generated batch by batch so creating a large table needs little memory.
 */
public final class TableData {
  private static final int BATCH = 8_192;

  private TableData() {}

  /**
   * The text of row {@code id}.
   *
   * @param id the row's id
   * @return its text, or null for every 7th row
   */
  public static String text(long id) {
    if (id % 7 == 3) {
      return null;
    }
    return "document " + id + " " + "lorem ipsum ".repeat((int) (id % 9));
  }

  /**
   * Creates a table in a connection.
   *
   * @param db the connection
   * @param name the table's name
   * @param rows the rows
   * @param rowsPerFragment the most rows per fragment
   * @return the table
   */
  public static Table create(Connection db, String name, long rows, int rowsPerFragment) {
    return create(db, name, rows, rowsPerFragment, TableData::text);
  }

  /**
   * Creates a table in a connection with texts of one's own.
   *
   * @param db the connection
   * @param name the table's name
   * @param rows the rows
   * @param rowsPerFragment the most rows per fragment
   * @param text the text of row {@code id}, or null
   * @return the table
   */
  public static Table create(
      Connection db, String name, long rows, int rowsPerFragment, LongFunction<String> text) {
    try (ArrowReader reader = new Generator(db.allocator(), rows, text)) {
      return db.createTable(
          name,
          reader,
          CreateTableOptions.builder().maxRowsPerFile(rowsPerFragment).overwrite(true).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies a table directory (Lance paths inside a table are relative, so the copy is a table).
   *
   * @param from the table's directory
   * @param to a directory that does not exist yet
   */
  public static void copy(Path from, Path to) {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
    }
  }

  /**
   * Deletes a directory tree if it exists.
   *
   * @param root the directory
   */
  public static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Produces the rows batch by batch. */
  private static final class Generator extends ArrowReader {
    private static final Schema SCHEMA =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("text", ArrowType.Utf8.INSTANCE)));

    private final long rows;
    private final LongFunction<String> texts;
    private long next;

    Generator(BufferAllocator allocator, long rows, LongFunction<String> texts) {
      super(allocator);
      this.rows = rows;
      this.texts = texts;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      prepareLoadNextBatch();
      if (next >= rows) {
        return false;
      }
      VectorSchemaRoot root = getVectorSchemaRoot();
      int n = (int) Math.min(BATCH, rows - next);
      root.allocateNew();
      BigIntVector id = (BigIntVector) root.getVector("id");
      VarCharVector text = (VarCharVector) root.getVector("text");
      for (int i = 0; i < n; i++) {
        long row = next + i;
        id.setSafe(i, row);
        String t = texts.apply(row);
        if (t == null) {
          text.setNull(i);
        } else {
          text.setSafe(i, t.getBytes(StandardCharsets.UTF_8));
        }
      }
      root.setRowCount(n);
      next += n;
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}

    @Override
    protected Schema readSchema() {
      return SCHEMA;
    }
  }
}
