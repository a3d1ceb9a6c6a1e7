package dev.geneva;

import com.lancedb.lance.compaction.CompactionOptions;
import java.util.Objects;

/**
 * How {@link Table#compact(CompactOptions)} rewrites a table's small fragments into larger ones,
 * with Lance's compaction. Unset values take Lance's defaults.
 */
public final class CompactOptions {
  private static final CompactOptions DEFAULTS = builder().build();

  private final long targetRowsPerFragment;
  private final long maxRowsPerGroup;
  private final boolean materializeDeletions;
  private final float materializeDeletionsThreshold;
  private final boolean allowRunningBackfills;
  private final int maxCommitAttempts;

  private CompactOptions(Builder b) {
    this.targetRowsPerFragment = b.targetRowsPerFragment;
    this.maxRowsPerGroup = b.maxRowsPerGroup;
    this.materializeDeletions = b.materializeDeletions;
    this.materializeDeletionsThreshold = b.materializeDeletionsThreshold;
    this.allowRunningBackfills = b.allowRunningBackfills;
    this.maxCommitAttempts = b.maxCommitAttempts;
  }

  /**
   * Lance's defaults: fragments of about a million rows, deleted rows dropped from fragments where
   * at least 10% are deleted.
   *
   * @return the defaults
   */
  public static CompactOptions defaults() {
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
   * @return a builder holding these options
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.targetRowsPerFragment = targetRowsPerFragment;
    b.maxRowsPerGroup = maxRowsPerGroup;
    b.materializeDeletions = materializeDeletions;
    b.materializeDeletionsThreshold = materializeDeletionsThreshold;
    b.allowRunningBackfills = allowRunningBackfills;
    b.maxCommitAttempts = maxCommitAttempts;
    return b;
  }

  /**
   * The rows a compacted fragment aims at; fragments smaller than that are merged.
   *
   * @return rows, or 0 for Lance's default (1,048,576)
   */
  public long targetRowsPerFragment() {
    return targetRowsPerFragment;
  }

  /**
   * The most rows per row group (page group) of the files written.
   *
   * @return rows, or 0 for Lance's default (1,024)
   */
  public long maxRowsPerGroup() {
    return maxRowsPerGroup;
  }

  /**
   * Whether fragments with deleted rows are rewritten without them.
   *
   * @return true (the default) to drop deleted rows
   */
  public boolean materializeDeletions() {
    return materializeDeletions;
  }

  /**
   * The share of deleted rows from which a fragment is rewritten without them.
   *
   * @return a fraction in (0, 1], or 0 for Lance's default (0.1)
   */
  public float materializeDeletionsThreshold() {
    return materializeDeletionsThreshold;
  }

  /**
   * Whether to compact even while the job history shows a backfill of the table running.
   *
   * @return false (the default) to refuse
   */
  public boolean allowRunningBackfills() {
    return allowRunningBackfills;
  }

  /**
   * How many times the compaction is planned and committed again when another writer commits first.
   *
   * @return attempts, at least 1
   */
  public int maxCommitAttempts() {
    return maxCommitAttempts;
  }

