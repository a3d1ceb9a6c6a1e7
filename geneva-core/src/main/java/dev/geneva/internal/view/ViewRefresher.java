package dev.geneva.internal.view;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.schema.LanceField;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.RefreshPlan;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.internal.engine.ColumnGroup;
import dev.geneva.internal.engine.LocalThreadExecutor;
import dev.geneva.internal.engine.SqlFilters;
import dev.geneva.internal.engine.UdfMetadata;
import dev.geneva.internal.lance.TableConfig;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTarget;
import dev.geneva.spi.BackfillTargets;
import dev.geneva.udf.Udtf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans and runs the refresh of a materialized view.
 *
 * <p>Each view row keeps its source row's id: the row address in the source ({@code fragment << 32
 * | offset}), which never changes while the row lives (Lance rewrites a row it updates or compacts
 * under a new address). A refresh to source version {@code V} compares, fragment by fragment, the
 * live rows of {@code V} that match the query with the source ids the view holds, deletes the view
 * rows whose source rows are gone and appends the missing ones (one commit per fragment), then
 * backfills the UDF columns, whose null rows are exactly the new ones. Fragments whose metadata is
 * the same at {@code V} as at the last refreshed version are skipped; a fragment whose data files
 * for the view's columns changed (a source column rewritten in place) is rebuilt. Every step
 * compares with what the view holds, so a refresh that stops anywhere resumes to the same result;
 * the refreshed version is recorded only after everything is committed.
 */
public final class ViewRefresher {
  private static final Logger LOG = LoggerFactory.getLogger(ViewRefresher.class);
  private static final int DELETE_CHUNK = 500;

  private final TableLocation source;
  private final TableLocation view;
  private final Table viewTable;
  private final Function<BackfillOptions, BackfillExecutor> executors;
  private ViewQueryOptions queryOptions;

  /**
   * Creates a refresher.
   *
   * @param source the source table
   * @param view the view table
   * @param viewTable the view table's public handle (appends, deletes, backfills)
   */
  public ViewRefresher(TableLocation source, TableLocation view, Table viewTable) {
    this(source, view, viewTable, null);
  }

  /**
   * Creates a refresher whose UDTF expansion runs on the executor the refresh's backfill options
   * choose.
   *
   * @param source the source table
   * @param view the view table
   * @param viewTable the view table's public handle (appends, deletes, backfills)
   * @param executors the executor for given backfill options (the options' or the connection's), or
   *     null to expand on threads of this JVM
   */
  public ViewRefresher(
      TableLocation source,
      TableLocation view,
      Table viewTable,
      Function<BackfillOptions, BackfillExecutor> executors) {
    this.source = source;
    this.view = view;
    this.viewTable = viewTable;
    this.executors = executors;
  }

  /**
   * Reads the view's record.
   *
   * @param location the view table
   * @return the record
   * @throws InvalidInputException when the table is not a materialized view
   */
  public static ViewMetadata metadata(TableLocation location) {
    try (Dataset ds = location.openLatest()) {
      return ViewMetadata.fromConfig(ds.getConfig())
          .orElseThrow(
              () ->
                  new InvalidInputException(
                      "table '"
                          + location.name()
                          + "' is not a materialized view: open it with openTable, or create a"
                          + " view with createMaterializedView or createUdtfView"));
    }
  }

  /**
   * Records a view's metadata in its table's config.
   *
   * @param location the view table
   * @param metadata the record
   */
  public static void write(TableLocation location, ViewMetadata metadata) {
    try (Dataset ds = location.openLatest()) {
      Set<String> absent = new HashSet<>(ViewMetadata.OPTIONAL_KEYS);
      absent.removeAll(metadata.toConfig().keySet());
      absent.retainAll(ds.getConfig().keySet());
      TableConfig.update(ds, metadata.toConfig(), absent);
    }
  }

  private enum Kind {
    SKIP,
    SYNC,
    REDO
  }

