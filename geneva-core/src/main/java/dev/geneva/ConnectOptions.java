package dev.geneva;

import dev.geneva.internal.lance.StorageOptionsMap;
import dev.geneva.spi.BackfillExecutor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link Geneva#connect(String, ConnectOptions)} reaches the tables and where backfills run.
 * Storage option values may be credentials: {@link #toString()} shows only their keys.
 */
public final class ConnectOptions {
  private static final ConnectOptions DEFAULTS = builder().build();

  private final Map<String, String> storageOptions;
  private final StorageOptionsProvider storageOptionsProvider;
  private final BackfillExecutor executor;
  private final Duration jobStaleAfter;
  private final int jobHistoryCompactAfter;

  private ConnectOptions(Builder b) {
    this.storageOptions = StorageOptionsMap.copyOf(b.storageOptions);
    this.storageOptionsProvider = b.storageOptionsProvider;
    this.executor = b.executor;
    this.jobStaleAfter = b.jobStaleAfter;
    this.jobHistoryCompactAfter = b.jobHistoryCompactAfter;
  }

  /**
   * No storage options; the default executor.
   *
   * @return the defaults
   */
  public static ConnectOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a set of options.
   *
   * @return a builder
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
    return new Builder()
        .storageOptions(storageOptions)
        .storageOptionsProvider(storageOptionsProvider)
        .executor(executor)
        .jobStaleAfter(jobStaleAfter)
        .jobHistoryCompactAfter(jobHistoryCompactAfter);
  }

  /**
   * The fixed options passed to Lance for every table, such as {@code aws_region}, {@code
   * aws_endpoint} or {@code google_service_account}.
   *
   * @return the options
   */
  public Map<String, String> storageOptions() {
    return storageOptions;
  }

  /**
   * Where options that change over time (short-lived credentials) come from.
   *
   * @return the provider, empty when every option is fixed
   */
  public Optional<StorageOptionsProvider> storageOptionsProvider() {
    return Optional.ofNullable(storageOptionsProvider);
  }

  /**
   * The options to use now: the fixed {@link #storageOptions()} with the {@link
   * #storageOptionsProvider()}'s current ones layered over them.
   *
   * @return an immutable map; its values may be secrets, so its {@code toString()} hides them
   * @throws GenevaException when the provider fails; the message names it
   */
  public Map<String, String> resolveStorageOptions() {
    if (storageOptionsProvider == null) {
      return storageOptions;
    }
    Map<String, String> current;
    try {
      current = storageOptionsProvider.resolveStorageOptions();
    } catch (GenevaException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new GenevaException(
          "storage options provider "
              + storageOptionsProvider
              + " failed: "
              + e.getMessage()
              + "; check the credentials it reads, or pass fixed options with"
              + " ConnectOptions.builder().storageOptions(..)",
          e);
    }
    if (current == null) {
      throw new GenevaException(
          "storage options provider "
              + storageOptionsProvider
              + " returned null: it must return a map (empty when it has nothing to add)");
    }
    Map<String, String> merged = new LinkedHashMap<>(storageOptions);
    current.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            throw new GenevaException(
                "storage options provider "
                    + storageOptionsProvider
                    + " returned a null key or value for option '"
                    + k
                    + "'");
          }
          merged.put(k, v);
        });
    return StorageOptionsMap.copyOf(merged);
  }

  /**
   * The executor backfills run on, owned by the caller; empty means the connection creates the
   * default one (embedded Ray when geneva-ray is on the classpath, threads otherwise) and closes it
   * with itself.
   *
   * @return the executor
   */
  public Optional<BackfillExecutor> executor() {
    return Optional.ofNullable(executor);
  }

  /**
   * After how long without a report a running job in the {@linkplain Connection#jobHistory() job
   * history} reads as stale; backfills of this connection report at least every quarter of it.
   *
   * @return the threshold, {@link JobHistory#DEFAULT_STALE_AFTER} unless set
   */
  public Duration jobStaleAfter() {
    return jobStaleAfter;
  }

  /**
   * Above how many Lance fragments (one per report) a backfill of this connection that ends
   * compacts the {@linkplain Connection#jobHistory() job history}; see {@link JobHistory}.
   *
   * @return the count, {@link JobHistory#DEFAULT_COMPACT_AFTER} unless set; 0 for never
   */
  public int jobHistoryCompactAfter() {
    return jobHistoryCompactAfter;
  }

  @Override
  public String toString() {
    return "ConnectOptions{storageOptions="
        + storageOptions.keySet()
        + (storageOptionsProvider == null ? "" : ", provider=" + storageOptionsProvider)
        + ", executor="
        + (executor == null ? "default" : executor.name())
        + (jobStaleAfter.equals(JobHistory.DEFAULT_STALE_AFTER)
            ? ""
            : ", jobStaleAfter=" + jobStaleAfter)
        + (jobHistoryCompactAfter == JobHistory.DEFAULT_COMPACT_AFTER
            ? ""
            : ", jobHistoryCompactAfter=" + jobHistoryCompactAfter)
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConnectOptions c
        && storageOptions.equals(c.storageOptions)
        && Objects.equals(storageOptionsProvider, c.storageOptionsProvider)
        && Objects.equals(executor, c.executor)
        && jobStaleAfter.equals(c.jobStaleAfter)
        && jobHistoryCompactAfter == c.jobHistoryCompactAfter;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        storageOptions, storageOptionsProvider, executor, jobStaleAfter, jobHistoryCompactAfter);
  }

  /** Builds {@link ConnectOptions}. */
  public static final class Builder {
    private final Map<String, String> storageOptions = new LinkedHashMap<>();
    private StorageOptionsProvider storageOptionsProvider;
    private BackfillExecutor executor;
    private Duration jobStaleAfter = JobHistory.DEFAULT_STALE_AFTER;
    private int jobHistoryCompactAfter = JobHistory.DEFAULT_COMPACT_AFTER;

    private Builder() {}

    /**
     * Adds Lance storage options.
     *
     * @param options key-value pairs
     * @return this builder
     */
    public Builder storageOptions(Map<String, String> options) {
      options.forEach(this::storageOption);
      return this;
    }

    /**
     * Adds one Lance storage option.
     *
     * @param key the option, e.g. {@code aws_region}
     * @param value its value
     * @return this builder
     */
    public Builder storageOption(String key, String value) {
      if (key == null || key.isBlank() || value == null) {
        throw new InvalidInputException(
            "storage option " + key + " needs a non-blank key and a non-null value");
      }
      storageOptions.put(key, value);
      return this;
    }

    /**
     * Asks this provider for options each time Lance is used, for credentials that expire during a
     * long backfill (for example {@code S3StorageOptions} of geneva-cloud-aws). Its options are
     * layered over the fixed ones.
     *
     * @param provider the provider, or null for fixed options only
     * @return this builder
     */
    public Builder storageOptionsProvider(StorageOptionsProvider provider) {
      this.storageOptionsProvider = provider;
      return this;
    }

    /**
     * Runs backfills on this executor, such as {@link BackfillExecutors#threads()} or geneva-ray's
     * {@code RayExecutor.local()}, instead of the default; the caller keeps ownership and closes it
     * after the connection.
     *
     * @param executor the executor, or null for the default
     * @return this builder
     */
    public Builder executor(BackfillExecutor executor) {
      this.executor = executor;
      return this;
    }

    /**
     * Sets after how long without a report a {@code RUNNING} job reads as stale in this
     * connection's {@linkplain Connection#jobs() job history} ({@link JobRecord#staleSince()}), and
     * so how often its backfills report (a quarter of it, at most every {@link
     * JobHistory#HEARTBEAT_INTERVAL}). Keep it well above the heartbeat interval of every program
     * writing to the database (60 s by default).
     *
     * @param staleAfter a positive duration (default {@link JobHistory#DEFAULT_STALE_AFTER})
     * @return this builder
     * @throws InvalidInputException when it is not positive
     */
    public Builder jobStaleAfter(Duration staleAfter) {
      this.jobStaleAfter = JobHistory.checkStaleAfter(staleAfter);
      return this;
    }

    /**
     * Sets above how many Lance fragments a backfill of this connection compacts the job history
     * when it ends (a long one also at a heartbeat, in the background), deleting superseded
     * heartbeats and merging the fragments (see {@link JobHistory}). Reading the history costs
     * about a millisecond per fragment on lance-core 0.39, and each report appends one.
     *
     * @param fragments the count (default {@link JobHistory#DEFAULT_COMPACT_AFTER}); 0 never
     *     compacts automatically ({@link JobHistory#compact()} still does)
     * @return this builder
     * @throws InvalidInputException when it is negative
     */
    public Builder jobHistoryCompactAfter(int fragments) {
      this.jobHistoryCompactAfter = JobHistory.checkCompactAfter(fragments);
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     */
    public ConnectOptions build() {
      return new ConnectOptions(this);
    }
  }
}
