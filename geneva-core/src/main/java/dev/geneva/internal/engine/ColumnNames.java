package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks column names before they reach Lance, which accepts some names it cannot read back: its
 * own system columns ({@code _rowid} makes every later scan panic), names with a backtick (the
 * column cannot be projected any more) and names with a dot (Lance reads them as a path into a
 * struct).
 */
public final class ColumnNames {
  /**
   * Names Lance 0.39 gives its virtual columns ({@code lance_core::is_system_column}) and its
   * search results ({@code _distance} of vector search, {@code _score} of full-text search), with
   * what each one is.
   */
  private static final Map<String, String> RESERVED =
      Map.of(
          "_rowid", "Lance's row id",
          "_rowaddr", "Lance's row address",
          "_rowoffset", "Lance's row offset",
          "_row_created_at_version", "the version that created a row",
          "_row_last_updated_at_version", "the version that last updated a row",
          "_distance", "the distance column of Lance's vector search",
          "_score", "the score column of Lance's full-text search");

  private ColumnNames() {}

  /**
   * Tells why Lance cannot hold a column of this name, if it cannot.
   *
   * @param name the name
   * @return the reason, or empty when the name is fine
   */
  public static Optional<String> problem(String name) {
    if (name == null || name.isBlank()) {
      return Optional.of("a column name cannot be empty or blank");
    }
    String meaning = RESERVED.get(name.toLowerCase(Locale.ROOT));
    if (meaning != null) {
      return Optional.of(
          "Lance reserves '"
              + name.toLowerCase(Locale.ROOT)
              + "' (in any letter case) for "
              + meaning
              + ": a column of that name breaks scans and filters");
    }
    return fieldProblem(name, "column");
  }

  /**
   * Tells why a name cannot be read back as a column or as a field inside a struct column: the
   * characters Lance's paths and SQL give a meaning to.
   *
   * @param name a name that is not blank
   * @param what what the name is, for the message: {@code "column"} or {@code "struct field"}
   * @return the reason, or empty when the name is fine
   */
  public static Optional<String> fieldProblem(String name, String what) {
    if (name.indexOf('`') >= 0) {
      return Optional.of(
          "a backtick cannot be part of a " + what + " name: Lance cannot read it back");
    }
    if (name.indexOf('.') >= 0) {
      return Optional.of(
          "a dot cannot be part of a "
              + what
              + " name: Lance reads 'a.b' as field 'b' of struct 'a'");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        return Optional.of(
            String.format(
                "control character U+%04X at position %d cannot be part of a %s name",
                (int) name.charAt(i), i + 1, what));
      }
    }
    return Optional.empty();
  }

  /**
   * Refuses a name Lance cannot hold as a column.
   *
   * @param context what is being done, for the message, such as {@code "addColumns"}
   * @param name the name
   * @param advice what to do instead, ending the message
   * @throws InvalidInputException naming the column, why it is refused and what to do
   */
  public static void check(String context, String name, String advice) {
    problem(name)
        .ifPresent(
            why -> {
              throw new InvalidInputException(
                  context
                      + ": column name "
                      + (name == null ? "null" : "'" + printable(name) + "'")
                      + " is refused: "
                      + why
                      + ". "
                      + advice);
            });
  }

  /**
   * Refuses a name for a new column, advising another name.
   *
   * @param context what is being done, for the message, such as {@code "addColumns"}
   * @param name the name
   * @throws InvalidInputException naming the column, why it is refused and what to do
   */
  public static void checkNew(String context, String name) {
    check(
        context,
        name,
        "Choose another name, for example one of letters, digits and '_' such as 'row_number'");
  }

  /**
   * Refuses a new column whose name equals an existing one, or differs from it only in letter case:
   * Lance keeps both, but its SQL filters read an unquoted name in lower case, so {@code
   * where("Text IS NULL")} would silently test {@code text}.
   *
   * @param context what is being done, for the message, such as {@code "addColumns"}
   * @param existing the names already there (or added before in the same call)
   * @param name the new name
   * @throws InvalidInputException naming both columns and what to do
   */
  public static void checkDistinct(String context, Iterable<String> existing, String name) {
    for (String other : existing) {
      if (other.equals(name)) {
        throw new InvalidInputException(
            context
                + ": a column '"
                + printable(name)
                + "' already exists: choose another name (or backfill the existing column)");
      }
      if (other.equalsIgnoreCase(name)) {
        throw new InvalidInputException(
            context
                + ": column name '"
                + printable(name)
                + "' differs from the existing column '"
                + printable(other)
                + "' only in letter case. Lance's SQL filters read unquoted names in lower case,"
                + " so a filter such as \""
                + printable(name)
                + " IS NULL\" could test the other column. Choose a name that differs in more than"
                + " case");
      }
    }
  }

  /** The name with control characters shown as escapes, so a message stays on one line. */
  private static String printable(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