  /** The fragments to work on for one refresh. */
  private record Work(
      ViewMetadata meta,
      long target,
      Map<Integer, Kind> fragments,
      Set<Integer> removed,
      Udtf udtf,
      Optional<String> udtfVersion) {}

  private record Signature(List<String> files, Object deletion, long physicalRows) {}

  /**
   * Plans a refresh without writing.
   *
   * @param version the source version, or empty for the latest
   * @return the plan
   */
  public RefreshPlan plan(OptionalLong version) {
    Work work = work(version);
    long[] counts = new long[2];
    int redo = 0;
    for (var e : work.fragments.entrySet()) {
      Diff d = diff(work, e.getKey(), e.getValue());
      counts[0] += d.missing.size();
      counts[1] += d.staleRows;
      redo += e.getValue() == Kind.REDO ? 1 : 0;
    }
    for (int f : work.removed) {
      counts[1] += rows(existing(f).values());
    }
    return new RefreshPlan(
        view.name(),
        work.meta.refreshedVersion(),
        work.target,
        work.meta.refreshingTo().isPresent(),
        work.fragments.size(),
        redo,
        work.removed.size(),
        counts[0],
        counts[1],
        udfColumnsInOrder(viewSchema()));
  }

  /**
   * Runs a refresh, reporting its progress to {@code run} and stopping at a safe point when it is
   * cancelled: between source fragments, and by cancelling the UDF column's backfill under way. The
   * caller runs {@link #checkAdmission} first, before it takes the refresh lease.
   *
   * @param version the source version, or empty for the latest
   * @param backfillOptions options for the UDF columns' backfills (their {@code where} must be
   *     unset)
   * @param run the progress and cancellation of this refresh
   * @return what was done
   * @throws java.util.concurrent.CancellationException when cancelled; the view stays resumable
   */
  public RefreshResult refresh(
      OptionalLong version, BackfillOptions backfillOptions, RefreshRun run) {
    long started = System.nanoTime();
    Work work = work(version);
    ViewMetadata meta = work.meta;
    boolean record =
        (meta.refreshingTo().isEmpty() || meta.refreshingTo().getAsLong() != work.target)
            && (!work.fragments.isEmpty() || !work.removed.isEmpty());
    // An unfinished refresh's record names the source version whose fragments the view may hold
    // rows of. Replace it only once the rows of every fragment gone from the target (compacted
    // away, say) are deleted: else a refresh that stops in between leaves them in the view for
    // good, since no version the next refresh compares with lists their fragment any more.
    boolean replacing = record && meta.refreshingTo().isPresent();
    if (record && !replacing) {
      write(view, meta.refreshing(work.target));
    }
    long added = 0;
    long viewAdded = 0;
    long deleted = 0;
    long failed = 0;
    run.syncing(work.fragments.size());
    for (int f : work.removed) {
      run.checkCancelled();
      Map<Long, Integer> gone = existing(f);
      if (!gone.isEmpty()) {
        viewTable.delete(range(f));
        deleted += rows(gone.values());
        run.deleted(rows(gone.values()));
      }
    }
    if (replacing) {
      write(view, meta.refreshing(work.target));
    }
    Schema viewSchema = viewSchema();
    boolean shuffled = queryOptions().shuffleSeed().isPresent();
    Map<Integer, long[]> toShuffle = new TreeMap<>();
    try (Dataset src = source.openVersion(work.target);
        Expander expander = new Expander(work, viewSchema, backfillOptions)) {
      for (var e : new TreeMap<>(work.fragments).entrySet()) {
        run.checkCancelled();
        int f = e.getKey();
        Diff d = diff(work, f, e.getValue());
        if (!d.stale.isEmpty()) {
          if (e.getValue() == Kind.REDO) {
            viewTable.delete(range(f));
          } else {
            deleteIds(d.stale);
          }
          deleted += d.staleRows;
          run.deleted(d.staleRows);
        }
        if (!d.missing.isEmpty() && shuffled) {
          toShuffle.put(f, d.missing.stream().mapToLong(Long::longValue).sorted().toArray());
        } else if (!d.missing.isEmpty()) {
          if (expander.expansion != null) {
            expander.expansion.add(f, d.missing);
            continue; // done when its piece is appended
          }
          long[] rows = append(src, f, work.meta, viewSchema, d.missing);
          added += rows[0];
          viewAdded += rows[1];
          run.added(rows[0], rows[1]);
        }
        run.fragmentDone();
      }
      if (!toShuffle.isEmpty()) {
        long[] rows =
            new ShuffledAppender(view, viewTable, queryOptions(), run)
                .append(src, work.meta, viewSchema, toShuffle);
        added += rows[0];
        viewAdded += rows[1];
      }
      if (expander.expansion != null) {
        expander.expansion.finish(
            new UdtfExpansion.Progress() {
              @Override
              public void checkCancelled() {
                run.checkCancelled();
              }

              @Override
              public void committed(long sourceRows, long viewRows) {
                run.added(sourceRows, viewRows);
                run.fragmentDone();
              }
            });
        added += expander.expansion.sourceRows();
        viewAdded += expander.expansion.viewRows();
        failed = expander.expansion.failedRows();
      }
    }
    Map<String, BackfillResult> backfills = new LinkedHashMap<>();
    List<String> columns = udfColumnsInOrder(viewSchema());
    run.backfilling(columns.size());
    for (String column : columns) {
      backfills.put(column, run.backfill(() -> viewTable.backfillAsync(column, backfillOptions)));
    }
    run.checkCancelled();
    write(view, metadata(view).refreshed(work.target, work.udtfVersion));
    if (work.udtf != null) {
      UdtfPieces.clear(view.uri(), view.storageOptions());
    }
    LOG.info(
        "refreshed view '{}' to source version {}: {} source rows added ({} view rows), {} view"
            + " rows deleted",
        view.name(),
        work.target,
        added,
        viewAdded,
        deleted);
    return new RefreshResult(
        view.name(),
        meta.refreshedVersion(),
        work.target,
        added,
        viewAdded,
        deleted,
        failed,
        backfills,
        viewTable.version(),
        Duration.ofNanos(System.nanoTime() - started));
  }

