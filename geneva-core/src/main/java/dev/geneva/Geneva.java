package dev.geneva;

import java.util.Map;

/**
 * The entry point: connects to a directory of Lance tables.
 *
 * <pre>{@code
 * try (Connection db = Geneva.connect("/data/db")) {
 *   Table t = db.openTable("docs");
 *   t.addColumns(Map.of("len", new TextLength()));
 *   t.backfill("len");
 * }
 * }</pre>
 */
public final class Geneva {
  private Geneva() {}

  /**
   * Connects to a database: a local path, a {@code file://}, {@code s3://} or {@code gs://} URI.
   *
   * @param uri where the tables live
   * @return the connection; close it when done
   */
  public static Connection connect(String uri) {
    return connect(uri, ConnectOptions.defaults());
  }

  /**
   * Connects with Lance storage options (credentials, region, endpoint).
   *
   * @param uri where the tables live
   * @param storageOptions options passed to Lance
   * @return the connection; close it when done
   */
  public static Connection connect(String uri, Map<String, String> storageOptions) {
    return connect(uri, ConnectOptions.builder().storageOptions(storageOptions).build());
  }

  /**
   * Connects with options.
   *
   * @param uri where the tables live
   * @param options storage options and executor
   * @return the connection; close it when done
   */
  public static Connection connect(String uri, ConnectOptions options) {
    return new Connection(uri, options);
  }
}
