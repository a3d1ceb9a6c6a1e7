package dev.geneva.internal.lance;

/** Paths inside a Lance table, for any URI scheme Lance accepts. */
public final class TablePaths {
  private TablePaths() {}

  /**
   * A path below the table's root.
   *
   * @param tableUri the table's URI, with or without a trailing slash
   * @param relative a path relative to the root, such as {@code data/x.lance}
   * @return the joined path
   */
  public static String resolve(String tableUri, String relative) {
    String root = tableUri.endsWith("/") ? tableUri.substring(0, tableUri.length() - 1) : tableUri;
    return root + "/" + relative;
  }

  /**
   * A data file of the table.
   *
   * @param tableUri the table's URI
   * @param fileName the file's name as a fragment's {@code DataFile} records it
   * @return the file's full path
   */
  public static String dataFile(String tableUri, String fileName) {
    return resolve(tableUri, "data/" + fileName);
  }
}
