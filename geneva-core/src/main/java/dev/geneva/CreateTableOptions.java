package dev.geneva;

/**
 * How {@link Connection#createTable(String, org.apache.arrow.vector.ipc.ArrowReader,
 * CreateTableOptions)} lays out a new table.
 */
public final class CreateTableOptions {
  private static final CreateTableOptions DEFAULTS = builder().build();

  private final int maxRowsPerFile;
  private final boolean overwrite;

  private CreateTableOptions(Builder b) {
    this.maxRowsPerFile = b.maxRowsPerFile;
    this.overwrite = b.overwrite;
  }

  /**
   * Lance's defaults; fails if the table exists.
   *
   * @return the defaults
   */
  public static CreateTableOptions defaults() {
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
   * The most rows per fragment; 0 leaves it to Lance (about a million).
   *
   * @return rows per fragment
   */
  public int maxRowsPerFile() {
    return maxRowsPerFile;
  }

  /**
   * Whether an existing table of the same name is replaced.
   *
   * @return true to overwrite
   */
  public boolean overwrite() {
    return overwrite;
  }

  @Override
  public String toString() {
    return "CreateTableOptions{maxRowsPerFile=" + maxRowsPerFile + ", overwrite=" + overwrite + "}";
  }

  /** Builds {@link CreateTableOptions}. */
  public static final class Builder {
    private int maxRowsPerFile;
    private boolean overwrite;

    private Builder() {}

    /**
     * Sets the most rows per fragment.
     *
     * @param rows at least 1
     * @return this builder
     */
    public Builder maxRowsPerFile(int rows) {
      if (rows < 1) {
        throw new InvalidInputException(
            "CreateTableOptions.maxRowsPerFile must be at least 1, got " + rows);
      }
      this.maxRowsPerFile = rows;
      return this;
    }

    /**
     * Replaces an existing table of the same name.
     *
     * @param overwrite true to overwrite
     * @return this builder
     */
    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     */
    public CreateTableOptions build() {
      return new CreateTableOptions(this);
    }
  }
}