  /**
   * Lets the target the UDF columns' backfills will go to refuse them, and the view's UDTF, before
   * anything is written (a cluster whose worker groups cannot fit a UDF's or the UDTF's resources).
   * The target is found as {@link Table#backfill(String, BackfillOptions)} finds it.
   *
   * @param options the UDF columns' backfill options
   * @return the target, or null when the backfills run in this JVM
   * @throws dev.geneva.GenevaException when the target refuses the UDTF or a column
   */
  public BackfillTarget checkAdmission(BackfillOptions options) {
    BackfillTarget target = options.target().orElse(null);
    if (target == null && options.executor().isEmpty()) {
      target = BackfillTargets.current().orElse(null);
    }
    if (target != null) {
      Udtf udtf =
          metadata(view).udtfClass().map(c -> UdtfRunner.instantiate(c, view.name())).orElse(null);
      if (udtf != null) {
        target.checkAdmission(viewTable, udtf);
      }
      for (String column : udfColumnsInOrder(viewSchema())) {
        target.checkAdmission(viewTable, column);
      }
    }
    return target;
  }

  /**
   * The UDTF expansion of one refresh (null for a plain view), with its executor found when the
   * first fragment is expanded: the options' or the connection's, or threads of this JVM that it
   * owns when the refresher was given no executors.
   */
  private final class Expander implements AutoCloseable {
    final UdtfExpansion expansion;
    private final BackfillOptions options;
    private BackfillExecutor owned;

    Expander(Work work, Schema viewSchema, BackfillOptions options) {
      this.options = options;
      this.expansion =
          work.udtf == null
              ? null
              : new UdtfExpansion(
                  source,
                  view,
                  viewTable,
                  work.meta,
                  work.target,
                  work.udtf,
                  viewSchema,
                  this::executor,
                  options.concurrency(),
                  options.rowsPerTask());
    }

