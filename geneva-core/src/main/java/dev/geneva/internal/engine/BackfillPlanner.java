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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;

/** Validates a backfill request and splits it into tasks at the table's current version. */
public final class BackfillPlanner {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(BackfillPlanner.class);

  private BackfillPlanner() {}

  /**
   * What the checks established about a backfill request.
   *
   * @param name the column, or the group's name when the request names a group or one of its
   *     members
   * @param group the group, or null for a column computed alone
   * @param fields the columns to compute: the column, or the group's members in output order
   */
  private record Checked(
      String name,
      ColumnGroup group,
      List<Field> fields,
      UdfMetadata meta,
      Udf udf,
      UdfSpec spec,
      String filter,
      boolean defaultFilter,
      long selected,
      String udfChange,
      String inputsToRecord) {}

  /**
   * Checks a backfill request against the table's current version without planning it: the column,
   * its UDF (found and instantiated by class name), the inputs, the output type and the filter.
   * Throws {@link InvalidInputException} naming what to fix.
   *
   * @param table the table
   * @param column the column, or a column group's name
   * @param options the options
   */
  public static void validate(TableLocation table, String column, BackfillOptions options) {
    try (Dataset ds = table.openLatest()) {
      check(ds, table, column, options);
    }
  }

  private static Checked check(
      Dataset ds, TableLocation table, String column, BackfillOptions options) {
    ColumnGroup group = ColumnGroup.find(ds.getSchema(), column).orElse(null);
    String name = group == null ? column : group.name();
    List<Field> fields =
        group == null ? List.of(findField(ds, table, column)) : members(ds, table, group);
    Field field = fields.get(0);
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
    if (group != null) {
      checkMembersAgree(table, group, fields, meta);
    }
    Udf udf = Udfs.instantiate(meta.udfClass(), name);
    UdfSpec spec = udf.spec();
    if (!spec.inputs().equals(meta.inputs())) {
      throw new InvalidInputException(
          "UDF "
              + meta.udfClass()
              + " now declares inputs "
              + spec.inputs()
              + " but column '"
              + name
              + "' was added with inputs "
              + meta.inputs()
              + ": record the change with table.alterColumns(Map.of(\""
              + name
              + "\", new "
              + udf.getClass().getSimpleName()
              + "())); the next backfill then recomputes every row");
    }
    ColumnChecks.checkInputs(table.name(), ds.getSchema(), name, spec);
    ColumnChecks.checkOutput(name, meta.udfClass(), spec);
    checkOutputMatches(table, name, group, fields, meta, spec);
    // As Geneva: when the UDF changed since the values were computed, the default backfill drops
    // its IS NULL filter and recomputes every row.
    String udfChange =
        options.where().isEmpty()
            ? UdfVersions.change(field.getMetadata(), meta, spec).orElse(null)
            : null;
    // Likewise when a UDF column it reads was recomputed by another UDF since.
    String inputState = UdfVersions.inputState(ds.getSchema(), spec.inputs());
    if (udfChange == null && options.where().isEmpty()) {
      udfChange = UdfVersions.inputChange(field.getMetadata(), inputState).orElse(null);
    }
    String recorded =
        field.getMetadata() == null ? null : field.getMetadata().get(UdfVersions.INPUTS_COMPUTED);
    // Recorded after a backfill whose values all read the inputs as they are now: a first one,
    // or one recomputing every row.
    String inputsToRecord =
        inputState != null
                && !inputState.equals(recorded)
                && options.where().isEmpty()
                && (recorded == null || udfChange != null)
            ? inputState
            : null;
    boolean defaultFilter = options.where().isEmpty() && udfChange == null;
    options.where().ifPresent(w -> SqlFilters.check("BackfillOptions.where", w));
    // In parentheses, so that it combines with row ranges as one expression.
    String filter =
        SqlFilters.wrap(
            options
                .where()
                .orElse(
                    udfChange != null
                        ? "true"
                        : ColumnGroup.anyNull(fields.stream().map(Field::getName).toList())));
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
    warnOfUncomputedInputs(ds, table, name, inputState, filter);
    return new Checked(
        name,
        group,
        fields,
        meta,
        udf,
        spec,
        filter,
        defaultFilter,
        selected,
        udfChange,
        inputsToRecord);
  }

