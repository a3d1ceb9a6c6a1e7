package dev.geneva.internal.engine;

import org.apache.arrow.vector.FieldVector;

/** Checks, before a column is added, that a scalar UDF can produce its declared type. */
public final class ScalarOutputs {
  private ScalarOutputs() {}

  /**
   * Fails when a scalar UDF's values cannot be written to the given vector's type.
   *
   * @param vector an empty vector of the output type
   * @param column the column
   * @param udfClass the UDF's class name
   * @throws IllegalArgumentException naming the type and what to use instead
   */
  public static void check(FieldVector vector, String column, String udfClass) {
    ValueWriter.forVector(vector, column, udfClass, true);
  }
}
