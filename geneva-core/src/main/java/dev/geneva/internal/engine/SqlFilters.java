package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;

/**
 * Checks that a SQL filter is one expression before Geneva combines it with other conditions.
 *
 * <p>Lance parses a filter as {@code SELECT 1 FROM t WHERE <filter>} and ignores whatever follows
 * the first complete statement, so {@code "id = 1) OR (id = 2"} counts as {@code id = 1} alone and
 * turns {@code range AND (<filter>)} into {@code (range AND id = 1) OR id = 2}. This check scans
 * the filter the way Lance's tokenizer does ({@code '...'} and {@code "..."} are strings, {@code
 * `...`} is a name, a doubled quote stands for itself) and refuses unbalanced parentheses, unclosed
 * quotes, {@code ;} and comments outside quotes. A filter that passes is then used as {@link
 * #wrap(String) (filter)}, which Lance parses as one parenthesized expression and rejects if
 * anything follows it (such as {@code LIMIT 5}).
 */
public final class SqlFilters {
  private SqlFilters() {}

  /**
   * Refuses a filter that is not a single balanced expression.
   *
   * @param what what the filter is, for the message, such as {@code "BackfillOptions.where"}
   * @param filter the filter
   * @throws InvalidInputException naming the filter, the position (1-based) and the problem
   */
  public static void check(String what, String filter) {
    if (filter == null || filter.isBlank()) {
      throw new InvalidInputException(
          what + " is blank: pass a SQL predicate such as \"id < 1000\"");
    }
    int depth = 0;
    int lastOpen = -1;
    int i = 0;
    while (i < filter.length()) {
      char c = filter.charAt(i);
      switch (c) {
        case '\'', '"', '`' -> {
          int close = closingQuote(filter, i);
          if (close < 0) {
            throw refuse(
                what,
                filter,
                i,
                (c == '`' ? "the name quoted with ` here is" : "the string starting here is")
                    + " never closed; close it with "
                    + c
                    + " (write "
                    + c
                    + c
                    + " for a "
                    + c
                    + " inside it)");
          }
          i = close + 1;
          continue;
        }
        case '(' -> {
          if (depth == 0) {
            lastOpen = i;
          }
          depth++;
        }
        case ')' -> {
          if (depth == 0) {
            throw refuse(
                what,
                filter,
                i,
                "this ')' closes a parenthesis that was never opened; the filter must be one"
                    + " expression with balanced parentheses, e.g. \"(id = 1) OR (id = 2)\"");
          }
          depth--;
        }
        case ';' ->
            throw refuse(
                what,
                filter,
                i,
                "';' is not allowed: a filter is one SQL expression, not statements");
        case '-' -> {
          if (i + 1 < filter.length() && filter.charAt(i + 1) == '-') {
            throw refuse(
                what,
                filter,
                i,
                "SQL comments ('--') are not allowed in a filter: remove the comment");
          }
        }
        case '/' -> {
          if (i + 1 < filter.length() && filter.charAt(i + 1) == '*') {
            throw refuse(
                what,
                filter,
                i,
                "SQL comments ('/* */') are not allowed in a filter: remove the comment");
          }
        }
        default -> {}
      }
      i++;
    }
    if (depth > 0) {
      throw refuse(
          what,
          filter,
          lastOpen,
          "this '(' is never closed ("
              + depth
              + " parenthes"
              + (depth == 1 ? "is" : "es")
              + " left open); the filter must be one expression with balanced parentheses");
    }
  }

  /**
   * The filter in parentheses, so that Lance parses it as one expression and it combines safely
   * with {@code AND}. Call {@link #check(String, String)} first.
   *
   * @param filter a checked filter
   * @return {@code "(" + filter + ")"}
   */
  public static String wrap(String filter) {
    return "(" + filter + ")";
  }

  /** The index of the quote closing the one at {@code open}, or -1; a doubled quote is escaped. */
  private static int closingQuote(String s, int open) {
    char q = s.charAt(open);
    int i = open + 1;
    while (i < s.length()) {
      if (s.charAt(i) == q) {
        if (i + 1 < s.length() && s.charAt(i + 1) == q) {
          i += 2;
          continue;
        }
        return i;
      }
      i++;
    }
    return -1;
  }

  private static InvalidInputException refuse(
      String what, String filter, int index, String problem) {
    return new InvalidInputException(
        what
            + " \""
            + filter
            + "\" is not a single SQL expression: at position "
            + (index + 1)
            + " ('"
            + excerpt(filter, index)
            + "'): "
            + problem);
  }

  /** A few characters from {@code index} on, for the message. */
  private static String excerpt(String s, int index) {
    int end = Math.min(s.length(), index + 12);
    return s.substring(index, end).replace("\n", "\\n") + (end < s.length() ? "..." : "");
  }
}
