package dev.geneva.ray.jobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.geneva.GenevaException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one Jackson mapper of the Ray Jobs client: unknown fields are ignored everywhere. */
public final class Json {
  /** The shared mapper. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Json() {}

  /**
   * Parses a JSON document.
   *
   * @param text the document
   * @param what what it is, for the error message
   * @return the tree
   */
  public static JsonNode parse(String text, String what) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new GenevaException(
          "cannot parse "
              + what
              + " as JSON: "
              + e.getOriginalMessage()
              + "; got: "
              + excerpt(text),
          e);
    }
  }

  /**
   * Writes a tree as compact JSON.
   *
   * @param node the tree
   * @return the text
   */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new GenevaException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A new empty object.
   *
   * @return the object
   */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /**
   * A text field, or null when missing or JSON null.
   *
   * @param node the object
   * @param field the field
   * @return the text or null
   */
  public static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * A number field as a long, or null when missing or JSON null.
   *
   * @param node the object
   * @param field the field
   * @return the value or null
   */
  public static Long longValue(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asLong();
  }

  /**
   * An object field of string values (non-strings are converted to their JSON text).
   *
   * @param node the object
   * @param field the field
   * @return the map, empty when missing
   */
  public static Map<String, String> stringMap(JsonNode node, String field) {
    Map<String, String> map = new LinkedHashMap<>();
    JsonNode v = node.get(field);
    if (v != null && v.isObject()) {
      v.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    }
    return map;
  }

  /**
   * An object field converted to plain Java maps, lists and values.
   *
   * @param node the object
   * @param field the field
   * @return the map, empty when missing
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> objectMap(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isObject()) {
      return Map.of();
    }
    return MAPPER.convertValue(v, LinkedHashMap.class);
  }

  /**
   * The start of a text, for error messages.
   *
   * @param text the text
   * @return at most 300 characters of it
   */
  public static String excerpt(String text) {
    if (text == null) {
      return "";
    }
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
