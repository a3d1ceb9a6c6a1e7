package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Checks of UDF declarations against a table's schema, with messages that say how to fix them. */
public final class ColumnChecks {
  private ColumnChecks() {}

  /**
   * Checks that every input exists and that the output column is not among them.
   *
   * @param table the table's name
   * @param schema its schema
   * @param column the output column
   * @param spec the UDF's declaration
   */
  public static void checkInputs(String table, Schema schema, String column, UdfSpec spec) {
    List<String> names = schema.getFields().stream().map(Field::getName).toList();
    for (String input : spec.inputs()) {
      if (input.equals(column)) {
        throw new InvalidInputException(
            "UDF for column '"
                + column
                + "' of table '"
                + table
                + "' uses '"
                + column
                + "' as its own input: a column cannot be computed from itself; read other columns");
      }
      if (!names.contains(input)) {
        String hint = closest(input, names);
        throw new InvalidInputException(
            "UDF for column '"
                + column
                + "' reads input column '"
                + input
                + "', which table '"
                + table
                + "' does not have"
                + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                + "; its columns are "
                + names);
      }
    }
  }

  /**
   * The output types Geneva writes, commits and reads back end to end (the one place that decides;
   * docs/backfill.md lists the same).
   */
  public static final String SUPPORTED_OUTPUTS =
      "int8..int64, uint8..uint64, float32, float64, bool, utf8, large_utf8, binary, large_binary,"
          + " blob (large_binary with lance-encoding:blob, file format 2.1 or newer), timestamp (s,"
          + " ms, us, ns; with or without a zone), date32, date64, decimal128, decimal256; list and"
          + " large_list of those (but blobs and timestamps with a zone); fixed_size_list of int8..uint64, float32 or float64; struct of named,"
          + " distinct fields, each one of those primitive types or a list of one. Nested fields"
          + " must be nullable; only the column itself can be declared not nullable";

  /**
   * Checks that a UDF's declared output is a type Geneva supports and that its nullability fits its
   * error policy, before anything is written.
   *
   * @param column the output column
   * @param udfClass the UDF's class name
   * @param spec the UDF's declaration
   * @throws InvalidInputException naming the column, the type and what is supported
   */
  public static void checkOutput(String column, String udfClass, UdfSpec spec) {
    Field output = spec.output();
    String problem = unsupported(output, Place.COLUMN);
    if (problem != null) {
      throw new InvalidInputException(
          "UDF "
              + udfClass
              + " for column '"
              + column
              + "' declares output type "
              + describe(output)
              + ", which Geneva cannot store: "
              + problem
              + ". Supported: "
              + SUPPORTED_OUTPUTS);
    }
    if (!output.isNullable() && spec.errorPolicy().canSkip()) {
      throw new InvalidInputException(
          "UDF "
              + udfClass
              + " for column '"
              + column
              + "' declares a not-nullable output but an ErrorPolicy that can skip rows, which"
              + " writes null for a failed row: declare the output nullable, or use fail or retry"
              + " rules only");
    }
  }

  /**
   * Tells whether a field is stored with Lance's blob encoding.
   *
   * @param f the field
   * @return true for a large binary field marked {@code lance-encoding:blob}
   */
  public static boolean isBlob(Field f) {
    return f.getType() instanceof ArrowType.LargeBinary
        && f.getMetadata() != null
        && "true".equalsIgnoreCase(f.getMetadata().get(UdfTypes.BLOB_KEY));
  }

  /** Where a field sits: the column itself, a field of a struct column, or a list's item. */
  private enum Place {
    COLUMN,
    STRUCT_FIELD,
    ITEM
  }

