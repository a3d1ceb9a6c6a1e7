package dev.geneva.testing;

import dev.geneva.udf.ChunkerUdf;
import dev.geneva.udf.Row;
import dev.geneva.udf.UdtfSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Splits {@code text} into pieces of {@link #SIZE} characters ({@code chunk}, {@code chunk_index});
 * null text gives no rows. Throws for ids in {@link Faults#FAILING_IDS}.
 */
public class TextChunker implements ChunkerUdf {
  public static final int SIZE = 5;

  /** The independent computation the tests compare with. */
  public static List<String> expected(String text) {
    List<String> pieces = new ArrayList<>();
    if (text != null) {
      for (int i = 0; i < text.length(); i += SIZE) {
        pieces.add(text.substring(i, Math.min(text.length(), i + SIZE)));
      }
    }
    return pieces;
  }

  @Override
  public UdtfSpec spec() {
    return UdtfSpec.builder()
        .inputs("id", "text")
        .outputs(
            Field.nullable("chunk", ArrowType.Utf8.INSTANCE),
            Field.nullable("chunk_index", new ArrowType.Int(32, true)))
        .inheritInputs(true)
        .build();
  }

  @Override
  public Iterable<Map<String, ?>> apply(Row row) {
    Faults.maybeFail(row.getLong("id"));
    String text = row.isNull("text") ? null : row.getString("text");
    List<Map<String, ?>> out = new ArrayList<>();
    List<String> pieces = expected(text);
    for (int i = 0; i < pieces.size(); i++) {
      out.add(Map.of("chunk", pieces.get(i), "chunk_index", i));
    }
    return out;
  }
}
