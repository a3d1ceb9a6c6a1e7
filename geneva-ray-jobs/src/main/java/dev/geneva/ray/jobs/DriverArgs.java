package dev.geneva.ray.jobs;

import dev.geneva.BackfillOptions;
import dev.geneva.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The command-line arguments of the Ray job driver ({@value EntrypointBuilder#DRIVER_CLASS}, in
 * geneva-ray): the table URI, the column and the options that travel (where, concurrency, batch
 * size, rows per task, commit batching). Listeners and executors stay in the client; storage
 * options never go on the command line but in the environment ({@value #STORAGE_OPTIONS_ENV} or a
 * file named by {@value #STORAGE_OPTIONS_FILE_ENV}). The client encodes them ({@link #toArgs()}),
 * the driver decodes them ({@link #parse(String[])}); the constants here are the rest of the
 * contract between the two.
 *
 * @param tableUri the table's URI ({@code <database>/<name>.lance})
 * @param column the column to backfill
 * @param options the options
 */
public record DriverArgs(String tableUri, String column, BackfillOptions options) {
  /** Environment variable holding Lance storage options as a JSON object. */
  public static final String STORAGE_OPTIONS_ENV = "GENEVA_STORAGE_OPTIONS";

  /** Environment variable naming a file that holds Lance storage options as a JSON object. */
  public static final String STORAGE_OPTIONS_FILE_ENV = "GENEVA_STORAGE_OPTIONS_FILE";

  /** The driver's exit code for a backfill that failed. */
  public static final int EXIT_FAILED = 1;

  /**
   * The driver's system property naming the custom resource of the cluster's CPU-only workers,
   * which Ray work without GPUs then asks for (set by geneva-k8s, read by geneva-ray).
   */
  public static final String CPU_ONLY_RESOURCE_PROPERTY = "geneva.ray.cpuOnlyResource";

  /** The driver's exit code for arguments that cannot work. */
  public static final int EXIT_USAGE = 2;

  /** The driver's exit code after the job was stopped (SIGTERM, as {@code 128 + 15}). */
  public static final int EXIT_STOPPED = 143;

  private static final String SUFFIX = ".lance";

  /**
   * Checks the values.
   *
   * @param tableUri the table's URI ({@code <database>/<name>.lance})
   * @param column the column to backfill
   * @param options the options
   */
  public DriverArgs {
    if (tableUri == null || !tableUri.endsWith(SUFFIX) || tableUri.lastIndexOf('/') < 1) {
      throw new InvalidInputException(
          "the backfill driver needs a table URI such as s3://bucket/db/docs.lance, got "
              + dev.geneva.internal.lance.UriRedaction.redact(tableUri));
    }
    if (column == null || column.isBlank()) {
      throw new InvalidInputException("the backfill driver needs a column name");
    }
    if (options == null) {
      options = BackfillOptions.defaults();
    }
  }

  /**
   * The database the table lives in: the table URI without its last segment.
   *
   * @return the database URI
   */
  public String databaseUri() {
    return tableUri.substring(0, tableUri.lastIndexOf('/'));
  }

  /**
   * The table's name: the last segment of its URI without {@code .lance}.
   *
   * @return the name
   */
  public String tableName() {
    String last = tableUri.substring(tableUri.lastIndexOf('/') + 1);
    return last.substring(0, last.length() - SUFFIX.length());
  }

  /**
   * The arguments, in the order {@link #parse} reads them.
   *
   * @return the arguments
   */
  public List<String> toArgs() {
    List<String> a = new ArrayList<>(List.of(tableUri, column));
    a.addAll(optionArgs(options));
    return a;
  }

  /** The options' arguments, as {@link #options(String[], int)} reads them. */
  static List<String> optionArgs(BackfillOptions options) {
    List<String> a = new ArrayList<>();
    options.where().ifPresent(w -> a.addAll(List.of("--where", w)));
    a.addAll(List.of("--concurrency", Integer.toString(options.concurrency())));
    a.addAll(List.of("--batch-size", Integer.toString(options.batchSize())));
    if (options.rowsPerTask() != Long.MAX_VALUE) {
      a.addAll(List.of("--rows-per-task", Long.toString(options.rowsPerTask())));
    }
    options.commitEvery().ifPresent(n -> a.addAll(List.of("--commit-every", Integer.toString(n))));
    a.addAll(List.of("--commit-interval-ms", Long.toString(options.commitInterval().toMillis())));
    a.addAll(List.of("--max-commit-attempts", Integer.toString(options.maxCommitAttempts())));
    options.jobId().ifPresent(id -> a.addAll(List.of("--job-id", id)));
    options.cluster().ifPresent(c -> a.addAll(List.of("--cluster", c)));
    return a;
  }

  /**
   * Reads the driver's arguments.
   *
   * @param args table URI, column, then {@code --name value} options
   * @return the parsed arguments
   * @throws InvalidInputException naming the bad argument
   */
  public static DriverArgs parse(String[] args) {
    if (args == null || args.length < 2) {
      throw new InvalidInputException(
          "usage: BackfillDriver <table uri> <column> [--where SQL] [--concurrency N]"
              + " [--batch-size N] [--rows-per-task N] [--commit-every N]"
              + " [--commit-interval-ms N] [--max-commit-attempts N] [--job-id ID]"
              + " [--cluster NAMESPACE/NAME]");
    }
    return new DriverArgs(args[0], args[1], options(args, 2).build());
  }

  /**
   * Reads {@code --name value} options from {@code args[from]} on.
   *
   * @throws InvalidInputException naming the bad argument
   */
  static BackfillOptions.Builder options(String[] args, int from) {
    BackfillOptions.Builder b = BackfillOptions.builder();
    for (int i = from; i < args.length; i += 2) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw new InvalidInputException("option " + name + " needs a value");
      }
      String value = args[i + 1];
      switch (name) {
        case "--where" -> b.where(value);
        case "--concurrency" -> b.concurrency(integer(name, value));
        case "--batch-size" -> b.batchSize(integer(name, value));
        case "--rows-per-task" -> b.rowsPerTask(longValue(name, value));
        case "--commit-every" -> b.commitEvery(integer(name, value));
        case "--commit-interval-ms" ->
            b.commitInterval(java.time.Duration.ofMillis(longValue(name, value)));
        case "--max-commit-attempts" -> b.maxCommitAttempts(integer(name, value));
        case "--job-id" -> b.jobId(value);
        case "--cluster" -> b.cluster(value);
        default -> throw new InvalidInputException("unknown option " + name);
      }
    }
    return b;
  }

  private static int integer(String name, String value) {
    return (int) Math.min(Integer.MAX_VALUE, longValue(name, value));
  }

  private static long longValue(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(name + " needs a number, got '" + value + "'");
    }
  }
}