    private BackfillExecutor executor() {
      if (executors != null) {
        return executors.apply(options);
      }
      if (owned == null) {
        owned = new LocalThreadExecutor(view.allocator());
      }
      return owned;
    }

    @Override
    public void close() {
      try {
        if (expansion != null) {
          expansion.close();
        }
      } finally {
        if (owned != null) {
          owned.close();
        }
      }
    }
  }

  private Work work(OptionalLong version) {
    ViewMetadata meta = metadata(view);
    Udtf udtf = meta.udtfClass().map(c -> UdtfRunner.instantiate(c, view.name())).orElse(null);
    Optional<String> udtfVersion =
        udtf == null ? Optional.empty() : Optional.of(udtf.spec().version());
    boolean udtfChanged = udtf != null && !udtfVersion.equals(meta.udtfVersion());
    long latest;
    try (Dataset ds = source.openLatest()) {
      latest = ds.version();
    } catch (RuntimeException e) {
      throw new GenevaException(
          "cannot open the source table '"
              + meta.sourceName()
              + "' of view '"
              + view.name()
              + "' at "
              + dev.geneva.internal.lance.UriRedaction.redact(meta.sourceUri())
              + ": "
              + dev.geneva.internal.lance.UriRedaction.scrub(e.getMessage(), meta.sourceUri()),
          e);
    }
    long target = version.orElse(latest);
    if (target < 1 || target > latest) {
      throw new InvalidInputException(
          "cannot refresh view '"
              + view.name()
              + "' to source version "
              + target
              + ": the source '"
              + meta.sourceName()
              + "' has versions 1 to "
              + latest);
    }
    Map<Integer, Signature> now;
    Set<Integer> relevant;
    try (Dataset ds = source.openVersion(target)) {
      relevant = meta.filter().isPresent() ? null : fieldIds(ds, meta.columns());
      now = signatures(ds, relevant);
    }
    List<Map<Integer, Signature>> bases = new ArrayList<>();
    for (OptionalLong b : List.of(meta.refreshedVersion(), meta.refreshingTo())) {
      if (b.isPresent() && b.getAsLong() <= latest) {
        try (Dataset ds = source.openVersion(b.getAsLong())) {
          bases.add(signatures(ds, relevant));
        }
      }
    }
    Map<Integer, Kind> fragments = new HashMap<>();
    for (var e : now.entrySet()) {
      Kind kind = meta.refreshedVersion().isEmpty() ? Kind.SYNC : Kind.SKIP;
      for (Map<Integer, Signature> base : bases) {
        Signature before = base.get(e.getKey());
        Kind k;
        if (before == null) {
          k = Kind.SYNC;
        } else if (!before.files.equals(e.getValue().files)
            || before.physicalRows != e.getValue().physicalRows) {
          k = Kind.REDO;
        } else if (!Objects.equals(before.deletion, e.getValue().deletion)) {
          k = Kind.SYNC;
        } else {
          k = Kind.SKIP;
        }
        if (k.ordinal() > kind.ordinal()) {
          kind = k;
        }
      }
      if (udtfChanged) {
        kind = Kind.REDO;
      }
      if (kind != Kind.SKIP) {
        fragments.put(e.getKey(), kind);
      }
    }
    Set<Integer> removed = new LinkedHashSet<>();
    for (Map<Integer, Signature> base : bases) {
      for (int f : base.keySet()) {
        if (!now.containsKey(f)) {
          removed.add(f);
        }
      }
    }
    return new Work(meta, target, fragments, removed, udtf, udtfVersion);
  }

  private static Set<Integer> fieldIds(Dataset ds, List<String> columns) {
    Set<Integer> ids = new HashSet<>();
    for (LanceField f : ds.getLanceSchema().fields()) {
      if (columns.contains(f.getName())) {
        collect(f, ids);
      }
    }
    return ids;
  }

