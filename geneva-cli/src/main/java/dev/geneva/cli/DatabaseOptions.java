package dev.geneva.cli;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --db URI} and {@code --storage-option KEY=VALUE}: the database a command reads. */
public final class DatabaseOptions {
  @Option(
      names = "--db",
      required = true,
      paramLabel = "URI",
      description = "The database (a directory, s3://... or gs://...).")
  String db;

  @Option(
      names = "--storage-option",
      paramLabel = "KEY=VALUE",
      description = "A Lance storage option (repeatable), e.g. aws_region=us-east-1.")
  Map<String, String> storageOptions = new LinkedHashMap<>();

  /** Creates the options (picocli fills them). */
  public DatabaseOptions() {}

  /**
   * Connects to the database; the caller closes the connection. For commands that write (define,
   * backfill): a new local database is created with what they write.
   *
   * @return the connection
   */
  Connection connect() {
    return Geneva.connect(db, storageOptions);
  }

  /**
   * Connects to a database that must exist, for commands that only read it (or drop from it).
   *
   * @return the connection; the caller closes it
   * @throws InvalidInputException when there is no database at {@code --db}
   */
  Connection connectExisting() {
    return connectExisting(db, storageOptions);
  }

  /**
   * Connects to a database that must exist, so that a mistyped {@code --db} of a read-only command
   * is an error (exit code 2) rather than an empty listing. Nothing is created either way.
   *
   * @param db the {@code --db} value
   * @param storageOptions the {@code --storage-option} values
   * @return the connection; the caller closes it
   * @throws InvalidInputException when there is no database at {@code db}
   */
  static Connection connectExisting(String db, Map<String, String> storageOptions) {
    Connection conn = Geneva.connect(db, storageOptions);
    try {
      if (!exists(conn)) {
        throw new InvalidInputException(
            "no Geneva database at "
                + Redaction.uri(conn.uri())
                + (isLocal(conn) ? " (no such directory)" : " (no tables or Geneva records there)")
                + "; check the path given with --db");
      }
      return conn;
    } catch (RuntimeException e) {
      try {
        conn.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private static boolean isLocal(Connection conn) {
    return !conn.uri().contains("://");
  }

  /** A local directory exists; an object store prefix holds a table or a Geneva record. */
  private static boolean exists(Connection conn) {
    if (isLocal(conn)) {
      return Files.isDirectory(Path.of(conn.uri()));
    }
    return !conn.tableNames().isEmpty()
        || !conn.packages().isEmpty()
        || !conn.clusters().isEmpty()
        || !conn.jobs().isEmpty();
  }
}
