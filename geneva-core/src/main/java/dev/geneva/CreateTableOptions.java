package dev.geneva;

/**
 * How {@link Connection#createTable(String, org.apache.arrow.vector.ipc.ArrowReader,
 * CreateTableOptions)} lays out a new table.
 */
public final class CreateTableOptions {
  private static final CreateTableOptions DEFAULTS = builder().build();

  /**
   * Lance's data file formats. A table keeps the format it was created with: blob columns ({@code
   * UdfTypes.blob()}) and struct values that are null need 2.1 or newer.
   */
  public enum FileFormat {
    /** Lance file format 2.0, lance-core 0.39's default. */
    V2_0,
    /** Lance file format 2.1. */
    V2_1,
    /** Lance file format 2.2. */
    V2_2
  }

  private final int maxRowsPerFile;
  private final boolean overwrite;
  private final FileFormat fileFormat;

  private CreateTableOptions(Builder b) {
    this.maxRowsPerFile = b.maxRowsPerFile;
    this.overwrite = b.overwrite;
    this.fileFormat = b.fileFormat;
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

  /**
   * The data file format of the new table; empty leaves it to Lance ({@link FileFormat#V2_0} in
   * lance-core 0.39).
   *
   * @return the format
   */
  public java.util.Optional<FileFormat> fileFormat() {
    return java.util.Optional.ofNullable(fileFormat);
  }

  /**
   * A builder holding these options.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxRowsPerFile = maxRowsPerFile;
    b.overwrite = overwrite;
    b.fileFormat = fileFormat;
    return b;
  }

  @Override
  public String toString() {
    return "CreateTableOptions{maxRowsPerFile="
        + maxRowsPerFile
        + ", overwrite="
        + overwrite
        + (fileFormat == null ? "" : ", fileFormat=" + fileFormat)
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CreateTableOptions c
        && maxRowsPerFile == c.maxRowsPerFile
        && overwrite == c.overwrite
        && fileFormat == c.fileFormat;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(maxRowsPerFile, overwrite, fileFormat);
  }

  /** Builds {@link CreateTableOptions}. */
  public static final class Builder {
    private int maxRowsPerFile;
    private boolean overwrite;
    private FileFormat fileFormat;

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
     * Sets the new table's data file format (every fragment written later keeps it).
     *
     * @param format the format, or null to leave it to Lance
     * @return this builder
     */
    public Builder fileFormat(FileFormat format) {
      this.fileFormat = format;
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
