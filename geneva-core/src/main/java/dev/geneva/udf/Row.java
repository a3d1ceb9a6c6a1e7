package dev.geneva.udf;

/**
 * One row of a {@link ScalarUdf}'s declared input columns. Getters throw {@link
 * IllegalArgumentException} for a column the UDF did not declare and {@link ClassCastException}
 * naming the column's real type when asked for another; check {@link #isNull(String)} before a
 * primitive getter, which throws {@link NullPointerException} on null.
 */
public interface Row {

  /**
   * Tells whether a column is null in this row.
   *
   * @param column a declared input column
   * @return true when the value is null
   */
  boolean isNull(String column);

  /**
   * Reads a 32-bit (or narrower) integer column.
   *
   * @param column a declared input column
   * @return the value
   */
  int getInt(String column);

  /**
   * Reads an integer column of up to 64 bits.
   *
   * @param column a declared input column
   * @return the value
   */
  long getLong(String column);

  /**
   * Reads a 32-bit floating point column.
   *
   * @param column a declared input column
   * @return the value
   */
  float getFloat(String column);

  /**
   * Reads a floating point or integer column as a double.
   *
   * @param column a declared input column
   * @return the value
   */
  double getDouble(String column);

  /**
   * Reads a boolean column.
   *
   * @param column a declared input column
   * @return the value
   */
  boolean getBoolean(String column);

  /**
   * Reads a string column.
   *
   * @param column a declared input column
   * @return the value, or null
   */
  String getString(String column);

  /**
   * Reads a binary column.
   *
   * @param column a declared input column
   * @return a copy of the bytes, or null
   */
  byte[] getBytes(String column);

  /**
   * Reads a fixed-size or variable-size list of floats (an embedding).
   *
   * @param column a declared input column
   * @return a copy of the values, or null
   */
  float[] getFloatArray(String column);

  /**
   * Reads any column as its Arrow Java object ({@code Long}, {@code Text}, ...).
   *
   * @param column a declared input column
   * @return the value, or null
   */
  Object get(String column);
}
