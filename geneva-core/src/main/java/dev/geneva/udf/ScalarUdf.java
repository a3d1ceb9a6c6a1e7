package dev.geneva.udf;

/**
 * A UDF computed one row at a time, with typed access to its declared input columns.
 *
 * <p>The returned value must match the declared output type: {@code Integer}, {@code Long}, {@code
 * Float}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]} or {@code float[]} (for
 * {@link UdfTypes#floatVector(int)}), or {@code null}.
 *
 * @param <T> the Java type of the output values
 */
public interface ScalarUdf<T> extends Udf {

  /**
   * Computes the output for one row.
   *
   * @param row the row's input columns
   * @return the value, or {@code null}
   * @throws Exception any failure; the {@link ErrorPolicy} decides what happens next
   */
  T apply(Row row) throws Exception;
}