  /**
   * Warns when a UDF column this UDF reads is still null in rows it will compute: its values there
   * would be computed from nulls and, once computed, not recomputed when the input is filled.
   */
  private static void warnOfUncomputedInputs(
      Dataset ds, TableLocation table, String column, String inputState, String filter) {
    if (inputState == null) {
      return;
    }
    for (String part : inputState.split("&")) {
      String input =
          java.net.URLDecoder.decode(
              part.substring(0, part.indexOf('=')), java.nio.charset.StandardCharsets.UTF_8);
      String quoted = SqlNames.quote(input);
      long uncomputed;
      try {
        uncomputed = ds.countRows(filter + " AND " + quoted + " IS NULL");
      } catch (RuntimeException e) {
        continue; // a warning only
      }
      if (uncomputed == 0) {
        continue;
      }
      // Every selected row: most likely the input was not backfilled yet. Some: nulls the input's
      // UDF gave (a null text's length), which are normal.
      boolean all;
      try {
        all = uncomputed == ds.countRows(filter);
      } catch (RuntimeException e) {
        all = false;
      }
      if (all) {
        LOG.warn(
            "column '{}' of table '{}' reads UDF column '{}', which is null in {} of the rows"
                + " selected to compute: those rows get the UDF's value for a null input and keep it once"
                + " '{}' is filled. Backfill '{}' first, or recompute them later with"
                + " BackfillOptions.where(\"{} IS NOT NULL\")",
            column,
            table.name(),
            input,
            uncomputed,
            input,
            input,
            quoted);
      } else {
        LOG.info(
            "column '{}' of table '{}' reads UDF column '{}', which is null in {} of the rows"
                + " selected to compute",
            column,
            table.name(),
            input,
            uncomputed);
      }
    }
  }

