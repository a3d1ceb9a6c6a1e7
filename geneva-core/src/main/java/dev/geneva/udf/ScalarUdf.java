package dev.geneva.udf;

import org.apache.arrow.vector.types.pojo.Field;

/**
 * A UDF computed one row at a time, with typed access to its declared input columns.
 *
 * <p>The returned value must fit the declared output type: an integer type takes {@code Byte},
 * {@code Short}, {@code Integer}, {@code Long} or {@code BigInteger} whose value fits exactly (5
 * billion in an {@code int32} column is an error, not a wrapped number); {@code float32} and {@code
 * float64} take any {@code Number}, rounded to the nearest value (a finite number too large for a
 * float is an error); {@code bool} a {@code Boolean}; strings a {@code String}; binary a {@code
 * byte[]}; lists a {@code java.util.List} or a primitive array ({@code float[]} for {@link
 * UdfTypes#floatVector(int)}); structs a {@code Map} of field name to value. {@code null} is a null
 * value, unless the output is declared {@link UdfTypes#notNull(Field) not nullable}. A value that
 * does not fit fails its row under the UDF's {@link ErrorPolicy} (never retried: the UDF would
 * return it again).
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
