package dev.geneva.udf;

import java.util.Map;

/**
 * A UDTF that maps one source row to zero or more view rows: a document to its passages, a video to
 * its frames. Each returned map is one view row, from output column name to value; values follow
 * the conversions of {@link ScalarUdf} for the declared output types, and a column left out of a
 * map is null. Every view row keeps its source row's id (the view's {@code __source_row_id}
 * column), and the view's other columns are copied from that source row.
 *
 * <pre>{@code
 * public class Passages implements ChunkerUdf {
 *   public UdtfSpec spec() {
 *     return UdtfSpec.builder().inputs("text")
 *         .outputs(Field.nullable("chunk", ArrowType.Utf8.INSTANCE)).build();
 *   }
 *   public Iterable<Map<String, ?>> apply(Row row) {
 *     return split(row.getString("text")).stream().map(p -> Map.of("chunk", p)).toList();
 *   }
 * }
 * }</pre>
 */
public interface ChunkerUdf extends Udtf {

  /**
   * Expands one source row.
   *
   * @param row the row's declared input columns
   * @return the view rows, each a map from output column to value; empty for none
   * @throws Exception any failure; the {@link ErrorPolicy} decides what happens next (under {@code
   *     SKIP} the row gives no view rows and is counted as failed)
   */
  Iterable<? extends Map<String, ?>> apply(Row row) throws Exception;
}