  /** The fields of a group's members, in output order; every one must still be in the table. */
  private static List<Field> members(Dataset ds, TableLocation table, ColumnGroup group) {
    List<Field> fields = new ArrayList<>();
    for (String member : group.members()) {
      Field f =
          ds.getSchema().getFields().stream()
              .filter(x -> x.getName().equals(member))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "column group '"
                              + group.name()
                              + "' of table '"
                              + table.name()
                              + "' lists column '"
                              + member
                              + "', which the table no longer has (it was dropped by other"
                              + " means): one UDF computes the group's columns together, so"
                              + " the group cannot be backfilled without it. Add the UDF again"
                              + " as a new group"));
      fields.add(f);
    }
    return fields;
  }

  /** Fails unless every member of a group records the same UDF and the same group. */
  private static void checkMembersAgree(
      TableLocation table, ColumnGroup group, List<Field> fields, UdfMetadata meta) {
    for (Field f : fields) {
      Optional<UdfMetadata> m = UdfMetadata.from(f.getMetadata());
      Optional<ColumnGroup> g = ColumnGroup.from(f.getMetadata());
      if (m.isEmpty() || !m.get().equals(meta) || g.isEmpty() || !g.get().equals(group)) {
        throw new InvalidInputException(
            "column '"
                + f.getName()
                + "' of table '"
                + table.name()
                + "' belongs to column group '"
                + group.name()
                + "' "
                + group.members()
                + " but records "
                + (m.isEmpty() ? "no UDF" : "UDF " + m.get().udfClass() + " " + m.get().version())
                + (g.isEmpty()
                    ? " and no group"
                    : g.get().equals(group) ? "" : " and group " + g.get())
                + " where '"
                + fields.get(0).getName()
                + "' records UDF "
                + meta.udfClass()
                + " "
                + meta.version()
                + ": its metadata was changed by other means. Record one UDF for the whole group"
                + " with table.alterColumns(Map.of(\""
                + group.name()
                + "\", udf))");
      }
    }
  }

  /** Fails unless the UDF still declares the stored column's type, or the group's columns. */
  private static void checkOutputMatches(
      TableLocation table,
      String name,
      ColumnGroup group,
      List<Field> fields,
      UdfMetadata meta,
      UdfSpec spec) {
    if (group == null && spec.unpacked()) {
      throw new InvalidInputException(
          "UDF "
              + meta.udfClass()
              + " now declares several output columns but column '"
              + name
              + "' of table '"
              + table.name()
              + "' was added as one column: a UDF cannot change from one output column to"
              + " several; add it again under a new name with table.addColumns");
    }
    if (group != null && !spec.unpacked()) {
      throw new InvalidInputException(
          "UDF "
              + meta.udfClass()
              + " now declares one output but column group '"
              + name
              + "' of table '"
              + table.name()
              + "' holds columns "
              + group.members()
              + ": declare them with UdfSpec.outputColumns, or add the UDF again under a new"
              + " name with table.addColumns");
    }
    List<Field> declared = group == null ? List.of(spec.output()) : spec.output().getChildren();
    boolean same = declared.size() == fields.size();
    for (int i = 0; same && i < fields.size(); i++) {
      same =
          ColumnChecks.sameType(fields.get(i), declared.get(i))
              && (group == null || fields.get(i).getName().equals(declared.get(i).getName()));
    }
    if (!same) {
      throw new InvalidInputException(
          "UDF "
              + meta.udfClass()
              + " now declares output "
              + (group == null
                  ? String.valueOf(spec.output().getType())
                  : "columns " + describe(declared))
              + " but "
              + (group == null ? "column '" + name + "' holds " : "group '" + name + "' holds ")
              + (group == null ? String.valueOf(fields.get(0).getType()) : describe(fields))
              + ": to change "
              + (group == null ? "its type" : "them")
              + ", drop "
              + (group == null ? "the column" : "the group")
              + " with table.dropColumns(\""
              + name
              + "\") and add it again with the new UDF");
    }
  }

  private static List<String> describe(List<Field> fields) {
    return fields.stream().map(f -> f.getName() + ": " + f.getType()).toList();
  }

  static BackfillPlan plan(TableLocation table, String requested, BackfillOptions options) {
    try (Dataset ds = table.openLatest()) {
      long readVersion = ds.version();
      Checked c = check(ds, table, requested, options);
      String column = c.name();
      UdfMetadata meta = c.meta();
      Udf udf = c.udf();
      UdfSpec spec = c.spec();
      String filter = c.filter();
      boolean defaultFilter = c.defaultFilter();
      long selected = c.selected();
      List<LanceField> outputFields = new ArrayList<>();
      for (Field f : c.fields()) {
        outputFields.add(
            ds.getLanceSchema().fields().stream()
                .filter(l -> l.getName().equals(f.getName()))
                .findFirst()
                .orElseThrow());
      }
      int fieldId = outputFields.get(0).getId();
      Set<Integer> columnIds = new HashSet<>();
      outputFields.forEach(f -> columnIds.addAll(ColumnLayout.allIds(f)));
      List<String> outputColumns =
          c.group() == null ? List.of() : outputFields.stream().map(LanceField::getName).toList();
      // A group's checkpoints name every member and field id, so that a result written for one
      // column (or for other members) is never taken for the group's, nor the other way round.
      String layout =
          c.group() == null
              ? null
              : "columns " + outputColumns + " ids " + new java.util.TreeSet<>(columnIds);
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
      Set<Integer> shared = new HashSet<>();
      if (selected > 0) {
        for (var fragment : ds.getFragments()) {
          FragmentMetadata md = fragment.metadata();
          String fingerprint = inputFingerprint(md, inputIds);
          String existing = existingFile(md, columnIds);
          if (c.group() != null) {
            checkOneFile(table, c.group(), md, columnIds);
          }
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
                    layout,
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
                    key,
                    outputColumns));
            rowsPerTask.put(id, r[2]);
            perFragment.merge(md.getId(), 1, Integer::sum);
            physicalRows.put(md.getId(), physical);
            fingerprints.put(md.getId(), fingerprint);
            outputFiles.put(md.getId(), existing == null ? "" : existing);
          }
          if (existing != null && holdsOtherColumns(md, existing, columnIds)) {
            shared.add(md.getId());
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
          List.copyOf(outputFields),
          tasks,
          perFragment,
          physicalRows,
          fingerprints,
          outputFiles,
          rowsPerTask,
          Set.copyOf(inputIds),
          c.udfChange(),
          Set.copyOf(shared),
          c.inputsToRecord());
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
        CheckpointStore.forColumn(
            table.uri(), plan.column(), table::storageOptions, table.allocator());
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
        plan.column(),
        plan.udfClass(),
        plan.spec().version(),
        options
            .where()
            .orElse(
                plan.udfChange() != null
                    ? "all rows (the UDF changed: " + plan.udfChange() + ")"
                    : ColumnGroup.anyNull(plan.outputColumns())),
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

  /**
   * Whether the data file holding the output columns also holds other columns, as every file a
   * compaction writes does.
   */
  static boolean holdsOtherColumns(FragmentMetadata md, String file, Set<Integer> columnIds) {
    for (DataFile f : md.getFiles()) {
      if (f.getPath().equals(file)) {
        return Arrays.stream(f.getFields()).anyMatch(id -> id >= 0 && !columnIds.contains(id));
      }
    }
    return false;
  }

  /**
   * Fails when a group's columns are held by more than one data file of a fragment: a group is
   * written as one file, so its columns were written by other means and one file cannot replace
   * them.
   */
  private static void checkOneFile(
      TableLocation table, ColumnGroup group, FragmentMetadata md, Set<Integer> columnIds) {
    List<String> files = new ArrayList<>();
    for (DataFile f : md.getFiles()) {
      if (Arrays.stream(f.getFields()).anyMatch(columnIds::contains)) {
        files.add(f.getPath());
      }
    }
    if (files.size() > 1) {
      throw new InvalidInputException(
          "fragment "
              + md.getId()
              + " of table '"
              + table.name()
              + "' holds the columns of group '"
              + group.name()
              + "' "
              + group.members()
              + " in "
              + files.size()
              + " data files "
              + files
              + ", written by other means: Geneva writes a group's columns as one file per"
              + " fragment and cannot replace them. Add the UDF again as a new group");
    }
  }

  /**
   * A task's checkpoint key: a hash of what decides its result. A group's keys also hash its {@code
   * layout} (members and field ids); a column's keys stay what they were before groups.
   */
  private static String checkpointKey(String layout, Object... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Object p : parts) {
        sha.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      if (layout != null) {
        sha.update(layout.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return "f" + parts[5] + "-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
