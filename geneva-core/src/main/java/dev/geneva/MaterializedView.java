package dev.geneva;

import com.lancedb.lance.Dataset;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.internal.view.RefreshLease;
import dev.geneva.internal.view.RefreshRun;
import dev.geneva.internal.view.ViewMetadata;
import dev.geneva.internal.view.ViewQueryOptions;
import dev.geneva.internal.view.ViewRefresher;
import dev.geneva.spi.BackfillTarget;
import dev.geneva.udf.Udf;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A materialized view: a Lance table holding the result of a {@link Query} over a source table (or
 * of a UDTF's expansion of it) plus UDF columns, brought up to date by {@link #refresh()}.
 *
 * <p>Each view row keeps its source row's id in the column {@value #SOURCE_ROW_ID} (the source
 * row's address, {@code fragment << 32 | offset}). A refresh works incrementally: source rows new
 * since the last refresh are added and their UDF columns computed; view rows whose source rows were
 * deleted or rewritten are deleted; view rows whose source rows did not change keep their values. A
 * refresh that stops (a UDF failure, a killed process) leaves the view resumable: the next refresh
 * finishes the job with the same result. Read the view like any table through {@link #table()}.
 */
public final class MaterializedView {
  /** The view column holding each row's source row id. */
  public static final String SOURCE_ROW_ID = ViewMetadata.SOURCE_ROW_ID;

  private final Table table;
  private final TableLocation location;
  private final TableLocation source;

  MaterializedView(Table table, TableLocation location, TableLocation source) {
    this.table = table;
    this.location = location;
    this.source = source;
  }

  /**
   * The view's table, for reading, counting, searching and backfilling.
   *
   * @return the table
   */
  public Table table() {
    return table;
  }

  /**
   * The view's name.
   *
   * @return the name
   */
  public String name() {
    return table.name();
  }

  /**
   * The source table's name.
   *
   * @return the name
   */
  public String sourceName() {
    return metadata().sourceName();
  }

  /**
   * The source table's URI.
   *
   * @return the URI
   */
  public String sourceUri() {
    return source.uri();
  }

  /**
   * The source columns the view reads (copied columns and UDTF inputs).
   *
   * @return the column names
   */
  public List<String> sourceColumns() {
    return metadata().columns();
  }

  /**
   * The query's filter.
   *
   * @return the filter, or empty for all source rows
   */
  public Optional<String> filter() {
    return metadata().filter();
  }

  /**
   * The UDTF's class name, for a view made with {@code createUdtfView}.
   *
   * @return the class name, or empty for a plain view
   */
  public Optional<String> udtfClass() {
    return metadata().udtfClass();
  }

  /**
   * The source version the view reflects.
   *
   * @return the version of the last finished refresh, or empty before the first
   */
  public OptionalLong refreshedVersion() {
    return metadata().refreshedVersion();
  }

  /**
   * The seed of the query's shuffle ({@link Query#shuffle(long)}).
   *
   * @return the seed, or empty when the view is not shuffled
   */
  public OptionalLong shuffleSeed() {
    return queryOptions().shuffleSeed();
  }

  /**
   * The fraction of source rows the query's sample keeps ({@link Query#sample(double, long)}).
   *
   * @return the fraction, or empty when the view is not sampled
   */
  public OptionalDouble sampleFraction() {
    return queryOptions().sampleFraction();
  }

  /**
   * The seed of the query's sample.
   *
   * @return the seed, or empty when the view is not sampled
   */
  public OptionalLong sampleSeed() {
    ViewQueryOptions o = queryOptions();
    return o.sampleFraction().isPresent() ? OptionalLong.of(o.sampleSeed()) : OptionalLong.empty();
  }

  private ViewQueryOptions queryOptions() {
    try (Dataset ds = location.openLatest()) {
      return ViewQueryOptions.fromConfig(ds.getConfig());
    }
  }

  /**
   * Adds UDF columns to the view, computed for every row by the next refresh; see {@link
   * Table#addColumns(Map)}.
   *
   * @param udfs new column name to UDF
   */
  public void addColumns(Map<String, ? extends Udf> udfs) {
    table.addColumns(udfs);
  }

  /**
   * Plans a refresh to the source's latest version without writing anything.
   *
   * @return what a refresh would do
   */
  public RefreshPlan planRefresh() {
    return planRefresh(RefreshOptions.defaults());
  }

  /**
   * Plans a refresh without writing anything: rows to add and delete, fragments to compare, UDF
   * columns to backfill.
   *
   * @param options the source version to plan for
   * @return what a refresh would do
   * @throws InvalidInputException for a source version that does not exist
   */
  public RefreshPlan planRefresh(RefreshOptions options) {
    return refresher().plan(options.sourceVersion());
  }

  /**
   * Refreshes to the source's latest version and waits.
   *
   * @return what was done
   */
  public RefreshResult refresh() {
    return refresh(RefreshOptions.defaults());
  }

  /**
   * Refreshes to a given source version (older or newer than the last) and waits.
   *
   * @param sourceVersion a version of the source table
   * @return what was done
   */
  public RefreshResult refresh(long sourceVersion) {
    return refresh(RefreshOptions.builder().sourceVersion(sourceVersion).build());
  }

  /**
   * Refreshes and waits. The rows are added and deleted by this JVM. The UDTF of a UDTF view
   * expands the new rows as tasks, one per source fragment, on the executor the options' backfills
   * use in this JVM (the options' executor or the connection's: threads, embedded Ray, or Ray
   * workers when this JVM is a Ray job's driver) with the UDTF's resources; each task's rows are
   * recorded as a piece that a stopped refresh reuses. The UDF columns are backfilled where the
   * options' backfills run (threads, embedded Ray, a cluster).
   *
   * <p>One refresh of a view runs at a time, whatever thread or process starts it: a refresh takes
   * the view's refresh lease (recorded in the view table) and waits while another refresh holds it,
   * at most {@link RefreshOptions#waitForOtherRefresh()}, then refreshes from where the other left
   * the view.
   *
   * @param options the source version and backfill options
   * @return what was done
   * @throws InvalidInputException for a source version that does not exist, before anything is
   *     written
   * @throws GenevaException when a step fails, or another refresh of the view did not finish in
   *     time; the view stays resumable: refresh again
   */
  public RefreshResult refresh(RefreshOptions options) {
    return run(options, new RefreshRun(name()));
  }

  /** Refreshes while holding the view's refresh lease, so one refresh runs at a time. */
  private RefreshResult run(RefreshOptions options, RefreshRun run) {
    if (options.sourceVersion().isPresent()) {
      long latest;
      try (Dataset ds = source.openLatest()) {
        latest = ds.version();
      }
      long target = options.sourceVersion().getAsLong();
      if (target > latest) {
        throw new InvalidInputException(
            "cannot refresh view '"
                + name()
                + "' to source version "
                + target
                + ": the source '"
                + source.name()
                + "' has versions 1 to "
                + latest);
      }
    }
    ViewRefresher refresher = refresher();
    // Refused before the lease too: a refusal leaves the view's table untouched.
    BackfillTarget target = refresher.checkAdmission(options.backfillOptions());
    if (target != null && target.runsRefreshes()) {
      // The whole refresh runs there (a cluster's Ray job), which takes the lease itself.
      return run.remote(
          () -> target.startRefresh(table, options.sourceVersion(), options.backfillOptions()));
    }
    try (RefreshLease lease = RefreshLease.acquire(location, options.waitForOtherRefresh(), run)) {
      return refresher.refresh(options.sourceVersion(), options.backfillOptions(), run);
    }
  }

  /**
   * Starts a refresh on a thread of its own and returns at once, with its live progress and a
   * {@link RefreshJob#cancel()} that stops it at a safe point, leaving the view resumable.
   *
   * @param options the source version and backfill options
   * @return the running refresh
   */
  public RefreshJob refreshAsync(RefreshOptions options) {
    return RefreshRun.start(name(), run -> run(options, run));
  }

  /**
   * Starts a refresh to the source's latest version on a thread of its own; see {@link
   * #refreshAsync(RefreshOptions)}.
   *
   * @return the running refresh
   */
  public RefreshJob refreshAsync() {
    return refreshAsync(RefreshOptions.defaults());
  }

  private ViewRefresher refresher() {
    return new ViewRefresher(source, location, table, table::executor);
  }

  private ViewMetadata metadata() {
    return ViewRefresher.metadata(location);
  }

  @Override
  public String toString() {
    return "MaterializedView{name=" + name() + ", source=" + source.shownUri() + "}";
  }
}
