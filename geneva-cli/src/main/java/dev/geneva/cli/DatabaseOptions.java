package dev.geneva.cli;

import dev.geneva.Connection;
import dev.geneva.Geneva;
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
   * Connects to the database; the caller closes the connection.
   *
   * @return the connection
   */
  Connection connect() {
    return Geneva.connect(db, storageOptions);
  }
}
