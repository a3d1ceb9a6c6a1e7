package dev.geneva;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One backfill in the {@linkplain Connection#jobs() job history}: what it computed, where, its
 * state, times and metrics (named as in {@link JobMetrics}). Immutable.
 *
 * <pre>{@code
 * for (JobRecord job : db.jobs(JobFilter.builder().table("docs").state(JobState.FAILED).build())) {
 *   System.out.println(job.jobId() + " " + job.column() + ": " + job.error().orElse(""));
 * }
 * }</pre>
 */
public final class JobRecord {
  private static final int MAX_ERROR_CHARS = 8_000;

  private final String jobId;
  private final String table;
  private final String column;
  private final String udfClass;
  private final String udfVersion;
  private final JobState state;
  private final Instant createdAt;
  private final Instant startedAt;
  private final Instant endedAt;
  private final Instant updatedAt;
  private final String executor;
  private final String cluster;
  private final String error;
  private final Map<String, Long> metrics;
  private final Instant staleSince;

  private JobRecord(Builder b) {
    this.jobId = require(b.jobId, "jobId");
    this.table = require(b.table, "table");
    this.column = require(b.column, "column");
    this.udfClass = b.udfClass == null ? "" : b.udfClass;
    this.udfVersion = b.udfVersion == null ? "" : b.udfVersion;
    this.state = Objects.requireNonNull(b.state, "JobRecord.state is required");
    this.createdAt = micros(Objects.requireNonNull(b.createdAt, "JobRecord.createdAt"));
    this.startedAt = micros(b.startedAt);
    this.endedAt = micros(b.endedAt);
    this.updatedAt = micros(b.updatedAt == null ? Instant.now() : b.updatedAt);
    this.executor = b.executor == null ? "" : b.executor;
    this.cluster = b.cluster;
    this.error =
        b.error == null || b.error.length() <= MAX_ERROR_CHARS
            ? b.error
            : b.error.substring(0, MAX_ERROR_CHARS) + "...";
    Map<String, Long> m = new LinkedHashMap<>();
    for (String name : JobMetrics.names()) {
      if (b.metrics.containsKey(name)) {
        m.put(name, b.metrics.get(name));
      }
    }
    this.metrics = java.util.Collections.unmodifiableMap(m);
    this.staleSince =
        b.staleSince == null || state != JobState.RUNNING ? null : micros(b.staleSince);
  }

  /** Times are kept to the microsecond, as the job table stores them. */
  private static Instant micros(Instant t) {
    return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  private static String require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException("JobRecord." + name + " is required");
    }
    return value;
  }

  /**
   * A new job id for a backfill of a column: {@code geneva-<column>-<8 hex digits>}, lower case.
   *
   * @param column the column
   * @return the id
   */
  public static String newJobId(String column) {
    String slug = column.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    if (slug.length() > 40) {
      slug = slug.substring(0, 40);
    }
    return "geneva-" + slug + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Starts a record.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this record into a builder, e.g. to report a new state; {@link #staleSince()}, a
   * reading, is not copied.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.jobId = jobId;
    b.table = table;
    b.column = column;
    b.udfClass = udfClass;
    b.udfVersion = udfVersion;
    b.state = state;
    b.createdAt = createdAt;
    b.startedAt = startedAt;
    b.endedAt = endedAt;
    b.updatedAt = null;
    b.executor = executor;
    b.cluster = cluster;
    b.error = error;
    b.metrics.putAll(metrics);
    return b;
  }

  /**
   * The job's id: the Ray job's submission id for cluster backfills, else generated.
   *
   * @return the id
   */
  public String jobId() {
    return jobId;
  }

  /**
   * The table's name.
   *
   * @return the name
   */
  public String table() {
    return table;
  }

  /**
   * The computed column.
   *
   * @return the column
   */
  public String column() {
    return column;
  }

  /**
   * The UDF's class name (empty when the client recorded the job before the driver read it).
   *
   * @return the class name
   */
  public String udfClass() {
    return udfClass;
  }

  /**
   * The UDF's declared version (empty when not known yet).
   *
   * @return the version
   */
  public String udfVersion() {
    return udfVersion;
  }

  /**
   * The state at the last report.
   *
   * @return the state
   */
  public JobState state() {
    return state;
  }

  /**
   * When the job was created (submitted, or started when it ran in this JVM).
   *
   * @return the time
   */
  public Instant createdAt() {
    return createdAt;
  }

  /**
   * When computing started.
   *
   * @return the time, empty while pending
   */
  public Optional<Instant> startedAt() {
    return Optional.ofNullable(startedAt);
  }

  /**
   * When the job ended.
   *
   * @return the time, empty until it ends
   */
  public Optional<Instant> endedAt() {
    return Optional.ofNullable(endedAt);
  }

  /**
   * When this report was written.
   *
   * @return the time
   */
  public Instant updatedAt() {
    return updatedAt;
  }

  /**
   * Where the tasks ran: the executor's name ({@code threads}, {@code ray-local}, {@code
   * ray-cluster}...) or the client's target while the job is pending.
   *
   * @return the name
   */
  public String executor() {
    return executor;
  }

  /**
   * The cluster the job ran on ({@code namespace/name}), for cluster backfills.
   *
   * @return the cluster, empty for jobs in one JVM
   */
  public Optional<String> cluster() {
    return Optional.ofNullable(cluster);
  }

  /**
   * Why the job failed or was cancelled.
   *
   * @return the message, empty otherwise
   */
  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  /**
   * Whether the job looked abandoned when it was read: it is {@code RUNNING}, but nothing (neither
   * a heartbeat, which a running backfill writes every {@link JobHistory#heartbeatInterval()}, nor
   * its end) was recorded for longer than the history's {@link JobHistory#staleAfter()}. Its client
   * or driver most likely died; running the backfill again resumes from its checkpoints. Derived
   * when reading, never stored: a later report clears it.
   *
   * @return the last report's time, when the job is stale; empty otherwise
   */
  public Optional<Instant> staleSince() {
    return Optional.ofNullable(staleSince);
  }

  /**
   * The metrics, by {@link JobMetrics} name, in {@link JobMetrics#names()} order.
   *
   * @return the metrics (read-only)
   */
  public Map<String, Long> metrics() {
    return metrics;
  }

  /**
   * One metric.
   *
   * @param name a {@link JobMetrics} name
   * @return the value, 0 when not recorded
   */
  public long metric(String name) {
    return metrics.getOrDefault(name, 0L);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobRecord r
        && jobId.equals(r.jobId)
        && table.equals(r.table)
        && column.equals(r.column)
        && udfClass.equals(r.udfClass)
        && udfVersion.equals(r.udfVersion)
        && state == r.state
        && createdAt.equals(r.createdAt)
        && Objects.equals(startedAt, r.startedAt)
        && Objects.equals(endedAt, r.endedAt)
        && updatedAt.equals(r.updatedAt)
        && executor.equals(r.executor)
        && Objects.equals(cluster, r.cluster)
        && Objects.equals(error, r.error)
        && metrics.equals(r.metrics)
        && Objects.equals(staleSince, r.staleSince);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, state, updatedAt);
  }

  @Override
  public String toString() {
    return "JobRecord{"
        + jobId
        + ", table="
        + table
        + ", column="
        + column
        + ", state="
        + state
        + (staleSince == null ? "" : " (stale since " + staleSince + ")")
        + ", executor="
        + executor
        + (cluster == null ? "" : ", cluster=" + cluster)
        + ", metrics="
        + metrics
        + "}";
  }

  /** Builds a {@link JobRecord}. */
  public static final class Builder {
    private String jobId;
    private String table;
    private String column;
    private String udfClass;
    private String udfVersion;
    private JobState state;
    private Instant createdAt;
    private Instant startedAt;
    private Instant endedAt;
    private Instant updatedAt;
    private String executor;
    private String cluster;
    private String error;
    private final Map<String, Long> metrics = new LinkedHashMap<>();
    private Instant staleSince;

    private Builder() {}

    /**
     * Sets the id.
     *
     * @param jobId the id
     * @return this builder
     */
    public Builder jobId(String jobId) {
      this.jobId = jobId;
      return this;
    }

    /**
     * Sets the table's name.
     *
     * @param table the name
     * @return this builder
     */
    public Builder table(String table) {
      this.table = table;
      return this;
    }

    /**
     * Sets the column.
     *
     * @param column the column
     * @return this builder
     */
    public Builder column(String column) {
      this.column = column;
      return this;
    }

    /**
     * Sets the UDF's class name.
     *
     * @param udfClass the class name
     * @return this builder
     */
    public Builder udfClass(String udfClass) {
      this.udfClass = udfClass;
      return this;
    }

    /**
     * Sets the UDF's version.
     *
     * @param udfVersion the version
     * @return this builder
     */
    public Builder udfVersion(String udfVersion) {
      this.udfVersion = udfVersion;
      return this;
    }

    /**
     * Sets the state.
     *
     * @param state the state
     * @return this builder
     */
    public Builder state(JobState state) {
      this.state = state;
      return this;
    }

    /**
     * Sets when the job was created.
     *
     * @param createdAt the time
     * @return this builder
     */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    /**
     * Sets when computing started.
     *
     * @param startedAt the time, or null
     * @return this builder
     */
    public Builder startedAt(Instant startedAt) {
      this.startedAt = startedAt;
      return this;
    }

    /**
     * Sets when the job ended.
     *
     * @param endedAt the time, or null
     * @return this builder
     */
    public Builder endedAt(Instant endedAt) {
      this.endedAt = endedAt;
      return this;
    }

    /**
     * Sets when this report is written (default: when the record is built).
     *
     * @param updatedAt the time
     * @return this builder
     */
    public Builder updatedAt(Instant updatedAt) {
      this.updatedAt = updatedAt;
      return this;
    }

    /**
     * Sets where the tasks ran.
     *
     * @param executor the executor's or target's name
     * @return this builder
     */
    public Builder executor(String executor) {
      this.executor = executor;
      return this;
    }

    /**
     * Sets the cluster.
     *
     * @param cluster {@code namespace/name}, or null
     * @return this builder
     */
    public Builder cluster(String cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * Sets the error.
     *
     * @param error the message, or null
     * @return this builder
     */
    public Builder error(String error) {
      this.error = error;
      return this;
    }

    /**
     * Sets one metric.
     *
     * @param name a {@link JobMetrics} name
     * @param value the value
     * @return this builder
     */
    public Builder metric(String name, long value) {
      if (!JobMetrics.names().contains(name)) {
        throw new InvalidInputException(
            "unknown job metric '" + name + "': use one of " + JobMetrics.names());
      }
      metrics.put(name, value);
      return this;
    }

    /**
     * Marks a {@code RUNNING} job as stale since its last report (the {@link JobHistory} does when
     * reading; a record is written without it). Ignored for other states.
     *
     * @param staleSince the last report's time, or null
     * @return this builder
     */
    public Builder staleSince(Instant staleSince) {
      this.staleSince = staleSince;
      return this;
    }

    /**
     * Replaces the metrics.
     *
     * @param values by {@link JobMetrics} name
     * @return this builder
     */
    public Builder metrics(Map<String, Long> values) {
      metrics.clear();
      values.forEach(this::metric);
      return this;
    }

    /**
     * Builds the record.
     *
     * @return the record
     * @throws InvalidInputException when the id, table, column, state or creation time is missing
     */
    public JobRecord build() {
      if (state == null || createdAt == null) {
        throw new InvalidInputException(
            "JobRecord needs a state and a createdAt time, got " + state + " and " + createdAt);
      }
      return new JobRecord(this);
    }
  }
}
