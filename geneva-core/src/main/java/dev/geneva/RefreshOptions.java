package dev.geneva;

import dev.geneva.internal.engine.Arguments;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How to refresh a materialized view: the source version to bring it to (the latest by default) and
 * the options of the UDF columns' backfills (executor, concurrency, listener, target), and how long
 * to wait for another refresh of the same view to finish. A UDTF view's expansion runs on the
 * executor these options choose in this JVM (theirs or the connection's), at most {@code
 * concurrency} source fragments at a time.
 */
public final class RefreshOptions {
  private static final RefreshOptions DEFAULTS = builder().build();

  private final OptionalLong sourceVersion;
  private final BackfillOptions backfillOptions;
  private final Duration waitForOtherRefresh;

  private RefreshOptions(Builder b) {
    this.sourceVersion = b.sourceVersion;
    this.backfillOptions = b.backfillOptions;
    this.waitForOtherRefresh = b.waitForOtherRefresh;
  }

  /**
   * The defaults: the source's latest version, default backfill options.
   *
   * @return the options
   */
  public static RefreshOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Starts options.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies these options into a builder.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder().backfillOptions(backfillOptions);
    b.sourceVersion = sourceVersion;
    b.waitForOtherRefresh = waitForOtherRefresh;
    return b;
  }

  /**
   * The source version to refresh to.
   *
   * @return the version, or empty for the latest
   */
  public OptionalLong sourceVersion() {
    return sourceVersion;
  }

  /**
   * The options of the UDF columns' backfills.
   *
   * @return the options
   */
  public BackfillOptions backfillOptions() {
    return backfillOptions;
  }

  /**
   * How long a refresh waits while another refresh of the same view (in any thread or process)
   * holds the view's refresh lease, before it fails.
   *
   * @return the duration, 10 minutes by default
   */
  public Duration waitForOtherRefresh() {
    return waitForOtherRefresh;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RefreshOptions r
        && sourceVersion.equals(r.sourceVersion)
        && backfillOptions.equals(r.backfillOptions)
        && waitForOtherRefresh.equals(r.waitForOtherRefresh);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sourceVersion, backfillOptions, waitForOtherRefresh);
  }

  @Override
  public String toString() {
    return "RefreshOptions{sourceVersion="
        + (sourceVersion.isPresent() ? sourceVersion.getAsLong() : "latest")
        + ", backfillOptions="
        + backfillOptions
        + ", waitForOtherRefresh="
        + waitForOtherRefresh
        + "}";
  }

  /** Builds {@link RefreshOptions}. */
  public static final class Builder {
    private OptionalLong sourceVersion = OptionalLong.empty();
    private BackfillOptions backfillOptions = BackfillOptions.defaults();
    private Duration waitForOtherRefresh = Duration.ofMinutes(10);

    private Builder() {}

    /**
     * Sets how long to wait for another refresh of the same view to finish before failing.
     *
     * @param wait zero or more; zero fails at once when another refresh is running
     * @return this builder
     */
    public Builder waitForOtherRefresh(Duration wait) {
      if (wait == null || wait.isNegative()) {
        throw new InvalidInputException(
            "RefreshOptions.waitForOtherRefresh must be zero or more, got "
                + wait
                + ": pass e.g. Duration.ofMinutes(10)");
      }
      this.waitForOtherRefresh = wait;
      return this;
    }

    /**
     * Refreshes to a given source version (older or newer than the last refresh).
     *
     * @param version a version of the source table, from 1
     * @return this builder
     */
    public Builder sourceVersion(long version) {
      if (version < 1) {
        throw new InvalidInputException(
            "RefreshOptions.sourceVersion must be 1 or more, got "
                + version
                + ": pass a version of the source table, see table.version()");
      }
      this.sourceVersion = OptionalLong.of(version);
      return this;
    }

    /**
     * Sets the options of the UDF columns' backfills. Their {@code where} must be unset: a refresh
     * computes exactly the view rows whose values are missing.
     *
     * @param options the options
     * @return this builder
     */
    public Builder backfillOptions(BackfillOptions options) {
      Arguments.notNull(
          options,
          "RefreshOptions.Builder.backfillOptions",
          "leave it out for the defaults, or pass BackfillOptions.builder()...build()");
      if (options.where().isPresent()) {
        throw new InvalidInputException(
            "RefreshOptions.backfillOptions sets where(\""
                + options.where().get()
                + "\"): a refresh computes the view rows whose values are missing; filter the"
                + " view's rows with its query instead, or backfill the view's table yourself");
      }
      this.backfillOptions = options;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     */
    public RefreshOptions build() {
      return new RefreshOptions(this);
    }
  }
}
