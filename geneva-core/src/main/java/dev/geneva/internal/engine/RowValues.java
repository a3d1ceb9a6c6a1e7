package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns rows given as maps of column name to Java value into one Arrow batch in a table's schema
 * without its UDF columns, converting the values as a scalar UDF's are ({@link ValueWriter}). Every
 * row is checked before any is written, so a bad row leaves nothing behind.
 */
public final class RowValues {
  private RowValues() {}

  /**
   * Checks every row, then writes them all into a new batch.
   *
   * @param operation what is being done, for messages (e.g. {@code "add to table 'docs'"})
   * @param tableSchema the table's schema
   * @param rows the rows: column name to value; a nullable column left out is null
   * @param allocator for the batch
   * @return the batch, in the table's column order without UDF columns; the caller closes it
   * @throws InvalidInputException naming the first bad row's index and column, what was given and
   *     what the column needs
   */
  public static VectorSchemaRoot toBatch(
      String operation,
      Schema tableSchema,
      List<? extends Map<String, ?>> rows,
      BufferAllocator allocator) {
    if (rows == null) {
      throw new InvalidInputException(operation + ": the rows are null");
    }
    Map<String, Field> byName = new HashMap<>();
    List<Field> written = new ArrayList<>();
    for (Field f : tableSchema.getFields()) {
      byName.put(f.getName(), f);
      if (UdfMetadata.from(f.getMetadata()).isEmpty()) {
        written.add(f);
      }
    }
    String columns =
        written.stream()
            .map(f -> f.getName() + " " + f.getType())
            .collect(Collectors.joining(", ", "[", "]"));
    VectorSchemaRoot batch =
        VectorSchemaRoot.create(new Schema(written, tableSchema.getCustomMetadata()), allocator);
    try {
      List<FieldVector> vectors = batch.getFieldVectors();
      List<ValueWriter> writers = new ArrayList<>(vectors.size());
      for (FieldVector v : vectors) {
        ValueWriter w = ValueWriter.forColumn(v);
        if (w == null) {
          throw new InvalidInputException(
              operation
                  + ": column '"
                  + v.getName()
                  + "' has type "
                  + v.getField().getType()
                  + ", which rows of Java values cannot fill; add Arrow batches instead"
                  + " (add(ArrowReader) or add(VectorSchemaRoot))");
        }
        writers.add(w);
      }
      Object[][] checked = new Object[rows.size()][];
      for (int r = 0; r < rows.size(); r++) {
        checked[r] = check(operation, r, rows.get(r), byName, vectors, writers, columns);
      }
      batch.allocateNew();
      for (int c = 0; c < vectors.size(); c++) {
        ValueWriter w = writers.get(c);
        for (int r = 0; r < checked.length; r++) {
          Object value = checked[r][c];
          if (value == null) {
            w.writeNull(r);
          } else {
            w.write(r, value);
          }
        }
      }
      batch.setRowCount(rows.size());
      return batch;
    } catch (RuntimeException e) {
      batch.close();
      throw e;
    }
  }

  private static Object[] check(
      String operation,
      int index,
      Map<String, ?> row,
      Map<String, Field> byName,
      List<FieldVector> vectors,
      List<ValueWriter> writers,
      String columns) {
    String at = operation + ": row " + index + ": ";
    if (row == null) {
      throw new InvalidInputException(at + "the row is null; give a map of column to value");
    }
    for (String name : row.keySet()) {
      Field f = byName.get(name);
      if (f == null) {
        throw new InvalidInputException(
            at + "column '" + name + "' is not in the table; the columns to give are " + columns);
      }
      if (UdfMetadata.from(f.getMetadata()).isPresent()) {
        throw new InvalidInputException(
            at + "column '" + name + "' is a UDF column: leave it out, a backfill computes it");
      }
    }
    Object[] values = new Object[vectors.size()];
    for (int c = 0; c < vectors.size(); c++) {
      try {
        values[c] = writers.get(c).check(row.get(vectors.get(c).getName()), "");
      } catch (ValueWriter.BadValueException e) {
        throw new InvalidInputException(at + e.getMessage(), e);
      }
    }
    return values;
  }
}
