package dev.geneva.ray.jobs;

import dev.geneva.BackfillOptions;
import dev.geneva.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The command-line arguments of the Ray job driver ({@value EntrypointBuilder#DRIVER_CLASS}) in its
 * view refresh mode: {@value #MODE}, the view table's URI, the source version to refresh to (latest
 * when absent) and the options of the UDF columns' backfills that travel, as for {@link DriverArgs}
 * (no {@code --where}: a refresh backfills the new rows). The driver runs the whole refresh (UDTF
 * expansion and UDF columns) with the cluster's Ray and prints a {@code GENEVA_REFRESH_RESULT}
 * line.
 *
 * @param viewUri the view table's URI ({@code <database>/<name>.lance})
 * @param sourceVersion the source version to refresh to, or empty for the latest
 * @param options the backfill options
 */
public record RefreshArgs(String viewUri, OptionalLong sourceVersion, BackfillOptions options) {
  /** The first argument that selects the refresh mode. */
  public static final String MODE = "--refresh-view";

  /**
   * Checks the values.
   *
   * @param viewUri the view table's URI ({@code <database>/<name>.lance})
   * @param sourceVersion the source version to refresh to, or empty for the latest
   * @param options the backfill options
   */
  public RefreshArgs {
    // The same URI rules as a backfill's table; the column is not used.
    try {
      new DriverArgs(viewUri, "-", options);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(
          "the refresh driver needs a view URI such as s3://bucket/db/passages.lance, got "
              + viewUri,
          e);
    }
    if (sourceVersion == null) {
      sourceVersion = OptionalLong.empty();
    }
    if (options == null) {
      options = BackfillOptions.defaults();
    }
  }

  /**
   * Whether the driver's arguments select the refresh mode.
   *
   * @param args the driver's arguments
   * @return true when the first is {@value #MODE}
   */
  public static boolean isRefresh(String[] args) {
    return args != null && args.length > 0 && MODE.equals(args[0]);
  }

  /**
   * The database the view lives in.
   *
   * @return the database URI
   */
  public String databaseUri() {
    return new DriverArgs(viewUri, "-", options).databaseUri();
  }

  /**
   * The view's name.
   *
   * @return the name
   */
  public String viewName() {
    return new DriverArgs(viewUri, "-", options).tableName();
  }

  /**
   * The arguments, in the order {@link #parse} reads them.
   *
   * @return the arguments
   */
  public List<String> toArgs() {
    List<String> a = new ArrayList<>(List.of(MODE, viewUri));
    sourceVersion.ifPresent(v -> a.addAll(List.of("--source-version", Long.toString(v))));
    a.addAll(DriverArgs.optionArgs(options));
    return a;
  }

  /**
   * Reads the refresh mode's arguments.
   *
   * @param args {@value #MODE}, the view URI, then {@code --name value} options
   * @return the parsed arguments
   * @throws InvalidInputException naming the bad argument
   */
  public static RefreshArgs parse(String[] args) {
    if (!isRefresh(args) || args.length < 2) {
      throw new InvalidInputException(
          "usage: BackfillDriver "
              + MODE
              + " <view uri> [--source-version N] [--concurrency N] [--batch-size N]"
              + " [--rows-per-task N] [--commit-every N] [--commit-interval-ms N]"
              + " [--max-commit-attempts N] [--job-id ID] [--cluster NAMESPACE/NAME]");
    }
    OptionalLong version = OptionalLong.empty();
    String[] rest = Arrays.copyOfRange(args, 2, args.length);
    if (rest.length >= 1 && rest[0].equals("--source-version")) {
      if (rest.length < 2) {
        throw new InvalidInputException("option --source-version needs a value");
      }
      try {
        version = OptionalLong.of(Long.parseLong(rest[1]));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("--source-version needs a number, got '" + rest[1] + "'");
      }
      rest = Arrays.copyOfRange(rest, 2, rest.length);
    }
    return new RefreshArgs(args[1], version, DriverArgs.options(rest, 0).build());
  }
}
