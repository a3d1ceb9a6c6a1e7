package dev.geneva.ray.driver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.geneva.BackfillJob;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshJob;
import dev.geneva.RefreshOptions;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.ray.RayExecutor;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.EntrypointBuilder;
import dev.geneva.ray.jobs.RefreshArgs;
import dev.geneva.ray.jobs.internal.DriverLines;
import dev.geneva.ray.jobs.internal.Json;
import dev.geneva.spi.BackfillExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The main class of a backfill Ray job: runs inside the job's entrypoint on a Ray node, connects to
 * the cluster in CLUSTER mode, and runs the same engine as a local backfill with Ray tasks.
 *
 * <pre>
 * java --add-opens=... -cp '*:$RAY_DIST_JAR' -Dray.address=$RAY_ADDRESS \
 *     dev.geneva.ray.driver.BackfillDriver &lt;table uri&gt; &lt;column&gt; [--where SQL]
 *     [--concurrency N] [--batch-size N] [--rows-per-task N] [--commit-every N]
 *     [--max-commit-attempts N] [--job-id ID] [--cluster NAMESPACE/NAME]
 * </pre>
 *
 * <p>With {@value dev.geneva.ray.jobs.RefreshArgs#MODE} first ({@link RefreshArgs}), it refreshes a
 * materialized view instead: the UDTF's expansion and the UDF columns' backfills all run with the
 * cluster's Ray, and the result is one {@code GENEVA_REFRESH_RESULT {json}} line.
 *
 * <p>The table URI is the table's own directory ({@code <database>/<name>.lance}), as {@link
 * dev.geneva.Table#uri()} returns it. The UDF is found from the column's metadata, as in {@link
 * dev.geneva.Table#backfill}. Lance storage options never travel on the command line: they are read
 * as a JSON object from the environment variable {@value #STORAGE_OPTIONS_ENV} or from the file
 * named by {@value #STORAGE_OPTIONS_FILE_ENV}. The Ray address comes from {@code -Dray.address} or
 * the {@code RAY_ADDRESS} variable Ray sets for job entrypoints.
 *
 * <p>Output: {@code GENEVA_PROGRESS {json}} lines while running, then exactly one {@code
 * GENEVA_RESULT {json}} (exit code 0) or {@code GENEVA_ERROR {json}} (exit code 1 for a failed
 * backfill, 2 for bad arguments, 143 when stopped). When Ray stops the job (SIGTERM), a shutdown
 * hook interrupts the driver, which cancels the backfill: finished fragments are committed, the
 * rest stays checkpointed.
 *
 * <p>The client side (submitting the job, {@link EntrypointBuilder}, encoding the {@link
 * DriverArgs}) is geneva-ray-jobs, which has no Ray runtime and names this class as {@link
 * EntrypointBuilder#DRIVER_CLASS}.
 */
public final class BackfillDriver {
  /** Environment variable holding Lance storage options as a JSON object. */
  public static final String STORAGE_OPTIONS_ENV = DriverArgs.STORAGE_OPTIONS_ENV;

  /** Environment variable naming a file that holds Lance storage options as a JSON object. */
  public static final String STORAGE_OPTIONS_FILE_ENV = DriverArgs.STORAGE_OPTIONS_FILE_ENV;

  /** Exit code for a backfill that failed. */
  public static final int EXIT_FAILED = DriverArgs.EXIT_FAILED;

  /** Exit code for arguments that cannot work. */
  public static final int EXIT_USAGE = DriverArgs.EXIT_USAGE;

  /** Exit code after the job was stopped (SIGTERM, as {@code 128 + 15}). */
  public static final int EXIT_STOPPED = DriverArgs.EXIT_STOPPED;

  private static final long CANCEL_WAIT_SECONDS = 60;

  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Creates the executor the driver runs its tasks on. */
  @FunctionalInterface
  public interface ExecutorFactory {
    /**
     * Creates an executor.
     *
     * @param rayAddress the cluster address, or null when none is known
     * @param allocator the connection's allocator
     * @return the executor; the driver closes it
     */
    BackfillExecutor create(String rayAddress, BufferAllocator allocator);
  }

  /** Ray in CLUSTER mode at the given address (LOCAL mode when there is none, for local tries). */
  public static final ExecutorFactory RAY =
      (address, allocator) ->
          address == null
              ? RayExecutor.local(allocator)
              : RayExecutor.builder().allocator(allocator).address(address).build();

  private BackfillDriver() {}

  /**
   * Runs the backfill and exits with its code.
   *
   * @param args table URI, column, options
   */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Thread mainThread = Thread.currentThread();
    AtomicBoolean finished = new AtomicBoolean();
    Thread onTerm =
        new Thread(
            () -> {
              if (!finished.get()) {
                mainThread.interrupt();
                try {
                  mainThread.join(TimeUnit.SECONDS.toMillis(CANCEL_WAIT_SECONDS));
                } catch (InterruptedException ignored) {
                  // Exiting anyway.
                }
              }
            },
            "geneva-driver-stop");
    Runtime.getRuntime().addShutdownHook(onTerm);
    int code = run(args, System.getenv(), out, RAY);
    finished.set(true);
    System.exit(code);
  }

  /**
   * Runs the backfill: what {@link #main} does, without exiting.
   *
   * @param args table URI, column, options
   * @param env the environment ({@code RAY_ADDRESS}, storage options)
   * @param out where progress and the result line go
   * @param executors creates the Ray executor
   * @return the exit code: 0, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}
   */
  public static int run(
      String[] args, Map<String, String> env, PrintStream out, ExecutorFactory executors) {
    if (RefreshArgs.isRefresh(args)) {
      return refresh(args, env, out, executors);
    }
    DriverArgs parsed;
    Map<String, String> storageOptions;
    try {
      parsed = DriverArgs.parse(args);
      storageOptions = storageOptions(env);
    } catch (RuntimeException e) {
      printError(out, e);
      return EXIT_USAGE;
    }
    String address = rayAddress(env);
    out.println(
        "Geneva backfill driver: table "
            + dev.geneva.internal.lance.UriRedaction.redact(parsed.tableUri())
            + ", column '"
            + parsed.column()
            + "'"
            + where(address, storageOptions));
    try (Connection db = connect(parsed.databaseUri(), storageOptions)) {
      Table table = db.openTable(parsed.tableName()); // fails fast, before Ray starts
      try (BackfillExecutor executor = executors.create(address, db.allocator())) {
        BackfillOptions options =
            parsed.options().toBuilder().executor(executor).listener(new Printer(out)).build();
        BackfillJob job = table.backfillAsync(parsed.column(), options);
        BackfillResult result =
            awaitOrStop(
                job.future(),
                job::cancel,
                "the backfill of '" + parsed.column() + "' was stopped; rerunning resumes",
                out);
        if (result == null) {
          return EXIT_STOPPED;
        }
        out.println(DriverLines.result(result));
        out.flush();
        return 0;
      }
    } catch (RuntimeException | Error e) {
      printError(out, e);
      return e instanceof InvalidInputException ? EXIT_USAGE : EXIT_FAILED;
    }
  }

  /**
   * The refresh mode ({@link RefreshArgs}): opens the view and runs its whole refresh, the UDTF's
   * expansion and the UDF columns' backfills, with the Ray executor, then prints a {@code
   * GENEVA_REFRESH_RESULT} line. A stopped job leaves the refresh resumable: the next one finishes
   * it.
   */
  private static int refresh(
      String[] args, Map<String, String> env, PrintStream out, ExecutorFactory executors) {
    RefreshArgs parsed;
    Map<String, String> storageOptions;
    try {
      parsed = RefreshArgs.parse(args);
      storageOptions = storageOptions(env);
    } catch (RuntimeException e) {
      printError(out, e);
      return EXIT_USAGE;
    }
    String address = rayAddress(env);
    out.println("Geneva refresh driver: view " + parsed.viewUri() + where(address, storageOptions));
    try (Connection db = connect(parsed.databaseUri(), storageOptions)) {
      MaterializedView view = db.openMaterializedView(parsed.viewName()); // before Ray starts
      try (BackfillExecutor executor = executors.create(address, db.allocator())) {
        RefreshOptions.Builder options =
            RefreshOptions.builder()
                .backfillOptions(
                    parsed.options().toBuilder()
                        .executor(executor)
                        .listener(new Printer(out))
                        .build());
        parsed.sourceVersion().ifPresent(options::sourceVersion);
        RefreshJob job = view.refreshAsync(options.build());
        RefreshResult result =
            awaitOrStop(
                job.future(),
                job::cancel,
                "the refresh of view '"
                    + parsed.viewName()
                    + "' was stopped; refreshing again resumes it",
                out);
        if (result == null) {
          return EXIT_STOPPED;
        }
        out.println(DriverLines.refreshResult(result));
        out.flush();
        return 0;
      }
    } catch (RuntimeException | Error e) {
      printError(out, e);
      return e instanceof InvalidInputException ? EXIT_USAGE : EXIT_FAILED;
    }
  }

  /**
   * Waits for a job; when this thread is interrupted (Ray stops a job with SIGTERM, and main's
   * shutdown hook interrupts this thread) cancels it, waits a while for it to stop at a safe point
   * (what it committed or checkpointed stays) and prints the stopped line.
   *
   * @return the job's result, or null when it was stopped
   */
  private static <T> T awaitOrStop(
      java.util.concurrent.Future<T> future, Runnable cancel, String stopped, PrintStream out) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      cancel.run();
      try {
        future.get(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException
          | ExecutionException
          | TimeoutException
          | CancellationException ignored) {
        // Stopping anyway.
      }
      out.println(DriverLines.error(CancellationException.class.getName(), stopped));
      out.flush();
      return null;
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  /** The failure of a job's future as thrown by its synchronous call. */
  private static RuntimeException unwrap(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException r) {
      return r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new GenevaException(String.valueOf(cause), cause);
  }

  /** Where the driver runs, for its first line: Ray's address and the storage options' keys. */
  private static String where(String address, Map<String, String> storageOptions) {
    return ", Ray "
        + (address == null ? "LOCAL mode" : "cluster at " + address)
        + ", storage options "
        + storageOptions.keySet();
  }

  private static Connection connect(String databaseUri, Map<String, String> storageOptions) {
    return Geneva.connect(
        databaseUri, ConnectOptions.builder().storageOptions(storageOptions).build());
  }

  private static String rayAddress(Map<String, String> env) {
    String address = System.getProperty("ray.address");
    if (address == null || address.isBlank()) {
      address = env.get("RAY_ADDRESS");
    }
    return address == null || address.isBlank() ? null : address;
  }

  private static void printError(PrintStream out, Throwable e) {
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !message.toString().contains(c.getMessage())) {
        message.append("; caused by ").append(c.getClass().getName()).append(": ");
        message.append(c.getMessage());
      }
    }
    e.printStackTrace(out);
    out.println(DriverLines.error(e.getClass().getName(), message.toString()));
    out.flush();
  }

  private static Map<String, String> storageOptions(Map<String, String> env) {
    String json = env.get(STORAGE_OPTIONS_ENV);
    String source = STORAGE_OPTIONS_ENV;
    String file = env.get(STORAGE_OPTIONS_FILE_ENV);
    if ((json == null || json.isBlank()) && file != null && !file.isBlank()) {
      try {
        json = Files.readString(Path.of(file));
        source = STORAGE_OPTIONS_FILE_ENV + " (" + file + ")";
      } catch (IOException e) {
        throw new InvalidInputException(
            "cannot read the storage options file "
                + file
                + " named by "
                + STORAGE_OPTIONS_FILE_ENV,
            e);
      }
    }
    Map<String, String> options = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      return options;
    }
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      // Never echo the text: it may hold credentials.
      throw new InvalidInputException("storage options in " + source + " are not valid JSON");
    }
    if (n == null || !n.isObject()) {
      throw new InvalidInputException(
          "storage options in " + source + " must be a JSON object of strings");
    }
    n.fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
    return options;
  }

  /** Prints progress at most once a second, and the last snapshot of each task. */
  private static final class Printer implements BackfillListener {
    private final PrintStream out;
    private long lastNanos;
    private int lastTasksDone = -1;

    Printer(PrintStream out) {
      this.out = out;
    }

    @Override
    public synchronized void onProgress(BackfillProgress progress) {
      long now = System.nanoTime();
      if (progress.tasksDone() != lastTasksDone || now - lastNanos >= PROGRESS_EVERY_NANOS) {
        lastNanos = now;
        lastTasksDone = progress.tasksDone();
        out.println(DriverLines.progress(progress));
      }
    }

    @Override
    public void onCommit(long version, int fragments) {
      out.println("committed version " + version + " (" + fragments + " fragments)");
    }
  }
}
