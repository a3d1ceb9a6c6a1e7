package dev.geneva.udf;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A UDTF that maps a batch of N source rows to M view rows on Arrow vectors. Every view row names
 * the input row it comes from ({@link UdtfOutput#addRow(int)}): the view copies that row's other
 * columns, keeps its id, and deletes the view row when the source row is deleted. A view row that
 * combines several source rows names the one whose deletion should remove it.
 */
public interface BatchUdtf extends Udtf {

  /**
   * Expands one batch. A batch never spans two source fragments.
   *
   * @param input the declared input columns, in declaration order
   * @param output where to add the view rows; Geneva owns its vectors
   * @throws Exception any failure; the {@link ErrorPolicy} decides what happens next (retries start
   *     the batch again with an empty output; under {@code SKIP} the batch gives no view rows and
   *     its rows are counted as failed)
   */
  void apply(VectorSchemaRoot input, UdtfOutput output) throws Exception;
}
