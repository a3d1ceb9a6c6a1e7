package dev.geneva.examples.udf;

import dev.geneva.udf.ChunkerUdf;
import dev.geneva.udf.Row;
import dev.geneva.udf.UdtfSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A chunker: splits a document's {@code text} into its sentences, one view row each ({@code text}
 * the sentence, {@code passage} its number in the document). The document's text is left out of the
 * view ({@code inheritInputs(false)}), so the sentence can take the name {@code text}.
 */
public class SentenceChunker implements ChunkerUdf {

  @Override
  public UdtfSpec spec() {
    return UdtfSpec.builder()
        .inputs("text")
        .outputs(
            Field.nullable("text", ArrowType.Utf8.INSTANCE),
            Field.nullable("passage", new ArrowType.Int(32, true)))
        .inheritInputs(false)
        .version("1")
        .build();
  }

  @Override
  public Iterable<Map<String, ?>> apply(Row row) {
    List<Map<String, ?>> passages = new ArrayList<>();
    if (row.isNull("text")) {
      return passages;
    }
    for (String sentence : split(row.getString("text"))) {
      passages.add(Map.of("text", sentence, "passage", passages.size()));
    }
    return passages;
  }

  /**
   * The sentences of a text: pieces ending with '.', '!' or '?', trimmed, empty ones dropped.
   *
   * @param text the text
   * @return the sentences
   */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.' || c == '!' || c == '?' || i == text.length() - 1) {
        String s = text.substring(start, i + 1).trim();
        if (!s.isEmpty()) {
          out.add(s);
        }
        start = i + 1;
      }
    }
    return out;
  }
}
