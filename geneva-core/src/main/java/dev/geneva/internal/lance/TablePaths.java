package dev.geneva.internal.lance;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

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

  /**
   * The local file a path or URI names, for plain paths and {@code file:} URIs.
   *
   * @param uri a path or URI
   * @return the local path; empty for object stores and other schemes
   */
  public static Optional<Path> localPath(String uri) {
    if (uri.startsWith("file:")) {
      return Optional.of(Paths.get(URI.create(uri)));
    }
    return uri.contains("://") ? Optional.empty() : Optional.of(Paths.get(uri));
  }

  /**
   * Deletes a file of the table when it is on a local disk; lance-core's Java API cannot delete a
   * single object in an object store, so elsewhere this does nothing.
   *
   * @param path the file's full path or URI
   * @throws IOException when a local file exists but cannot be deleted
   */
  public static void deleteIfLocal(String path) throws IOException {
    Optional<Path> local = localPath(path);
    if (local.isPresent()) {
      Files.deleteIfExists(local.get());
    }
  }
}