  private static void collect(LanceField f, Set<Integer> ids) {
    ids.add(f.getId());
    for (LanceField c : f.getChildren()) {
      collect(c, ids);
    }
  }

  private static Map<Integer, Signature> signatures(Dataset ds, Set<Integer> relevant) {
    Map<Integer, Signature> out = new HashMap<>();
    for (var fragment : ds.getFragments()) {
      FragmentMetadata m = fragment.metadata();
      List<String> files = new ArrayList<>();
      for (DataFile file : m.getFiles()) {
        if (relevant == null || Arrays.stream(file.getFields()).anyMatch(relevant::contains)) {
          files.add(file.getPath());
        }
      }
      out.put(m.getId(), new Signature(files, m.getDeletionFile(), m.getPhysicalRows()));
    }
    return out;
  }

  /**
   * Missing source ids (to append), stale source ids (whose view rows to delete) and the number of
   * those view rows, for one fragment.
   */
  private record Diff(Set<Long> missing, Set<Long> stale, long staleRows) {}

  private Diff diff(Work work, int fragment, Kind kind) {
    Map<Long, Integer> existing = existing(fragment);
    Set<Long> live = new HashSet<>();
    try (Dataset src = source.openVersion(work.target)) {
      ViewQueryOptions options = queryOptions();
      scanIds(
          src,
          fragment,
          work.meta.filter(),
          id -> {
            if (options.sampled(id)) {
              live.add(id);
            }
          });
    }
    if (kind == Kind.REDO) {
      return new Diff(live, existing.keySet(), rows(existing.values()));
    }
    Set<Long> missing = new HashSet<>(live);
    missing.removeAll(existing.keySet());
    Set<Long> stale = new HashSet<>(existing.keySet());
    stale.removeAll(live);
    long staleRows = 0;
    for (long id : stale) {
      staleRows += existing.get(id);
    }
    return new Diff(missing, stale, staleRows);
  }

  private static long rows(java.util.Collection<Integer> counts) {
    long n = 0;
    for (int c : counts) {
      n += c;
    }
    return n;
  }

