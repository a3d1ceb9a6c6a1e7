package dev.geneva.udf;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A UDF computed a batch at a time on Arrow vectors: the fastest form for vectorised work such as
 * model inference.
 */
public interface BatchUdf extends Udf {

  /**
   * Computes one batch. {@code output} is allocated by Geneva with the declared output type and
   * room for {@code input.getRowCount()} values; the UDF sets row {@code i} for every input row
   * {@code i} (or leaves it null; a row left null in an output declared {@link
   * UdfTypes#notNull(org.apache.arrow.vector.types.pojo.Field) not nullable} fails the batch under
   * the {@link ErrorPolicy}). Geneva sets the value count and owns both vectors; a UDF that sets
   * the count itself must set it to {@code input.getRowCount()} (one value per input row, null for
   * a row it leaves out): any other count fails the batch, since the values would no longer line up
   * with their rows.
   *
   * @param input the declared input columns, in declaration order
   * @param output the vector to fill
   * @throws Exception any failure; the {@link ErrorPolicy} decides what happens next
   */
  void apply(VectorSchemaRoot input, FieldVector output) throws Exception;
}