  /** Lance's options for these. */
  CompactionOptions toLance() {
    CompactionOptions.Builder b =
        CompactionOptions.builder().withMaterializeDeletions(materializeDeletions);
    if (targetRowsPerFragment > 0) {
      b.withTargetRowsPerFragment(targetRowsPerFragment);
    }
    if (maxRowsPerGroup > 0) {
      b.withMaxRowsPerGroup(maxRowsPerGroup);
    }
    if (materializeDeletionsThreshold > 0) {
      b.withMaterializeDeletionsThreshold(materializeDeletionsThreshold);
    }
    return b.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompactOptions c
        && targetRowsPerFragment == c.targetRowsPerFragment
        && maxRowsPerGroup == c.maxRowsPerGroup
        && materializeDeletions == c.materializeDeletions
        && materializeDeletionsThreshold == c.materializeDeletionsThreshold
        && allowRunningBackfills == c.allowRunningBackfills
        && maxCommitAttempts == c.maxCommitAttempts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        targetRowsPerFragment,
        maxRowsPerGroup,
        materializeDeletions,
        materializeDeletionsThreshold,
        allowRunningBackfills,
        maxCommitAttempts);
  }

  @Override
  public String toString() {
    return "CompactOptions{targetRowsPerFragment="
        + targetRowsPerFragment
        + ", maxRowsPerGroup="
        + maxRowsPerGroup
        + ", materializeDeletions="
        + materializeDeletions
        + ", materializeDeletionsThreshold="
        + materializeDeletionsThreshold
        + ", allowRunningBackfills="
        + allowRunningBackfills
        + ", maxCommitAttempts="
        + maxCommitAttempts
        + "}";
  }

  /** Builds {@link CompactOptions}. */
  public static final class Builder {
    private long targetRowsPerFragment;
    private long maxRowsPerGroup;
    private boolean materializeDeletions = true;
    private float materializeDeletionsThreshold;
    private boolean allowRunningBackfills;
    private int maxCommitAttempts = 5;

    private Builder() {}

    /**
     * Sets the rows a compacted fragment aims at.
     *
     * @param rows at least 1
     * @return this builder
     * @throws InvalidInputException for fewer than 1
     */
    public Builder targetRowsPerFragment(long rows) {
      if (rows < 1) {
        throw new InvalidInputException(
            "CompactOptions.targetRowsPerFragment must be at least 1, got "
                + rows
                + "; leave it unset for Lance's default of 1,048,576");
      }
      this.targetRowsPerFragment = rows;
      return this;
    }

    /**
     * Sets the most rows per row group of the files written.
     *
     * @param rows at least 1
     * @return this builder
     * @throws InvalidInputException for fewer than 1
     */
    public Builder maxRowsPerGroup(long rows) {
      if (rows < 1) {
        throw new InvalidInputException(
            "CompactOptions.maxRowsPerGroup must be at least 1, got "
                + rows
                + "; leave it unset for Lance's default of 1,024");
      }
      this.maxRowsPerGroup = rows;
      return this;
    }

    /**
     * Sets whether fragments with deleted rows are rewritten without them.
     *
     * @param materialize true to drop deleted rows
     * @return this builder
     */
    public Builder materializeDeletions(boolean materialize) {
      this.materializeDeletions = materialize;
      return this;
    }

    /**
     * Sets the share of deleted rows from which a fragment is rewritten without them.
     *
     * @param fraction more than 0 and at most 1
     * @return this builder
     * @throws InvalidInputException outside (0, 1]
     */
    public Builder materializeDeletionsThreshold(float fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new InvalidInputException(
            "CompactOptions.materializeDeletionsThreshold must be more than 0 and at most 1, got "
                + fraction
                + "; e.g. 0.1 rewrites fragments with 10% or more of their rows deleted");
      }
      this.materializeDeletionsThreshold = fraction;
      return this;
    }

    /**
     * Sets whether to compact even while the job history shows a backfill of the table running. The
     * backfill stays correct (its next commit is refused and it fails, asking to be run again), but
     * the work it did on the rewritten fragments is lost.
     *
     * @param allow true to compact anyway
     * @return this builder
     */
    public Builder allowRunningBackfills(boolean allow) {
      this.allowRunningBackfills = allow;
      return this;
    }

    /**
     * Sets how many times the compaction is planned and committed again when another writer commits
     * first.
     *
     * @param attempts at least 1
     * @return this builder
     * @throws InvalidInputException for fewer than 1
     */
    public Builder maxCommitAttempts(int attempts) {
      if (attempts < 1) {
        throw new InvalidInputException(
            "CompactOptions.maxCommitAttempts must be at least 1, got " + attempts);
      }
      this.maxCommitAttempts = attempts;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     */
    public CompactOptions build() {
      return new CompactOptions(this);
    }
  }
}
