package dev.geneva.internal.engine;

/** Quoting of column names in Lance SQL filters. */
public final class SqlNames {
  private SqlNames() {}

  /**
   * Quotes a column name with backticks, doubling any backtick inside it.
   *
   * @param column the name
   * @return the quoted name
   */
  public static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
