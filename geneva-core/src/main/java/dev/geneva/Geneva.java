package dev.geneva;

import java.nio.file.FileSystems;
import java.nio.file.Path;
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
   * Connects to a database: a local path (absolute or relative to the working directory), a {@code
   * file:} URI ({@code file:/data/db}, {@code file:///data/db}, {@code file://localhost/data/db},
   * percent-encoded as {@link Path#toUri()} gives it), or an object store URI: {@code
   * s3://bucket/db}, {@code gs://bucket/db}, {@code az://container/db}. Connecting creates nothing:
   * a missing local directory is created with the first table ({@link Connection#createTable}) or
   * job record, and reads of a missing database see no tables, so a mistyped path leaves no trace.
   * Credentials in the URI (user info, query values such as a SAS {@code sig}) are shown as {@code
   * ***} in {@code toString()}, messages and logs; prefer storage options for them.
   *
   * @param uri where the tables live
   * @return the connection; close it when done
   * @throws InvalidInputException for a malformed or unsupported location, such as {@code
   *     file://relative/dir} (a host, not a path), {@code s3//bucket} or {@code hdfs://...}
   */
  public static Connection connect(String uri) {
    return connect(uri, ConnectOptions.defaults());
  }

  /**
   * Connects to a database in a local directory (created with the first table).
   *
   * @param dir the directory, absolute or relative to the working directory
   * @return the connection; close it when done
   * @throws InvalidInputException when the path belongs to another file system than the default one
   *     (a zip file, an in-memory file system): Lance reads only real files
   */
  public static Connection connect(Path dir) {
    return connect(dir, ConnectOptions.defaults());
  }

  /**
   * Connects to a database in a local directory with options.
   *
   * @param dir the directory, absolute or relative to the working directory
   * @param options storage options and executor
   * @return the connection; close it when done
   * @throws InvalidInputException when the path is not on the default file system
   */
  public static Connection connect(Path dir, ConnectOptions options) {
    if (dir == null) {
      throw new InvalidInputException("Geneva.connect needs a directory, got a null Path");
    }
    if (dir.getFileSystem() != FileSystems.getDefault()) {
      throw new InvalidInputException(
          "Geneva.connect: "
              + dir.toUri()
              + " is not on the default file system; Lance reads only real files: pass a directory"
              + " on disk or an s3://, gs:// or az:// URI");
    }
    return connect(dir.toAbsolutePath().toString(), options);
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
    if (options == null) {
      throw new InvalidInputException(
          "Geneva.connect: the options are null; pass ConnectOptions.defaults() or build them with"
              + " ConnectOptions.builder()");
    }
    return new Connection(uri, options);
  }
}
