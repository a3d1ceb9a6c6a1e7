package dev.geneva;

import java.util.Map;

/**
 * How to keep Lance's native log out of your output. Lance's Rust code logs to the process's
 * standard error through {@code env_logger}, configured once, when lance-core's native library
 * loads, from the environment variable {@value #ENV} (default {@code warn}). A JVM cannot change
 * its own environment, so Geneva cannot set it for you: set it where the JVM is started. Without
 * it, every backfill commit prints Lance's notice {@code "Building manifest with DataReplacement
 * operation. This operation is not stable yet"}, which is expected (Geneva commits computed columns
 * as {@code DataReplacement}s) and harmless.
 *
 * <pre>
 * export LANCE_LOG='warn,lance::dataset::transaction=error'   # Lance's other warnings stay
 * </pre>
 *
 * <p>Geneva's build sets it for tests and examples, the {@code geneva} launcher for the CLI, and
 * Ray job submissions pass the submitting JVM's value (or {@link #RECOMMENDED}) to the job's driver
 * and workers. {@code LANCE_LOG=debug} shows what Lance does; {@code LANCE_LOG_FILE=path} sends its
 * log to a file.
 */
public final class LanceLogging {
  /** The environment variable Lance's native logger reads: {@value}. */
  public static final String ENV = "LANCE_LOG";

  /**
   * The recommended {@value #ENV}: Lance's warnings, except the notice every {@code
   * DataReplacement} commit logs: {@value}.
   */
  public static final String RECOMMENDED = "warn,lance::dataset::transaction=error";

  private LanceLogging() {}

  /**
   * Tells whether this JVM was started with {@value #ENV} set.
   *
   * @return true when the variable is set
   */
  public static boolean isConfigured() {
    return System.getenv(ENV) != null;
  }

  /**
   * The environment to give a JVM that Geneva starts elsewhere (a Ray job's driver): this JVM's
   * {@value #ENV} when set, else {@link #RECOMMENDED}.
   *
   * @return a one-entry map
   */
  public static Map<String, String> environment() {
    String own = System.getenv(ENV);
    return Map.of(ENV, own != null ? own : RECOMMENDED);
  }
}
