package dev.geneva.internal.engine;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.schema.LanceField;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillPlanSummary;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.spi.BackfillTask;
import dev.geneva.udf.StatefulUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;

/** Validates a backfill request and splits it into tasks at the table's current version. */
public final class BackfillPlanner {
  private BackfillPlanner() {}

  /** What the checks established about a backfill request. */
  private record Checked(
      Field field,
      UdfMetadata meta,
      Udf udf,
      UdfSpec spec,
      String filter,
      boolean defaultFilter,
      long selected,
      String udfChange) {}

  /**
   * Checks a backfill request against the table's current version without planning it: the column,
   * its UDF (found and instantiated by class name), the inputs, the output type and the filter.
   * Throws {@link InvalidInputException} naming what to fix.
   *
   * @param table the table
   * @param column the column
   * @param options the options
   */
  public static void validate(TableLocation table, String column, BackfillOptions options) {
    try (Dataset ds = table.openLatest()) {
      check(ds, table, column, options);
    }
  }

  private static Checked check(
      Dataset ds, TableLocation table, String column, BackfillOptions options) {
    Field field = findField(ds, table, column);
    UdfMetadata meta =
        UdfMetadata.from(field.getMetadata())
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "column '"
                            + column
                            + "' of table '"
                            + table.name()
                            + "' has no UDF: backfill only works on columns added with"
                            + " table.addColumns(Map.of(\""
                            + column
                            + "\", new YourUdf()))"));
    Udf udf = Udfs.instantiate(meta.udfClass(), column);
    UdfSpec spec = udf.spec();
    if (!spec.inputs().equals(meta.inputs())) {
      throw new InvalidInputException(
          "UDF "
              + meta.udfClass()
              + " now declares inputs "
              + spec.inputs()
              + " but column '"
              + column
              + "' was added with inputs "
              + meta.inputs()
              + ": record the change with table.alterColumns(Map.of(\""
              + column
              + "\", new "
              + udf.getClass().getSimpleName()
              + "())); the next backfill then recomputes every row");
    }
    ColumnChecks.checkInputs(table.name(), ds.getSchema(), column, spec);
    ColumnChecks.checkOutput(column, meta.udfClass(), spec);
    if (!ColumnChecks.sameType(field, spec.output())) {
      throw new InvalidInputException(
          "UDF "
              + meta.udfClass()
              + " now declares output "
              + spec.output().getType()
              + " but column '"
              + column
              + "' holds "
              + field.getType()
              + ": drop and re-add the column to change its type");
    }
    // As Geneva: when the UDF changed since the values were computed, the default backfill drops
    // its IS NULL filter and recomputes every row.
    String udfChange =
        options.where().isEmpty()
            ? UdfVersions.change(field.getMetadata(), meta, spec).orElse(null)
            : null;
    boolean defaultFilter = options.where().isEmpty() && udfChange == null;
    options.where().ifPresent(w -> SqlFilters.check("BackfillOptions.where", w));
    // In parentheses, so that it combines with row ranges as one expression.
    String filter =
        SqlFilters.wrap(
            options
                .where()
                .orElse(udfChange != null ? "true" : SqlNames.quote(column) + " IS NULL"));
    long selected;
    try {
      // A user filter is checked (and short-circuits an empty selection) before any planning.
      selected = defaultFilter ? 1 : ds.countRows(filter);
    } catch (RuntimeException e) {
      throw new InvalidInputException(
          "filter \""
              + options.where().orElse(filter)
              + "\" is not valid for table '"
              + table.name()
              + "': "
              + e.getMessage()
              + ". Use Lance SQL over the table's columns, e.g. \"id < 100\"",
          e);
    }
    return new Checked(field, meta, udf, spec, filter, defaultFilter, selected, udfChange);
  }

  static BackfillPlan plan(TableLocation table, String column, BackfillOptions options) {
    try (Dataset ds = table.openLatest()) {
      long readVersion = ds.version();
      Checked c = check(ds, table, column, options);
      Field field = c.field();
      UdfMetadata meta = c.meta();
      Udf udf = c.udf();
      UdfSpec spec = c.spec();
      String filter = c.filter();
      boolean defaultFilter = c.defaultFilter();
      long selected = c.selected();
      LanceField columnField =
          ds.getLanceSchema().fields().stream()
              .filter(f -> f.getName().equals(column))
              .findFirst()
              .orElseThrow();
      int fieldId = columnField.getId();
      Set<Integer> columnIds = Set.copyOf(ColumnLayout.allIds(columnField));
      Set<Integer> inputIds = new HashSet<>();
      for (LanceField f : ds.getLanceSchema().fields()) {
        if (spec.inputs().contains(f.getName())) {
          addIds(f, inputIds);
        }
      }
      int batchSize = spec.batchSize() > 0 ? spec.batchSize() : options.batchSize();
      // Replaced at dispatch by the options current then (credentials may rotate meanwhile).
      Map<String, String> storageOptions = table.storageOptions();
      List<BackfillTask> tasks = new ArrayList<>();
      Map<Integer, Integer> perFragment = new LinkedHashMap<>();
      Map<Integer, Long> physicalRows = new LinkedHashMap<>();
      Map<Integer, String> fingerprints = new LinkedHashMap<>();
      Map<Integer, String> outputFiles = new LinkedHashMap<>();
      Map<Integer, Long> rowsPerTask = new LinkedHashMap<>();
      if (selected > 0) {
        for (var fragment : ds.getFragments()) {
          FragmentMetadata md = fragment.metadata();
          String fingerprint = inputFingerprint(md, inputIds);
          String existing = existingFile(md, columnIds);
          DataFile format = md.getFiles().get(0);
          long physical = md.getPhysicalRows();
          long base = ((long) md.getId()) << 32;
          List<long[]> ranges = new ArrayList<>();
          long fragmentRows = 0;
          for (long start = 0; start < physical; start += options.rowsPerTask()) {
            long end = Math.min(physical, start + Math.min(options.rowsPerTask(), physical));
            long rows =
                defaultFilter && existing == null && start == 0 && end == physical
                    // The column has no data in this fragment: every live row is null.
                    ? md.getNumRows()
                    : countSelected(ds, md.getId(), base, start, end, physical, filter);
            ranges.add(new long[] {start, end, rows});
            fragmentRows += rows;
          }
          if (fragmentRows == 0) {
            continue;
          }
          // Every range of a selected fragment gets a task: the fragment's new data file must
          // cover all its rows, so ranges without selected rows still write nulls or carry over.
          for (long[] r : ranges) {
            boolean whole = r[0] == 0 && r[1] == physical;
            String scanFilter;
            if (whole && r[2] == md.getNumRows()) {
              // Every live row is selected: an unfiltered scan is much faster than re-evaluating
              // the filter (and gives the same rows).
              scanFilter = "";
            } else if (whole) {
              scanFilter = filter;
            } else {
              scanFilter = rangeFilter(base, r[0], r[1]) + " AND " + filter;
            }
            String key =
                checkpointKey(
                    meta.udfClass(),
                    spec.version(),
                    column,
                    fieldId,
                    filter,
                    md.getId(),
                    r[0],
                    r[1],
                    fingerprint,
                    existing);
            int id = tasks.size();
            tasks.add(
                new BackfillTask(
                    id,
                    table.uri(),
                    storageOptions,
                    readVersion,
                    column,
                    fieldId,
                    meta.udfClass(),
                    spec.version(),
                    scanFilter,
                    md.getId(),
                    r[0],
                    r[1],
                    format.getFileMajorVersion(),
                    format.getFileMinorVersion(),
                    existing != null,
                    batchSize,
                    key));
            rowsPerTask.put(id, r[2]);
            perFragment.merge(md.getId(), 1, Integer::sum);
            physicalRows.put(md.getId(), physical);
            fingerprints.put(md.getId(), fingerprint);
            outputFiles.put(md.getId(), existing == null ? "" : existing);
          }
        }
      }
      return new BackfillPlan(
          column,
          meta.udfClass(),
          spec,
          udf instanceof StatefulUdf,
          readVersion,
          fieldId,
          columnField,
          tasks,
          perFragment,
          physicalRows,
          fingerprints,
          outputFiles,
          rowsPerTask,
          Set.copyOf(inputIds),
          c.udfChange());
    }
  }

  /**
   * Plans a backfill as {@link BackfillRun} would and looks up which tasks it would reuse from
   * checkpoints, without computing or writing anything.
   *
   * @param table the table
   * @param column the column
   * @param options the options (filter, rows per task, batch size)
   * @return the summary
   * @throws InvalidInputException for a request the backfill itself would refuse
   */
  public static BackfillPlanSummary summarize(
      TableLocation table, String column, BackfillOptions options) {
    BackfillPlan plan = plan(table, column, options);
    CheckpointStore checkpoints =
        CheckpointStore.forColumn(table.uri(), column, table::storageOptions, table.allocator());
    int tasksReusable = 0;
    long rowsReusable = 0;
    for (BackfillTask task : plan.tasks()) {
      if (checkpoints.get(task.checkpointKey()).filter(r -> r.covers(task)).isPresent()) {
        tasksReusable++;
        rowsReusable += plan.rowsPerTask().get(task.taskId());
      }
    }
    long rowsSelected = plan.rowsTotal();
    return new BackfillPlanSummary(
        table.uri(),
        column,
        plan.udfClass(),
        plan.spec().version(),
        options
            .where()
            .orElse(
                plan.udfChange() != null
                    ? "all rows (the UDF changed: " + plan.udfChange() + ")"
                    : SqlNames.quote(column) + " IS NULL"),
        plan.readVersion(),
        rowsSelected,
        plan.tasksPerFragment().size(),
        plan.tasks().size(),
        tasksReusable,
        rowsReusable,
        rowsSelected - rowsReusable);
  }

  /**
   * Counts the selected rows of one fragment's range with a scan of that fragment only. ({@code
   * Dataset.countRows} with a {@code _rowaddr} filter scans every fragment, which made planning
   * quadratic in the number of fragments.)
   */
  private static long countSelected(
      Dataset ds, int fragmentId, long base, long start, long end, long physical, String filter) {
    String where =
        start == 0 && end == physical ? filter : rangeFilter(base, start, end) + " AND " + filter;
    ScanOptions scan =
        new ScanOptions.Builder()
            .fragmentIds(List.of(fragmentId))
            .columns(List.of())
            .withRowAddress(true)
            .filter(where)
            .build();
    long rows = 0;
    try (LanceScanner scanner = ds.newScan(scan);
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new GenevaException("cannot count the rows of fragment " + fragmentId, e);
    }
    return rows;
  }

  /** Selects the rows of a fragment's offset range {@code [start, end)}. */
  static String rangeFilter(long fragmentBase, long start, long end) {
    return "_rowaddr >= " + (fragmentBase + start) + " AND _rowaddr < " + (fragmentBase + end);
  }

  static Field findField(Dataset ds, TableLocation table, String column) {
    for (Field f : ds.getSchema().getFields()) {
      if (f.getName().equals(column)) {
        return f;
      }
    }
    throw new InvalidInputException(
        "table '"
            + table.name()
            + "' has no column '"
            + column
            + "'; its columns are "
            + ds.getSchema().getFields().stream().map(Field::getName).toList()
            + ". Add it first with table.addColumns(Map.of(\""
            + column
            + "\", udf))");
  }

  private static void addIds(LanceField f, Set<Integer> ids) {
    ids.add(f.getId());
    for (LanceField c : f.getChildren()) {
      addIds(c, ids);
    }
  }

  /** The data files that hold the UDF's inputs, and the fragment's size. */
  static String inputFingerprint(FragmentMetadata md, Set<Integer> inputIds) {
    Set<String> paths = new TreeSet<>();
    for (DataFile f : md.getFiles()) {
      if (Arrays.stream(f.getFields()).anyMatch(inputIds::contains)) {
        paths.add(f.getPath());
      }
    }
    return md.getPhysicalRows() + ":" + String.join(",", paths);
  }

  /**
   * The data file that holds the column in this fragment, or null. A nested column's file may list
   * only its children's ids (Lance 2.1 files list leaves only), so any of the column's ids counts.
   */
  static String existingFile(FragmentMetadata md, Set<Integer> columnIds) {
    for (DataFile f : md.getFiles()) {
      if (Arrays.stream(f.getFields()).anyMatch(columnIds::contains)) {
        return f.getPath();
      }
    }
    return null;
  }

  private static String checkpointKey(Object... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Object p : parts) {
        sha.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return "f" + parts[5] + "-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
