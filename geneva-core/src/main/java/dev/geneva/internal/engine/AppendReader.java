package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Streams a user's batches in the table's schema without its UDF columns, batch by batch, columns
 * in the table's order. Lance writes the new fragments without data files for the UDF columns, so
 * they read as null (the next default backfill computes exactly these rows) and a backfill can give
 * them a data file of their own. (Writing the nulls into the fragment's one data file would not do:
 * a backfill's {@code DataReplacement} cannot replace a column that shares a file with others.) The
 * user's reader is consumed but not closed.
 */
public final class AppendReader extends ArrowReader {
  private final Schema schema;
  private final ArrowReader source;
  private long rows;

  private AppendReader(BufferAllocator allocator, Schema schema, ArrowReader source) {
    super(allocator);
    this.schema = schema;
    this.source = source;
  }

  /**
   * Checks the data's schema against the table's and wraps it. Every column that is not a UDF
   * column must be present with the table's type; UDF columns and columns the table does not have
   * must not.
   *
   * @param operation what is being done, for messages (e.g. {@code "add to table 'docs'"})
   * @param tableSchema the table's schema
   * @param data the user's batches
   * @param allocator for the conformed batches
   * @return the reader in the table's schema
   * @throws InvalidInputException naming every offending column, expected and given
   */
  public static AppendReader conform(
      String operation, Schema tableSchema, ArrowReader data, BufferAllocator allocator) {
    if (data == null) {
      throw new InvalidInputException(operation + ": the data is null");
    }
    Schema given;
    try {
      given = data.getVectorSchemaRoot().getSchema();
    } catch (IOException e) {
      throw new InvalidInputException(
          operation + ": cannot read the data's schema: " + e.getMessage(), e);
    }
    Map<String, Field> givenByName = new HashMap<>();
    for (Field f : given.getFields()) {
      givenByName.put(f.getName(), f);
    }
    Set<String> tableNames =
        tableSchema.getFields().stream().map(Field::getName).collect(Collectors.toSet());
    List<String> problems = new ArrayList<>();
    List<Field> written = new ArrayList<>();
    for (Field expected : tableSchema.getFields()) {
      Field g = givenByName.get(expected.getName());
      if (UdfMetadata.from(expected.getMetadata()).isPresent()) {
        if (g != null) {
          problems.add(
              "column '"
                  + expected.getName()
                  + "' is a UDF column: leave it out, a backfill computes it");
        }
        continue;
      }
      written.add(expected);
      if (g == null) {
        problems.add("column '" + expected.getName() + "' (" + describe(expected) + ") is missing");
      } else if (!ColumnChecks.sameType(expected, g)) {
        problems.add(
            "column '"
                + expected.getName()
                + "' is "
                + describe(g)
                + " but the table holds "
                + describe(expected));
      }
    }
    for (Field g : given.getFields()) {
      if (!tableNames.contains(g.getName())) {
        problems.add("column '" + g.getName() + "' (" + describe(g) + ") is not in the table");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          operation
              + ": the data does not fit the table's schema: "
              + String.join("; ", problems)
              + ". The table's columns are "
              + tableSchema.getFields().stream()
                  .map(f -> f.getName() + " " + describe(f))
                  .collect(Collectors.joining(", "))
              + " (UDF columns are left out: they stay null until backfilled)");
    }
    return new AppendReader(allocator, new Schema(written, tableSchema.getCustomMetadata()), data);
  }

  private static String describe(Field f) {
    if (f.getChildren().isEmpty()) {
      return f.getType().toString();
    }
    return f.getType()
        + f.getChildren().stream()
            .map(AppendReader::describe)
            .collect(Collectors.joining(", ", "<", ">"));
  }

  /**
   * The rows read so far.
   *
   * @return the count
   */
  public long rows() {
    return rows;
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    if (!source.loadNextBatch()) {
      return false;
    }
    VectorSchemaRoot in = source.getVectorSchemaRoot();
    VectorSchemaRoot out = getVectorSchemaRoot();
    int n = in.getRowCount();
    for (FieldVector target : out.getFieldVectors()) {
      in.getVector(target.getName()).makeTransferPair(target).transfer();
    }
    out.setRowCount(n);
    rows += n;
    return true;
  }

  @Override
  public long bytesRead() {
    return source.bytesRead();
  }

  @Override
  protected void closeReadSource() {
    // The caller owns the source reader.
  }

  @Override
  protected Schema readSchema() {
    return schema;
  }
}