  /** Why a field cannot be stored, or null when it can. */
  private static String unsupported(Field f, Place place) {
    if (f.getDictionary() != null) {
      return "dictionary-encoded fields are not supported";
    }
    if (place != Place.COLUMN && !f.isNullable()) {
      return "its nested field '" + f.getName() + "' is not nullable";
    }
    ArrowType t = f.getType();
    if (isBlob(f) && place != Place.COLUMN) {
      return "a blob field '"
          + f.getName()
          + "' inside a nested type (only a column can be a blob)";
    }
    if (isPrimitive(t)) {
      return f.getChildren().isEmpty() ? null : "a primitive type with children";
    }
    if (t instanceof ArrowType.List || t instanceof ArrowType.LargeList) {
      if (place == Place.ITEM) {
        return "nested type " + t + " inside a list";
      }
      if (f.getChildren().size() != 1) {
        return "a list needs exactly one item field";
      }
      Field item = f.getChildren().get(0);
      if (item.getType() instanceof ArrowType.Timestamp ts && ts.getTimezone() != null) {
        // Arrow Java 15 (lance-core's) cannot copy such lists between vectors (ComplexCopier).
        return "list items of type "
            + item.getType()
            + " (a timestamp with a time zone; Arrow Java 15 cannot copy lists of them): use"
            + " timestamp(unit, null) holding UTC wall-clock times";
      }
      return isPrimitive(item.getType())
          ? unsupported(item, Place.ITEM)
          : "list items of type " + item.getType();
    }
    if (t instanceof ArrowType.FixedSizeList fsl) {
      if (place == Place.ITEM) {
        return "nested type " + t + " inside a list";
      }
      if (f.getChildren().size() != 1 || fsl.getListSize() < 1) {
        return "a fixed-size list needs one item field and a size of at least 1";
      }
      Field item = f.getChildren().get(0);
      ArrowType it = item.getType();
      boolean numeric =
          it instanceof ArrowType.Int
              || (it instanceof ArrowType.FloatingPoint p
                  && p.getPrecision() != FloatingPointPrecision.HALF);
      return numeric ? unsupported(item, Place.ITEM) : "fixed-size list items of type " + it;
    }
    if (t instanceof ArrowType.Struct) {
      if (place != Place.COLUMN) {
        return "nested type " + t + " inside a nested type";
      }
      if (f.getChildren().isEmpty()) {
        return "a struct needs at least one field";
      }
      Set<String> names = new HashSet<>();
      for (Field child : f.getChildren()) {
        if (child.getName() == null || child.getName().isBlank() || !names.add(child.getName())) {
          return "struct field names must be distinct and not blank";
        }
        Optional<String> badName = ColumnNames.fieldProblem(child.getName(), "struct field");
        if (badName.isPresent()) {
          return badName.get() + " (field '" + child.getName() + "')";
        }
        String problem = unsupported(child, Place.STRUCT_FIELD);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    if (t instanceof ArrowType.FloatingPoint) {
      return "float16 (Arrow Java 15, which lance-core uses, has no vector for it): use float32";
    }
    return "type " + t + " is not supported yet";
  }

  private static boolean isPrimitive(ArrowType t) {
    return t instanceof ArrowType.Int
        || (t instanceof ArrowType.FloatingPoint p
            && p.getPrecision() != FloatingPointPrecision.HALF)
        || t instanceof ArrowType.Bool
        || t instanceof ArrowType.Utf8
        || t instanceof ArrowType.LargeUtf8
        || t instanceof ArrowType.Binary
        || t instanceof ArrowType.LargeBinary
        || t instanceof ArrowType.Timestamp
        || t instanceof ArrowType.Date
        || t instanceof ArrowType.Decimal;
  }

  private static String describe(Field f) {
    StringBuilder b = new StringBuilder(String.valueOf(f.getType()));
    if (!f.getChildren().isEmpty()) {
      b.append('<');
      for (int i = 0; i < f.getChildren().size(); i++) {
        Field c = f.getChildren().get(i);
        b.append(i == 0 ? "" : ", ").append(c.getName()).append(": ").append(describe(c));
      }
      b.append('>');
    }
    return b.toString();
  }

  /**
   * Tells whether two fields have the same type, children included.
   *
   * @param a one field
   * @param b another
   * @return true when the types match
   */
  public static boolean sameType(Field a, Field b) {
    if (!a.getType().equals(b.getType()) || a.getChildren().size() != b.getChildren().size()) {
      return false;
    }
    for (int i = 0; i < a.getChildren().size(); i++) {
      if (!sameType(a.getChildren().get(i), b.getChildren().get(i))) {
        return false;
      }
    }
    return true;
  }

  private static String closest(String name, List<String> candidates) {
    return candidates.stream()
        .filter(c -> distance(c.toLowerCase(), name.toLowerCase()) <= 2)
        .min(Comparator.comparingInt(c -> distance(c.toLowerCase(), name.toLowerCase())))
        .orElse(null);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
