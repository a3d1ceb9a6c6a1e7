package dev.geneva;

import dev.geneva.internal.meta.SystemTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database's backfill history: a Lance table at {@code <database>/_geneva/jobs.lance} (never
 * listed as a user table), written by every backfill — in this JVM, on embedded Ray, and by the
 * driver of a cluster backfill (the client records the job as pending on submission and as failed
 * or cancelled when it loses or stops it). Being in the database, it outlives any cluster.
 *
 * <p>Each report is a row appended to the table (appends of concurrent writers never overwrite each
 * other; a lost commit race is retried), so the table is also an audit log of the jobs' state
 * changes (compaction, below, deletes superseded heartbeats). Reading folds the reports per job:
 * the furthest state wins ({@code PENDING < RUNNING < FAILED, CANCELLED < DONE}), the latest report
 * among equals. Plain Lance readers see one row per report kept, with the columns {@code job_id,
 * table_name, column_name, udf_class, udf_version, state, created_at, started_at, ended_at,
 * updated_at, executor, cluster, error}, then one {@code int64} column per {@link JobMetrics} name.
 * A table written by an older Geneva gains the columns of newer metrics on the first write of a
 * newer one (its old rows read them as null: not recorded); an older Geneva keeps reading and
 * writing it.
 *
 * <p>A running backfill reports {@code RUNNING} again (with its metrics so far) at least every
 * {@link #heartbeatInterval()}, so a job whose client or driver died — it stays {@code RUNNING},
 * since nothing is left to record its end — is read as stale ({@link JobRecord#staleSince()}) once
 * it has gone {@link #staleAfter()} without a report.
 *
 * <p>Every report is a Lance fragment and a table version of its own, so the table is compacted:
 * when this JVM last saw it with more than {@link ConnectOptions#jobHistoryCompactAfter()}
 * fragments, a backfill compacts it when it ends, before returning its result (a long one also at a
 * heartbeat, on a thread of its own), and {@link #compact()} (CLI {@code geneva jobs compact}) does
 * it on demand. A compaction keeps every report that changes a job's state ({@code PENDING}, {@code
 * FAILED}, {@code CANCELLED}, {@code DONE}), the first {@code RUNNING} report of each writer (per
 * creation time, start time, executor, cluster and UDF), and each job's latest {@code RUNNING}
 * report; it deletes the other heartbeats, which a later report of the same job supersedes, and
 * merges the fragments into one. Folded jobs read the same before and after (every field and
 * metric); what plain Lance readers lose is the metrics of intermediate heartbeats. Old table
 * versions stay: lance-core 0.39's Java API has no cleanup of old versions.
 */
public final class JobHistory {
  private static final Logger LOG = LoggerFactory.getLogger(JobHistory.class);

  /**
   * Fragments above which a backfill compacts the history when it ends, unless {@link
   * ConnectOptions.Builder#jobHistoryCompactAfter} sets another count.
   */
  public static final int DEFAULT_COMPACT_AFTER = 64;

  /** The table's file name under {@code _geneva/}, without {@code .lance}. */
  public static final String TABLE = "jobs";

  /** The layout of the rows; a reader refuses rows of a newer layout. */
  static final int FORMAT_VERSION = 1;

  /**
   * Metrics added after the table's first layout: nullable columns, added to an older table on its
   * next write (see {@link SystemTable}); null, and absent from the record, where not recorded.
   */
  private static final Set<String> ADDED_METRICS =
      Set.of(
          JobMetrics.READ_IO_TIME_MS,
          JobMetrics.UDF_PROCESSING_TIME,
          JobMetrics.WRITER_WRITE_TIME,
          JobMetrics.BATCH_CHECKPOINTING_TIME,
          JobMetrics.ROWS_READY_FOR_COMMIT,
          JobMetrics.CNT_GENEVA_WORKERS_ACTIVE);

  private static final Schema SCHEMA = schema();

  /** The most time between two reports of a running backfill (its heartbeats). */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(60);

  /** After how long without a report a {@code RUNNING} job is read as stale, by default. */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(10);

  private final SystemTable table;
  private final Clock clock;
  private final Duration staleAfter;
  private final int compactAfter;

  JobHistory(
      String databaseUri,
      Supplier<Map<String, String>> storage,
      BufferAllocator allocator,
      Duration staleAfter,
      int compactAfter) {
    this(
        new SystemTable(databaseUri, TABLE, SCHEMA, storage, allocator),
        Clock.systemUTC(),
        staleAfter,
        compactAfter);
  }

  private JobHistory(SystemTable table, Clock clock, Duration staleAfter, int compactAfter) {
    this.table = table;
    this.clock = clock;
    this.staleAfter = checkStaleAfter(staleAfter);
    this.compactAfter = checkCompactAfter(compactAfter);
  }

  static int checkCompactAfter(int fragments) {
    if (fragments < 0) {
      throw new InvalidInputException(
          "the fragment count above which the job history is compacted must be 0 (never"
              + " automatically) or more, got "
              + fragments
              + "; the default is "
              + DEFAULT_COMPACT_AFTER);
    }
    return fragments;
  }

  static Duration checkStaleAfter(Duration staleAfter) {
    if (staleAfter == null || staleAfter.isNegative() || staleAfter.isZero()) {
      throw new InvalidInputException(
          "the time after which a running job without reports is stale must be positive, got "
              + staleAfter
              + "; the default is "
              + DEFAULT_STALE_AFTER);
    }
    return staleAfter;
  }

  /**
   * The same history, read with another threshold for stale jobs (see {@link
   * JobRecord#staleSince()}); keep it several {@link #heartbeatInterval()}s of the writers long.
   *
   * @param staleAfter how long a {@code RUNNING} job may go without a report
   * @return the history
   */
  public JobHistory withStaleAfter(Duration staleAfter) {
    return new JobHistory(table, clock, staleAfter, compactAfter);
  }

  /** The same history, judging staleness by another clock (for tests). */
  JobHistory withClock(Clock clock) {
    return new JobHistory(table, clock, staleAfter, compactAfter);
  }

  /**
   * The same history, compacted automatically above another fragment count.
   *
   * @param fragments the count; 0 never compacts automatically
   * @return the history
   */
  public JobHistory withCompactAfter(int fragments) {
    return new JobHistory(table, clock, staleAfter, fragments);
  }

  /**
   * Above how many fragments a backfill that ends compacts the history.
   *
   * @return the count; 0 when it never does
   */
  public int compactAfter() {
    return compactAfter;
  }

  /**
   * After how long without a report a {@code RUNNING} job is read as stale ({@link
   * JobRecord#staleSince()}); {@link ConnectOptions.Builder#jobStaleAfter} sets it.
   *
   * @return the threshold
   */
  public Duration staleAfter() {
    return staleAfter;
  }

  /**
   * How often a backfill recording to this history reports that it is still running: {@link
   * #HEARTBEAT_INTERVAL}, or a quarter of {@link #staleAfter()} when that is shorter.
   *
   * @return the interval
   */
  public Duration heartbeatInterval() {
    Duration quarter = staleAfter.dividedBy(4);
    return quarter.compareTo(HEARTBEAT_INTERVAL) < 0 ? quarter : HEARTBEAT_INTERVAL;
  }

  private static Schema schema() {
    List<Field> fields = new ArrayList<>();
    fields.add(Field.notNullable("format_version", new ArrowType.Int(32, true)));
    for (String s :
        List.of("job_id", "table_name", "column_name", "udf_class", "udf_version", "state")) {
      fields.add(Field.notNullable(s, ArrowType.Utf8.INSTANCE));
    }
    ArrowType ts = new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    fields.add(Field.notNullable("created_at", ts));
    fields.add(Field.nullable("started_at", ts));
    fields.add(Field.nullable("ended_at", ts));
    fields.add(Field.notNullable("updated_at", ts));
    fields.add(Field.notNullable("executor", ArrowType.Utf8.INSTANCE));
    fields.add(Field.nullable("cluster", ArrowType.Utf8.INSTANCE));
    fields.add(Field.nullable("error", ArrowType.Utf8.INSTANCE));
    for (String m : JobMetrics.names()) {
      ArrowType int64 = new ArrowType.Int(64, true);
      fields.add(
          new Field(
              m,
              ADDED_METRICS.contains(m) ? FieldType.nullable(int64) : FieldType.notNullable(int64),
              null));
    }
    return new Schema(fields);
  }

  /**
   * The history table's URI.
   *
   * @return {@code <database>/_geneva/jobs.lance}
   */
  public String uri() {
    return table.uri();
  }

  /**
   * Appends a report about a job. Backfills and targets call this; users rarely need to.
   *
   * @param job the job as it is now
   * @throws GenevaException when the report cannot be written after retrying commit conflicts
   */
  public void record(JobRecord job) {
    table.append(
        batch -> {
          ((IntVector) batch.getVector("format_version")).setSafe(0, FORMAT_VERSION);
          text(batch, "job_id", job.jobId());
          text(batch, "table_name", job.table());
          text(batch, "column_name", job.column());
          text(batch, "udf_class", job.udfClass());
          text(batch, "udf_version", job.udfVersion());
          text(batch, "state", job.state().name());
          time(batch, "created_at", job.createdAt());
          time(batch, "started_at", job.startedAt().orElse(null));
          time(batch, "ended_at", job.endedAt().orElse(null));
          time(batch, "updated_at", job.updatedAt());
          text(batch, "executor", job.executor());
          text(batch, "cluster", job.cluster().orElse(null));
          text(batch, "error", job.error().orElse(null));
          for (String m : JobMetrics.names()) {
            Long value = job.metrics().get(m);
            if (value == null && ADDED_METRICS.contains(m)) {
              ((BigIntVector) batch.getVector(m)).setNull(0);
            } else {
              ((BigIntVector) batch.getVector(m)).setSafe(0, value == null ? 0 : value);
            }
          }
          batch.setRowCount(1);
        });
  }

  /**
   * Deletes superseded heartbeats and merges the table's fragments (see the class comment for what
   * is kept), waiting for a compaction of this JVM that is under way. Concurrent writers may go on
   * appending: nothing they append is lost.
   *
   * @return what it did (all zeros when nothing was recorded yet)
   * @throws GenevaException when the table cannot be read or rewritten, or holds reports of a newer
   *     Geneva (which this one cannot judge)
   */
  public JobHistoryCompaction compact() {
    return table
        .compact(HeartbeatPruning::new, true)
        .map(JobHistory::result)
        .orElse(new JobHistoryCompaction(0, 0, 0, 0, 0));
  }

  /**
   * Whether this JVM last saw the table with more than {@link #compactAfter()} fragments (no I/O).
   *
   * @return true when {@link #compactIfNeeded()} would compact
   */
  public boolean compactionDue() {
    return compactAfter > 0 && table.lastKnownFragments() > compactAfter;
  }

  /**
   * Compacts the history when {@link #compactionDue()} and no other compaction of this JVM is under
   * way. Never throws: backfills call it when they end, and a failed compaction is logged (the next
   * one tries again) rather than failing them.
   *
   * @return what it did; empty when it was not due, was under way already, or failed
   */
  public Optional<JobHistoryCompaction> compactIfNeeded() {
    if (!compactionDue()) {
      return Optional.empty();
    }
    try {
      Optional<JobHistoryCompaction> done =
          table.compact(HeartbeatPruning::new, false).map(JobHistory::result);
      done.ifPresent(
          c ->
              LOG.info(
                  "compacted the job history {}: {} of {} reports deleted, {} fragments now"
                      + " (were {})",
                  uri(),
                  c.rowsDeleted(),
                  c.rowsBefore(),
                  c.fragmentsAfter(),
                  c.fragmentsBefore()));
      return done;
    } catch (Exception e) { // never fails a caller, whatever lance-core throws
      LOG.warn(
          "could not compact the job history {} (nothing is lost; it grows until a later"
              + " compaction, or 'geneva jobs compact', succeeds): {}",
          uri(),
          e.toString());
      return Optional.empty();
    }
  }

  private static JobHistoryCompaction result(SystemTable.Compacted c) {
    return new JobHistoryCompaction(
        c.rowsBefore(), c.rowsDeleted(), c.fragmentsBefore(), c.fragmentsAfter(), c.version());
  }

  /**
   * Chooses the heartbeats a compaction deletes: every {@code RUNNING} report except, per job, the
   * latest and the earliest of each writer's signature (the fields a fold takes from the first
   * report that has them). Reports of other states are always kept.
   */
  private final class HeartbeatPruning implements SystemTable.Pruning {
    private record Heartbeat(long address, long updatedAt, List<Object> signature) {}

    private final Map<String, List<Heartbeat>> running = new HashMap<>();

    @Override
    public void read(VectorSchemaRoot batch, UInt8Vector rowAddresses) {
      IntVector format = (IntVector) batch.getVector("format_version");
      for (int i = 0; i < batch.getRowCount(); i++) {
        if (format.get(i) > FORMAT_VERSION) {
          throw new GenevaException(
              "the job history at "
                  + uri()
                  + " has rows of layout "
                  + format.get(i)
                  + ", newer than this Geneva's "
                  + FORMAT_VERSION
                  + ", so this Geneva does not compact it: upgrade Geneva");
        }
        if (!JobState.RUNNING.name().equals(text(batch, "state", i))) {
          continue;
        }
        List<Object> signature =
            java.util.Arrays.asList(
                micros(batch, "created_at", i),
                micros(batch, "started_at", i),
                text(batch, "executor", i),
                text(batch, "cluster", i),
                text(batch, "udf_class", i),
                text(batch, "udf_version", i));
        running
            .computeIfAbsent(text(batch, "job_id", i), k -> new ArrayList<>())
            .add(new Heartbeat(rowAddresses.get(i), micros(batch, "updated_at", i), signature));
      }
    }

    @Override
    public Set<Long> drop() {
      Set<Long> drop = new HashSet<>();
      for (List<Heartbeat> beats : running.values()) {
        long latest = beats.stream().mapToLong(Heartbeat::updatedAt).max().orElseThrow();
        Map<List<Object>, Long> firstBySignature = new HashMap<>();
        for (Heartbeat b : beats) {
          firstBySignature.merge(b.signature(), b.updatedAt(), Math::min);
        }
        for (Heartbeat b : beats) {
          // Ties are kept: which of two equal reports a fold meets first is not decided here.
          if (b.updatedAt() != latest && b.updatedAt() != firstBySignature.get(b.signature())) {
            drop.add(b.address());
          }
        }
      }
      return drop;
    }
  }

  private static Long micros(VectorSchemaRoot batch, String name, int i) {
    TimeStampMicroTZVector v = (TimeStampMicroTZVector) batch.getVector(name);
    return v.isNull(i) ? null : v.get(i);
  }

  /**
   * Every job, newest first.
   *
   * @return the jobs
   */
  public List<JobRecord> list() {
    return list(JobFilter.all());
  }

  /**
   * The jobs a filter selects, newest (by creation) first.
   *
   * @param filter table, column and states
   * @return the jobs
   */
  public List<JobRecord> list(JobFilter filter) {
    Map<String, List<JobRecord>> byId = new HashMap<>();
    table.scan(
        batch -> {
          for (int i = 0; i < batch.getRowCount(); i++) {
            JobRecord r = read(batch, i);
            byId.computeIfAbsent(r.jobId(), k -> new ArrayList<>()).add(r);
          }
        });
    Instant staleBefore = clock.instant().minus(staleAfter);
    return byId.values().stream()
        .map(JobHistory::fold)
        .map(r -> markStale(r, staleBefore))
        .filter(filter::matches)
        .sorted(
            Comparator.comparing(JobRecord::createdAt).reversed().thenComparing(JobRecord::jobId))
        .toList();
  }

  /**
   * One job.
   *
   * @param jobId the id
   * @return the job, empty when nothing was recorded under that id
   */
  public Optional<JobRecord> get(String jobId) {
    return list().stream().filter(j -> j.jobId().equals(jobId)).findFirst();
  }

  /**
   * Every report recorded about one job, as written (not folded into one record), oldest first: who
   * reported what, e.g. whether a client submitted it before its driver ran it. Heartbeats that a
   * {@linkplain #compact() compaction} deleted are gone; every state change, each writer's first
   * {@code RUNNING} report and the latest one stay.
   *
   * @param jobId the id
   * @return the reports, empty when nothing was recorded under that id
   */
  public List<JobRecord> reports(String jobId) {
    List<JobRecord> reports = new ArrayList<>();
    table.scan(
        batch -> {
          for (int i = 0; i < batch.getRowCount(); i++) {
            if (jobId.equals(text(batch, "job_id", i))) {
              reports.add(read(batch, i));
            }
          }
        });
    reports.sort(Comparator.comparing(JobRecord::updatedAt));
    return reports;
  }

  /** A running job last heard of before {@code staleBefore}, marked stale since then. */
  private static JobRecord markStale(JobRecord r, Instant staleBefore) {
    if (r.state() != JobState.RUNNING || !r.updatedAt().isBefore(staleBefore)) {
      return r;
    }
    return r.toBuilder().updatedAt(r.updatedAt()).staleSince(r.updatedAt()).build();
  }

  /**
   * The furthest report wins; creation time, start and cluster are the first ones known. "First" is
   * by report time, then by order in the table: compaction does not keep the order of rows.
   */
  private static JobRecord fold(List<JobRecord> unordered) {
    List<JobRecord> reports = new ArrayList<>(unordered);
    reports.sort(Comparator.comparing(JobRecord::updatedAt));
    JobRecord winner =
        reports.stream()
            .max(
                Comparator.comparingInt((JobRecord r) -> r.state().rank())
                    .thenComparing(JobRecord::updatedAt))
            .orElseThrow();
    JobRecord.Builder b = winner.toBuilder().updatedAt(winner.updatedAt());
    reports.stream()
        .map(JobRecord::createdAt)
        .min(Comparator.naturalOrder())
        .ifPresent(b::createdAt);
    if (winner.startedAt().isEmpty()) {
      reports.stream()
          .flatMap(r -> r.startedAt().stream())
          .min(Comparator.naturalOrder())
          .ifPresent(b::startedAt);
    }
    if (winner.cluster().isEmpty()) {
      reports.stream().flatMap(r -> r.cluster().stream()).findFirst().ifPresent(b::cluster);
    }
    if (winner.udfClass().isEmpty()) {
      reports.stream()
          .filter(r -> !r.udfClass().isEmpty())
          .findFirst()
          .ifPresent(r -> b.udfClass(r.udfClass()).udfVersion(r.udfVersion()));
    }
    return b.build();
  }

  private JobRecord read(VectorSchemaRoot batch, int i) {
    int format = ((IntVector) batch.getVector("format_version")).get(i);
    if (format > FORMAT_VERSION) {
      throw new GenevaException(
          "the job history at "
              + uri()
              + " has rows of layout "
              + format
              + ", newer than this Geneva's "
              + FORMAT_VERSION
              + ": upgrade Geneva to read it");
    }
    JobRecord.Builder b =
        JobRecord.builder()
            .jobId(text(batch, "job_id", i))
            .table(text(batch, "table_name", i))
            .column(text(batch, "column_name", i))
            .udfClass(text(batch, "udf_class", i))
            .udfVersion(text(batch, "udf_version", i))
            .state(JobState.valueOf(text(batch, "state", i)))
            .createdAt(time(batch, "created_at", i))
            .startedAt(time(batch, "started_at", i))
            .endedAt(time(batch, "ended_at", i))
            .updatedAt(time(batch, "updated_at", i))
            .executor(text(batch, "executor", i))
            .cluster(text(batch, "cluster", i))
            .error(text(batch, "error", i));
    for (String m : JobMetrics.names()) {
      FieldVector v = batch.getVector(m);
      if (v != null && !v.isNull(i)) {
        b.metric(m, ((BigIntVector) v).get(i));
      }
    }
    return b.build();
  }

  private static void text(VectorSchemaRoot batch, String name, String value) {
    VarCharVector v = (VarCharVector) batch.getVector(name);
    if (value == null) {
      v.setNull(0);
    } else {
      v.setSafe(0, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static String text(VectorSchemaRoot batch, String name, int i) {
    VarCharVector v = (VarCharVector) batch.getVector(name);
    return v.isNull(i) ? null : new String(v.get(i), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void time(VectorSchemaRoot batch, String name, Instant value) {
    TimeStampMicroTZVector v = (TimeStampMicroTZVector) batch.getVector(name);
    if (value == null) {
      v.setNull(0);
    } else {
      v.setSafe(0, ChronoUnit.MICROS.between(Instant.EPOCH, value));
    }
  }

  private static Instant time(VectorSchemaRoot batch, String name, int i) {
    TimeStampMicroTZVector v = (TimeStampMicroTZVector) batch.getVector(name);
    return v.isNull(i) ? null : Instant.EPOCH.plus(v.get(i), ChronoUnit.MICROS);
  }

  @Override
  public String toString() {
    return "JobHistory{" + uri() + "}";
  }
}
