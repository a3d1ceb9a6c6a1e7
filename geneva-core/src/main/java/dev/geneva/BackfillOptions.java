package dev.geneva;

import dev.geneva.internal.engine.SqlFilters;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTarget;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a backfill runs. All options have defaults; {@code BackfillOptions.defaults()} is what {@link
 * Table#backfill(String)} uses.
 *
 * <pre>{@code
 * table.backfill("embedding", BackfillOptions.builder().where("lang = 'en'").concurrency(4).build());
 * }</pre>
 */
public final class BackfillOptions {
  private static final BackfillOptions DEFAULTS = builder().build();

  private final String where;
  private final int concurrency;
  private final int batchSize;
  private final long rowsPerTask;
  private final int commitEvery;
  private final Duration commitInterval;
  private final int maxCommitAttempts;
  private final BackfillListener listener;
  private final BackfillExecutor executor;
  private final BackfillTarget target;
  private final String jobId;
  private final String cluster;

  private BackfillOptions(Builder b) {
    this.where = b.where;
    this.concurrency = b.concurrency;
    this.batchSize = b.batchSize;
    this.rowsPerTask = b.rowsPerTask;
    this.commitEvery = b.commitEvery;
    this.commitInterval = b.commitInterval;
    this.maxCommitAttempts = b.maxCommitAttempts;
    this.listener = b.listener;
    this.executor = b.executor;
    this.target = b.target;
    this.jobId = b.jobId;
    this.cluster = b.cluster;
  }

  /**
   * The default options.
   *
   * @return the defaults
   */
  public static BackfillOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a set of options.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies these options into a builder.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.where = where;
    b.concurrency = concurrency;
    b.batchSize = batchSize;
    b.rowsPerTask = rowsPerTask;
    b.commitEvery = commitEvery;
    b.commitInterval = commitInterval;
    b.maxCommitAttempts = maxCommitAttempts;
    b.listener = listener;
    b.executor = executor;
    b.target = target;
    b.jobId = jobId;
    b.cluster = cluster;
    return b;
  }

  /**
   * The SQL filter selecting rows to compute; empty means {@code <column> IS NULL}, so a rerun
   * computes only what is missing.
   *
   * @return the filter
   */
  public Optional<String> where() {
    return Optional.ofNullable(where);
  }

  /**
   * Tasks running at once (default: the number of processors).
   *
   * @return the concurrency
   */
  public int concurrency() {
    return concurrency;
  }

  /**
   * Rows per batch handed to the UDF (default 4096), unless the UDF's spec sets its own.
   *
   * @return the batch size
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * The most rows one task computes (default: a whole fragment). Smaller tasks spread a large
   * fragment over more workers and checkpoint more often. Fragments with fewer rows are packed:
   * consecutive ones go to a worker together, up to this many rows (and up to about a quarter of
   * each worker's share of the table, so every worker gets work), in one Ray call or thread
   * hand-off with the table opened once. Each fragment still gets its own data file and checkpoint.
   *
   * @return rows per task
   */
  public long rowsPerTask() {
    return rowsPerTask;
  }

  /**
   * Fragments per commit, when set: finished fragments become visible in batches of this size (or
   * sooner, see {@link #commitInterval()}). Empty (the default) scales the batch with the table:
   * {@code max(16, fragments / 10)} fragments, so a table of any fragment count takes about ten
   * commits plus those the interval asks for. Each commit rewrites the table's manifest, which
   * lists every fragment: a fixed small batch makes commits cost quadratic in the fragment count.
   *
   * @return fragments per commit, or empty for automatic
   */
  public OptionalInt commitEvery() {
    return commitEvery == 0 ? OptionalInt.empty() : OptionalInt.of(commitEvery);
  }

  /**
   * The longest a finished fragment waits for its commit (default 60 s), so that long backfills
   * show progress in the table. A commit is made when {@link #commitEvery()} fragments are pending,
   * or when the oldest pending one has waited this long; the latter never sooner after the previous
   * commit than 20 times that commit's duration, so commits stay a small part of the run however
   * many fragments the manifest lists. Whatever is pending at the end is committed then.
   *
   * @return the interval
   */
  public Duration commitInterval() {
    return commitInterval;
  }

  /**
   * Commit attempts when other writers commit at the same time (default 10).
   *
   * @return the attempts
   */
  public int maxCommitAttempts() {
    return maxCommitAttempts;
  }

  /**
   * The progress listener, if any.
   *
   * @return the listener
   */
  public Optional<BackfillListener> listener() {
    return Optional.ofNullable(listener);
  }

  /**
   * An executor to use instead of the connection's; the caller keeps ownership and closes it.
   * Naming one runs the backfill in this JVM even while a {@linkplain
   * dev.geneva.spi.BackfillTargets#current() process-wide target} (a started {@code RayCluster}) is
   * open; only an explicit {@link #target()} wins over it.
   *
   * @return the executor
   */
  public Optional<BackfillExecutor> executor() {
    return Optional.ofNullable(executor);
  }

  /**
   * Where the whole backfill runs, for example a Ray cluster; it wins over everything else. Empty
   * means this JVM when an {@link #executor()} is given, else the process-wide {@linkplain
   * dev.geneva.spi.BackfillTargets#current() current target}, else this JVM.
   *
   * @return the target
   */
  public Optional<BackfillTarget> target() {
    return Optional.ofNullable(target);
  }

  /**
   * The id the backfill is recorded under in the {@linkplain Connection#jobs() job history}.
   *
   * @return the id, empty to generate one
   */
  public Optional<String> jobId() {
    return Optional.ofNullable(jobId);
  }

  /**
   * The cluster the job history names as where the backfill ran ({@code namespace/name}); set by
   * the cluster's driver.
   *
   * @return the cluster, empty for backfills in one JVM
   */
  public Optional<String> cluster() {
    return Optional.ofNullable(cluster);
  }

  @Override
  public String toString() {
    return "BackfillOptions{where="
        + where
        + ", concurrency="
        + concurrency
        + ", batchSize="
        + batchSize
        + ", rowsPerTask="
        + rowsPerTask
        + ", commitEvery="
        + (commitEvery == 0 ? "auto" : commitEvery)
        + ", commitInterval="
        + commitInterval
        + ", maxCommitAttempts="
        + maxCommitAttempts
        + ", executor="
        + (executor == null ? "connection default" : executor.name())
        + ", target="
        + (target == null ? "current" : target.name())
        + (jobId == null ? "" : ", jobId=" + jobId)
        + (cluster == null ? "" : ", cluster=" + cluster)
        + "}";
  }

  /** Builds {@link BackfillOptions}. Each setter checks its value at once. */
  public static final class Builder {
    private String where;
    private int concurrency = Runtime.getRuntime().availableProcessors();
    private int batchSize = 4096;
    private long rowsPerTask = Long.MAX_VALUE;
    private int commitEvery;
    private Duration commitInterval = Duration.ofSeconds(60);
    private int maxCommitAttempts = 10;
    private BackfillListener listener;
    private BackfillExecutor executor;
    private BackfillTarget target;
    private String jobId;
    private String cluster;

    private Builder() {}

    /**
     * Sets the SQL filter selecting rows to compute (default {@code <column> IS NULL}).
     *
     * @param where a Lance SQL predicate such as {@code "id < 1000"}, or null for the default
     * @return this builder
     * @throws InvalidInputException when the filter is blank or not one expression: unbalanced
     *     parentheses or quotes, {@code ;} or a comment
     */
    public Builder where(String where) {
      if (where != null && where.isBlank()) {
        throw new InvalidInputException(
            "BackfillOptions.where is blank: pass a SQL predicate such as \"id < 1000\", or null"
                + " to compute the rows where the column is null");
      }
      if (where != null) {
        SqlFilters.check("BackfillOptions.where", where);
      }
      this.where = where;
      return this;
    }

    /**
     * Sets how many tasks run at once.
     *
     * @param concurrency at least 1
     * @return this builder
     */
    public Builder concurrency(int concurrency) {
      this.concurrency = positive("concurrency", concurrency);
      return this;
    }

    /**
     * Sets the rows per UDF batch.
     *
     * @param batchSize at least 1
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = positive("batchSize", batchSize);
      return this;
    }

    /**
     * Sets the most rows one task computes.
     *
     * @param rowsPerTask at least 1
     * @return this builder
     */
    public Builder rowsPerTask(long rowsPerTask) {
      if (rowsPerTask < 1) {
        throw new InvalidInputException(
            "BackfillOptions.rowsPerTask must be at least 1, got " + rowsPerTask);
      }
      this.rowsPerTask = rowsPerTask;
      return this;
    }

    /**
     * Sets the fragments per commit, instead of the automatic {@code max(16, fragments / 10)}. A
     * commit still happens sooner when the {@linkplain #commitInterval(Duration) interval} passes.
     *
     * @param commitEvery at least 1
     * @return this builder
     */
    public Builder commitEvery(int commitEvery) {
      this.commitEvery = positive("commitEvery", commitEvery);
      return this;
    }

    /**
     * Sets the longest a finished fragment waits for its commit (default 60 s).
     *
     * @param commitInterval positive, at most a day
     * @return this builder
     */
    public Builder commitInterval(Duration commitInterval) {
      if (commitInterval == null
          || commitInterval.isNegative()
          || commitInterval.isZero()
          || commitInterval.compareTo(Duration.ofDays(1)) > 0) {
        throw new InvalidInputException(
            "BackfillOptions.commitInterval must be positive and at most a day, got "
                + commitInterval
                + ": pass e.g. Duration.ofSeconds(30)");
      }
      this.commitInterval = commitInterval;
      return this;
    }

    /**
     * Sets the commit attempts under contention.
     *
     * @param maxCommitAttempts at least 1
     * @return this builder
     */
    public Builder maxCommitAttempts(int maxCommitAttempts) {
      this.maxCommitAttempts = positive("maxCommitAttempts", maxCommitAttempts);
      return this;
    }

    /**
     * Sets the progress listener.
     *
     * @param listener the listener, or null for none
     * @return this builder
     */
    public Builder listener(BackfillListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Runs on this executor instead of the connection's, such as {@link
     * BackfillExecutors#threads()} or geneva-ray's {@code RayExecutor.local()}; the caller closes
     * it. The backfill then runs in this JVM even inside an open {@code RayCluster}'s block, unless
     * a {@link #target(BackfillTarget)} is given too.
     *
     * @param executor the executor, or null for the connection's
     * @return this builder
     */
    public Builder executor(BackfillExecutor executor) {
      this.executor = executor;
      return this;
    }

    /**
     * Runs the backfill on this target (a Ray cluster, say), whatever else is set or open.
     *
     * @param target the target, or null for the process-wide current one (see {@link
     *     BackfillOptions#target()})
     * @return this builder
     */
    public Builder target(BackfillTarget target) {
      this.target = target;
      return this;
    }

    /**
     * Records the backfill under this id in the job history (default: a new id). A cluster's client
     * and driver use one id, so both report about the same job.
     *
     * @param jobId letters, digits, {@code - _ .}, at most 128; or null to generate one
     * @return this builder
     * @throws InvalidInputException for another id
     */
    public Builder jobId(String jobId) {
      if (jobId != null && !jobId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
        throw new InvalidInputException(
            "BackfillOptions.jobId '"
                + jobId
                + "' is not valid: use 1 to 128 letters, digits, '-', '_' or '.', starting with a"
                + " letter or digit, or null to generate one");
      }
      this.jobId = jobId;
      return this;
    }

    /**
     * Names the cluster the job history records as where the backfill ran.
     *
     * @param cluster {@code namespace/name}, or null
     * @return this builder
     */
    public Builder cluster(String cluster) {
      this.cluster = cluster == null || cluster.isBlank() ? null : cluster;
      return this;
    }

    private static int positive(String name, int value) {
      if (value < 1) {
        throw new InvalidInputException(
            "BackfillOptions." + name + " must be at least 1, got " + value);
      }
      return value;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     */
    public BackfillOptions build() {
      return new BackfillOptions(this);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackfillOptions b
        && Objects.equals(where, b.where)
        && concurrency == b.concurrency
        && batchSize == b.batchSize
        && rowsPerTask == b.rowsPerTask
        && commitEvery == b.commitEvery
        && commitInterval.equals(b.commitInterval)
        && maxCommitAttempts == b.maxCommitAttempts
        && Objects.equals(listener, b.listener)
        && Objects.equals(executor, b.executor)
        && Objects.equals(target, b.target)
        && Objects.equals(jobId, b.jobId)
        && Objects.equals(cluster, b.cluster);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        where,
        concurrency,
        batchSize,
        rowsPerTask,
        commitEvery,
        commitInterval,
        maxCommitAttempts,
        listener,
        executor,
        target,
        jobId,
        cluster);
  }
}
