package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;
import dev.geneva.udf.UdfSpec;
import java.util.Comparator;
import java.util.List;
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