  private static void scanIds(
      Dataset src, int fragment, Optional<String> filter, LongConsumer sink) {
    ScanOptions.Builder scan =
        new ScanOptions.Builder()
            .fragmentIds(List.of(fragment))
            .columns(List.of())
            .withRowAddress(true);
    filter.ifPresent(f -> scan.filter(SqlFilters.wrap(f)));
    try (LanceScanner scanner = src.newScan(scan.build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        UInt8Vector a = (UInt8Vector) reader.getVectorSchemaRoot().getVector("_rowaddr");
        for (int i = 0; i < a.getValueCount(); i++) {
          sink.accept(a.get(i));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new GenevaException("cannot scan fragment " + fragment + " of the source: " + e, e);
    }
  }

  /** The source ids the view holds for one source fragment, with their numbers of view rows. */
  private Map<Long, Integer> existing(int fragment) {
    Map<Long, Integer> ids = new HashMap<>();
    try (Dataset ds = view.openLatest();
        LanceScanner scanner =
            ds.newScan(
                new ScanOptions.Builder()
                    .columns(List.of(ViewMetadata.SOURCE_ROW_ID))
                    .filter(range(fragment))
                    .build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        BigIntVector v = (BigIntVector) reader.getVectorSchemaRoot().getVector(0);
        for (int i = 0; i < reader.getVectorSchemaRoot().getRowCount(); i++) {
          ids.merge(v.get(i), 1, Integer::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new GenevaException("cannot scan view '" + view.name() + "': " + e, e);
    }
    return ids;
  }

  private static String range(int fragment) {
    long lo = ((long) fragment) << 32;
    long hi = ((long) fragment + 1) << 32;
    return ViewMetadata.SOURCE_ROW_ID
        + " >= "
        + lo
        + " AND "
        + ViewMetadata.SOURCE_ROW_ID
        + " < "
        + hi;
  }

  private void deleteIds(Set<Long> ids) {
    List<Long> all = new ArrayList<>(ids);
    for (int i = 0; i < all.size(); i += DELETE_CHUNK) {
      List<Long> chunk = all.subList(i, Math.min(all.size(), i + DELETE_CHUNK));
      StringBuilder filter = new StringBuilder(ViewMetadata.SOURCE_ROW_ID).append(" IN (");
      for (int k = 0; k < chunk.size(); k++) {
        filter.append(k == 0 ? "" : ", ").append(chunk.get(k));
      }
      viewTable.delete(filter.append(')').toString());
    }
  }

  /**
   * Appends the view rows of one fragment's missing source rows in one commit (a plain view; a UDTF
   * view's rows come from {@link UdtfExpansion}).
   */
  private long[] append(
      Dataset src, int fragment, ViewMetadata meta, Schema viewSchema, Set<Long> missing) {
    Schema written = UdtfExpansion.written(viewSchema);
    List<String> copied = new ArrayList<>();
    for (Field f : written.getFields()) {
      if (!f.getName().equals(ViewMetadata.SOURCE_ROW_ID)) {
        copied.add(f.getName());
      }
    }
    ScanOptions.Builder scan =
        new ScanOptions.Builder()
            .fragmentIds(List.of(fragment))
            .columns(meta.columns())
            .withRowAddress(true);
    meta.filter().ifPresent(f -> scan.filter(SqlFilters.wrap(f)));
    try (LanceScanner scanner = src.newScan(scan.build());
        ArrowReader rows = scanner.scanBatches();
        ViewRowsReader reader =
            new ViewRowsReader(view.allocator(), rows, written, copied, missing::contains, null)) {
      if (reader.prime()) {
        viewTable.add(reader);
      }
      return new long[] {reader.sourceRows(), reader.viewRows()};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GenevaException e) {
      throw e;
    } catch (Exception e) {
      throw new GenevaException(
          "cannot add the rows of source fragment "
              + fragment
              + " to view '"
              + view.name()
              + "': "
              + e,
          e);
    }
  }

  /** The view query's shuffle and sample, read once. */
  private ViewQueryOptions queryOptions() {
    if (queryOptions == null) {
      try (Dataset ds = view.openLatest()) {
        queryOptions = ViewQueryOptions.fromConfig(ds.getConfig());
      }
    }
    return queryOptions;
  }

  private Schema viewSchema() {
    try (Dataset ds = view.openLatest()) {
      return ds.getSchema();
    }
  }

  /** The view's UDF columns, each after the UDF columns it reads. */
  static List<String> udfColumnsInOrder(Schema schema) {
    // A group of columns from one UDF is backfilled once, by its name; an input that is a member
    // stands for its group.
    Map<String, String> backfilledAs = new LinkedHashMap<>();
    for (Field f : schema.getFields()) {
      if (UdfMetadata.from(f.getMetadata()).isPresent()) {
        backfilledAs.put(
            f.getName(),
            ColumnGroup.from(f.getMetadata()).map(ColumnGroup::name).orElse(f.getName()));
      }
    }
    Map<String, List<String>> inputs = new LinkedHashMap<>();
    for (Field f : schema.getFields()) {
      UdfMetadata.from(f.getMetadata())
          .ifPresent(
              m ->
                  inputs.putIfAbsent(
                      backfilledAs.get(f.getName()),
                      m.inputs().stream().map(in -> backfilledAs.getOrDefault(in, in)).toList()));
    }
    List<String> order = new ArrayList<>();
    Set<String> visiting = new HashSet<>();
    for (String c : inputs.keySet()) {
      visit(c, inputs, order, visiting);
    }
    return order;
  }

  private static void visit(
      String c, Map<String, List<String>> inputs, List<String> order, Set<String> visiting) {
    if (order.contains(c) || !visiting.add(c)) {
      return;
    }
    for (String in : inputs.get(c)) {
      if (inputs.containsKey(in)) {
        visit(in, inputs, order, visiting);
      }
    }
    order.add(c);
  }
}
