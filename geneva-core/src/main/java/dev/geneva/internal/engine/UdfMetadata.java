package dev.geneva.internal.engine;

import dev.geneva.udf.UdfSpec;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The UDF declaration stored in an output field's Arrow metadata. The stored field is always
 * nullable (the column starts all null); {@code nullable} records whether the UDF declared its
 * output nullable, which the backfill enforces on the values it writes.
 */
public record UdfMetadata(String udfClass, String version, List<String> inputs, boolean nullable) {

  static final String CLASS = "geneva.udf.class";
  static final String VERSION = "geneva.udf.version";
  static final String INPUTS = "geneva.udf.inputs";
  static final String NULLABLE = "geneva.udf.nullable";

  /**
   * Builds the metadata for a UDF instance.
   *
   * @param udfClass the class name
   * @param spec its declaration
   * @return the metadata
   */
  public static UdfMetadata of(String udfClass, UdfSpec spec) {
    return new UdfMetadata(udfClass, spec.version(), spec.inputs(), spec.output().isNullable());
  }

  /**
   * The Arrow field metadata of a new UDF column: the declaration, and the Lance encoding keys
   * ({@code lance-encoding:*}, e.g. a blob's) of the declared output.
   *
   * @param udfClass the class name
   * @param spec its declaration
   * @return the key-value pairs
   */
  public static Map<String, String> fieldMetadata(String udfClass, UdfSpec spec) {
    Map<String, String> m = new LinkedHashMap<>(lanceEncoding(spec.output().getMetadata()));
    m.putAll(of(udfClass, spec).toFieldMetadata());
    return m;
  }

  /**
   * The Lance encoding keys ({@code lance-encoding:*}) of a field's metadata, which the data files
   * written for the column must carry.
   *
   * @param fieldMetadata the field's metadata (may be null)
   * @return those keys and their values
   */
  public static Map<String, String> lanceEncoding(Map<String, String> fieldMetadata) {
    Map<String, String> m = new LinkedHashMap<>();
    if (fieldMetadata != null) {
      fieldMetadata.forEach(
          (k, v) -> {
            if (k.startsWith("lance-encoding:")) {
              m.put(k, v);
            }
          });
    }
    return m;
  }

  /**
   * Encodes as Arrow field metadata.
   *
   * @return the key-value pairs
   */
  public Map<String, String> toFieldMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CLASS, udfClass);
    m.put(VERSION, version);
    m.put(INPUTS, encodeNames(inputs));
    m.put(NULLABLE, String.valueOf(nullable));
    return m;
  }

  /**
   * Reads the metadata back from a field.
   *
   * @param fieldMetadata the field's metadata (may be null)
   * @return the declaration, or empty for a column without a UDF
   */
  public static Optional<UdfMetadata> from(Map<String, String> fieldMetadata) {
    if (fieldMetadata == null || !fieldMetadata.containsKey(CLASS)) {
      return Optional.empty();
    }
    String inputs = fieldMetadata.getOrDefault(INPUTS, "");
    return Optional.of(
        new UdfMetadata(
            fieldMetadata.get(CLASS),
            fieldMetadata.getOrDefault(VERSION, "1"),
            decodeNames(inputs),
            !"false".equals(fieldMetadata.get(NULLABLE))));
  }

  /**
   * Encodes column names as one metadata value: URL-encoded, comma-separated.
   *
   * @param names the names
   * @return the value
   */
  public static String encodeNames(List<String> names) {
    return String.join(
        ",", names.stream().map(c -> URLEncoder.encode(c, StandardCharsets.UTF_8)).toList());
  }

  /**
   * Decodes a value written by {@link #encodeNames(List)}.
   *
   * @param value the value
   * @return the names
   */
  public static List<String> decodeNames(String value) {
    return value.isEmpty()
        ? List.of()
        : Arrays.stream(value.split(","))
            .map(c -> URLDecoder.decode(c, StandardCharsets.UTF_8))
            .toList();
  }
}
