package dev.geneva.udf;

/**
 * One row of a {@link ScalarUdf}'s declared input columns. Getters throw {@link
 * IllegalArgumentException} for a column the UDF did not declare and {@link ClassCastException}
 * naming the column's real type when asked for another; check {@link #isNull(String)} before a
 * primitive getter, which throws {@link NullPointerException} on null.
 *
 * <p>Every getter also takes a <em>struct path</em>: {@code "info.lang"} reads field {@code lang}
 * of the struct column {@code info} (declare {@code info} as the input), and is null when the
 * struct or the field is. A column whose own name contains a dot is found by that name first.
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
   * Reads a list of numbers (fixed-size or variable, of any integer or float type) as doubles.
   *
   * @param column a declared input column
   * @return a copy of the values (a null item is NaN), or null
   */
  double[] getDoubleArray(String column);

  /**
   * Reads a list of integers (fixed-size or variable, signed or unsigned up to 63 bits) as longs.
   *
   * @param column a declared input column
   * @return a copy of the values, or null
   * @throws NullPointerException for a null item
   */
  long[] getLongArray(String column);

  /**
   * Reads a timestamp column that has a time zone, or a date column (at midnight UTC), as an
   * instant.
   *
   * @param column a declared input column
   * @return the instant, or null
   */
  java.time.Instant getInstant(String column);

  /**
   * Reads a timestamp column without a time zone as a wall-clock time.
   *
   * @param column a declared input column
   * @return the time, or null
   */
  java.time.LocalDateTime getLocalDateTime(String column);

  /**
   * Reads a date column (date32 or date64).
   *
   * @param column a declared input column
   * @return the date, or null
   */
  java.time.LocalDate getLocalDate(String column);

  /**
   * Reads a decimal or integer column exactly.
   *
   * @param column a declared input column
   * @return the value, or null
   */
  java.math.BigDecimal getBigDecimal(String column);

  /**
   * Reads any column as its Arrow Java object ({@code Long}, {@code Text}, ...).
   *
   * @param column a declared input column
   * @return the value, or null
   */
  Object get(String column);
}
