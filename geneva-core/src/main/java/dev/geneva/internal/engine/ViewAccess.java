package dev.geneva.internal.engine;

import dev.geneva.udf.Row;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** The engine's row reader and value writer, for the materialized-view code. */
public final class ViewAccess {
  private ViewAccess() {}

  /** Sets one value of an output vector, converting a UDF's Java value like a scalar UDF's. */
  @FunctionalInterface
  public interface ValueSink {
    /**
     * Checks and writes a value (null included).
     *
     * @param index the row
     * @param value the Java value
     * @throws IllegalArgumentException when the column cannot hold the value
     */
    void set(int index, Object value);
  }

  /**
   * A reusable cursor over the given columns of a batch: {@code rows.apply(i)} is row {@code i}.
   *
   * @param batch the batch
   * @param columns the columns the row exposes
   * @return the cursor
   */
  public static IntFunction<Row> rows(VectorSchemaRoot batch, List<String> columns) {
    ArrowRow row = new ArrowRow(batch, columns);
    return row::at;
  }

  /**
   * A writer of Java values into a vector, with the conversions of scalar UDF outputs.
   *
   * @param vector the vector
   * @param column the column (for messages)
   * @param udfClass the function's class (for messages)
   * @return the writer
   * @throws IllegalArgumentException when no Java value converts to the vector's type
   */
  public static ValueSink writer(FieldVector vector, String column, String udfClass) {
    ValueWriter w = ValueWriter.forVector(vector, column, udfClass, vector.getField().isNullable());
    return w::checkAndWrite;
  }
}
