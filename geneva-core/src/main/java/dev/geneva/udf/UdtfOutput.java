package dev.geneva.udf;

import org.apache.arrow.vector.FieldVector;

/**
 * The view rows a {@link BatchUdtf} produces for one batch. Add a row with {@link #addRow(int)},
 * then set its values with the vectors' {@code setSafe} at the returned index; a value not set is
 * null.
 */
public interface UdtfOutput {

  /**
   * Adds a view row.
   *
   * @param parentRow the index, in the input batch, of the source row it comes from
   * @return the new row's index in the output vectors
   * @throws IndexOutOfBoundsException when {@code parentRow} is not a row of the input batch
   */
  int addRow(int parentRow);

  /**
   * An output column's vector, of the declared type.
   *
   * @param column a declared output column
   * @return the vector
   * @throws IllegalArgumentException for a column that was not declared
   */
  FieldVector vector(String column);

  /**
   * The rows added so far.
   *
   * @return the count
   */
  int rowCount();
}
