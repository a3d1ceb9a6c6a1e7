package dev.geneva;

import dev.geneva.internal.engine.Arguments;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Selects records of the {@linkplain Connection#jobs(JobFilter) job history}: by table, column and
 * state; unset parts match everything.
 *
 * <pre>{@code
 * db.jobs(JobFilter.builder().table("docs").column("embedding").state(JobState.RUNNING).build());
 * }</pre>
 */
public final class JobFilter {
  private static final JobFilter ALL = builder().build();

  private final String table;
  private final String column;
  private final Set<JobState> states;

  private JobFilter(Builder b) {
    this.table = b.table;
    this.column = b.column;
    this.states = b.states.isEmpty() ? Set.of() : Set.copyOf(b.states);
  }

  /**
   * Matches every job.
   *
   * @return the filter
   */
  public static JobFilter all() {
    return ALL;
  }

  /**
   * Starts a filter.
   *
   * @return a builder matching everything
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether a record matches.
   *
   * @param job the record
   * @return true when table, column and state match
   */
  public boolean matches(JobRecord job) {
    return (table == null || table.equals(job.table()))
        && (column == null || column.equals(job.column()))
        && (states.isEmpty() || states.contains(job.state()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobFilter f
        && Objects.equals(table, f.table)
        && Objects.equals(column, f.column)
        && states.equals(f.states);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, column, states);
  }

  @Override
  public String toString() {
    return "JobFilter{table=" + table + ", column=" + column + ", states=" + states + "}";
  }

  /** Builds a {@link JobFilter}. */
  public static final class Builder {
    private String table;
    private String column;
    private final Set<JobState> states = EnumSet.noneOf(JobState.class);

    private Builder() {}

    /**
     * Only jobs of this table.
     *
     * @param table the table's name, or null for any
     * @return this builder
     */
    public Builder table(String table) {
      this.table = table;
      return this;
    }

    /**
     * Only jobs computing this column.
     *
     * @param column the column, or null for any
     * @return this builder
     */
    public Builder column(String column) {
      this.column = column;
      return this;
    }

    /**
     * Only jobs in one of these states (adds to those given before).
     *
     * @param states the states
     * @return this builder
     */
    public Builder state(JobState... states) {
      for (JobState s : states) {
        this.states.add(
            Arguments.notNull(s, "a JobFilter state", "pass states such as JobState.FAILED"));
      }
      return this;
    }

    /**
     * Builds the filter.
     *
     * @return the filter
     */
    public JobFilter build() {
      return new JobFilter(this);
    }
  }
}
