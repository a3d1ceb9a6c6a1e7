package dev.geneva;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.WriteParams;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.merge.MergeInsertParams;
import dev.geneva.internal.engine.AppendReader;
import dev.geneva.internal.engine.BackfillPlanner;
import dev.geneva.internal.engine.BackfillRun;
import dev.geneva.internal.engine.ColumnChecks;
import dev.geneva.internal.engine.ColumnDropper;
import dev.geneva.internal.engine.ColumnGroup;
import dev.geneva.internal.engine.ColumnNames;
import dev.geneva.internal.engine.RootReader;
import dev.geneva.internal.engine.RowValues;
import dev.geneva.internal.engine.SqlFilters;
import dev.geneva.internal.engine.UdfMetadata;
import dev.geneva.internal.engine.UdfVersions;
import dev.geneva.internal.engine.Udfs;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.internal.lance.UriRedaction;
import dev.geneva.spi.BackfillTarget;
import dev.geneva.spi.BackfillTargets;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.LoggerFactory;

/**
 * A Lance table. Every call reads the table's latest version, so a {@code Table} sees commits made
 * by backfills and by other writers. Safe to use from several threads.
 */
public final class Table {
  private final Connection connection;
  private final TableLocation location;

  Table(Connection connection, TableLocation location) {
    this.connection = connection;
    this.location = location;
  }

  /**
   * Opens the latest version, once the connection is known to be open.
   *
   * @throws GenevaException when the connection is closed or Lance cannot open the table
   * @throws TableNotFoundException when the table was dropped
   */
  private Dataset open() {
    connection.checkOpen();
    return location.openLatest();
  }

  /**
   * A failure of a Lance call that reads or deletes with a filter: the filter's fault (an {@link
   * InvalidInputException}), the table's disappearance, or a storage failure.
   */
  private GenevaException filterFailure(String operation, String filter, Exception e) {
    if (e instanceof GenevaException g) {
      return g;
    }
    if (filter != null && LanceErrors.isInvalidFilter(e)) {
      return new InvalidInputException(
          "filter \""
              + filter
              + "\" is not valid for table '"
              + name()
              + "': "
              + LanceErrors.reason(e)
              + ". Use Lance SQL over the table's columns, e.g. \"id < 100\"",
          e);
    }
    if (LanceErrors.isNotFound(e)) {
      return new TableNotFoundException(
          operation
              + " of table '"
              + name()
              + "' failed: its files are gone at "
              + location.shownUri()
              + " (was it dropped or cleaned up by another connection or process?): "
              + UriRedaction.scrub(LanceErrors.reason(e), uri())
              + ". Open it again with Connection.openTable, or create it again",
          e);
    }
    return LanceErrors.translate(
        operation + " of table '" + name() + "' at " + location.shownUri() + " failed", uri(), e);
  }

  /**
   * The table's name.
   *
   * @return the name
   */
  public String name() {
    return location.name();
  }

  /**
   * The table's URI.
   *
   * @return the URI
   */
  public String uri() {
    return location.uri();
  }

  /**
   * The current schema, with each UDF column's declaration in its field metadata.
   *
   * @return the schema
   */
  public Schema schema() {
    try (Dataset ds = open()) {
      return ds.getSchema();
    }
  }

  /**
   * The current version.
   *
   * @return the version
   */
  public long version() {
    try (Dataset ds = open()) {
      return ds.version();
    }
  }

  /**
   * Counts the live (not deleted) rows.
   *
   * @return the count
   */
  public long countRows() {
    try (Dataset ds = open()) {
      return ds.countRows();
    } catch (Exception e) {
      throw filterFailure("countRows", null, e);
    }
  }

  /**
   * Counts the live rows matching a SQL filter.
   *
   * @param filter a Lance SQL predicate such as {@code "len IS NULL"}
   * @return the count
   * @throws InvalidInputException when the filter is not one valid expression
   * @throws TableNotFoundException when the table was dropped
   * @throws GenevaException when Lance cannot read the table (storage, credentials)
   */
  public long countRows(String filter) {
    SqlFilters.check("countRows filter", filter);
    try (Dataset ds = open()) {
      return ds.countRows(SqlFilters.wrap(filter));
    } catch (Exception e) {
      throw filterFailure("countRows(\"" + filter + "\")", filter, e);
    }
  }

  /**
   * Reads columns of the live rows as Arrow batches.
   *
   * @param columns the columns, or an empty list for all
   * @param filter a SQL predicate, or null for all rows
   * @return the batches; close them
   */
  public Batches read(List<String> columns, String filter) {
    if (filter != null) {
      SqlFilters.check("read filter", filter);
    }
    if (columns == null) {
      throw new InvalidInputException(
          "read from table '" + name() + "': the column list is null; pass List.of() for all");
    }
    Dataset ds = open();
    try {
      ScanOptions.Builder scan = new ScanOptions.Builder();
      if (!columns.isEmpty()) {
        scan.columns(columns);
      }
      if (filter != null) {
        scan.filter(SqlFilters.wrap(filter));
      }
      return new Batches(ds, ds.newScan(scan.build()), name(), uri());
    } catch (Exception e) {
      ds.close();
      if (!(e instanceof GenevaException) && LanceErrors.isInvalidFilter(e)) {
        throw new InvalidInputException(
            "cannot read columns "
                + columns
                + (filter == null ? "" : " where \"" + filter + "\"")
                + " of table '"
                + name()
                + "': "
                + LanceErrors.reason(e)
                + ". Name columns the table has, and filter with Lance SQL over them, e.g."
                + " \"id < 100\"",
            e);
      }
      throw filterFailure("read", null, e);
    }
  }

  /**
   * Reads up to {@code limit} live rows as maps from column name to Arrow's Java value, for
   * printing and tests.
   *
   * @param limit the most rows
   * @param columns the columns, or none for all
   * @return the rows
   */
  public List<Map<String, Object>> head(int limit, String... columns) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Batches batches = read(List.of(columns), null)) {
      while (rows.size() < limit && batches.next()) {
        VectorSchemaRoot b = batches.current();
        for (int i = 0; i < b.getRowCount() && rows.size() < limit; i++) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (FieldVector v : b.getFieldVectors()) {
            row.put(v.getName(), v.getObject(i));
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  /**
   * Deletes the live rows matching a SQL filter.
   *
   * @param filter a Lance SQL predicate
   * @throws InvalidInputException when the filter is not one expression (unbalanced parentheses or
   *     quotes, {@code ;} or a comment)
   */
  public void delete(String filter) {
    SqlFilters.check("delete filter", filter);
    try (Dataset ds = open()) {
      ds.delete(SqlFilters.wrap(filter));
    } catch (Exception e) {
      throw filterFailure("delete(\"" + filter + "\")", filter, e);
    }
  }

  /**
   * Compacts the table with Lance's defaults; see {@link #compact(CompactOptions)}.
   *
   * @return what was rewritten
   */
  public CompactResult compact() {
    return compact(CompactOptions.defaults());
  }

  /**
   * Rewrites small fragments into larger ones (and, by default, drops deleted rows from fragments
   * with many), with Lance's compaction, as LanceDB's {@code table.optimize()} does. A table built
   * by many small appends has many small fragments, and a backfill's cost grows with the fragment
   * count (it writes one data file per fragment): compact it before a large backfill.
   *
   * <p>What compaction does to Geneva's state, all of it correct: the rewritten fragments get new
   * ids and their rows new addresses, so checkpoints of an unfinished backfill for those fragments
   * no longer apply (their tasks are computed again); a materialized view of this table deletes and
   * re-adds the rows of the rewritten fragments at its next refresh (and recomputes their UDF
   * columns); UDF columns are rewritten into one data file with the other columns, which the next
   * backfill of such a column separates again. A backfill running meanwhile fails at its next
   * commit, asking to be run again: so compaction is refused while the job history shows one
   * running, unless {@link CompactOptions.Builder#allowRunningBackfills} says otherwise. A commit
   * of another writer between the plan and the commit of the compaction makes Lance refuse the
   * compaction; it is planned again up to {@link CompactOptions#maxCommitAttempts()} times.
   *
   * @param options target size, deletions, attempts
   * @return what was rewritten, and the versions
   * @throws InvalidInputException for null options, or while a backfill of the table runs
   * @throws GenevaException when Lance cannot compact or commit
   */
  public CompactResult compact(CompactOptions options) {
    if (options == null) {
      throw new InvalidInputException(
          "compact table '" + name() + "': the options are null; use CompactOptions.defaults()");
    }
    connection.checkOpen();
    if (!options.allowRunningBackfills()) {
      checkNoRunningBackfill();
    }
    for (int attempt = 1; ; attempt++) {
      try (Dataset ds = location.openLatest()) {
        long readVersion = ds.version();
        Map<Integer, Integer> before = filesByFragment(ds);
        // Dataset.compact rewrites on Lance's threads; planning, executing and committing the
        // tasks one by one through the Java API took 20 times as long.
        ds.compact(options.toLance());
        try (Dataset after = location.openLatest()) {
          if (after.version() == readVersion) {
            return new CompactResult(0, 0, 0, 0, readVersion, readVersion);
          }
          Map<Integer, Integer> now = filesByFragment(after);
          long fragmentsRemoved = 0;
          long filesRemoved = 0;
          for (var e : before.entrySet()) {
            if (!now.containsKey(e.getKey())) {
              fragmentsRemoved++;
              filesRemoved += e.getValue();
            }
          }
          long fragmentsAdded = 0;
          long filesAdded = 0;
          for (var e : now.entrySet()) {
            if (!before.containsKey(e.getKey())) {
              fragmentsAdded++;
              filesAdded += e.getValue();
            }
          }
          return new CompactResult(
              fragmentsRemoved,
              fragmentsAdded,
              filesRemoved,
              filesAdded,
              readVersion,
              after.version());
        }
      } catch (RuntimeException e) {
        if (!LanceErrors.isCommitConflict(e)) {
          throw new GenevaException("cannot compact table '" + name() + "': " + e, e);
        }
        if (attempt >= options.maxCommitAttempts()) {
          throw new GenevaException(
              "cannot compact table '"
                  + name()
                  + "': another writer committed first "
                  + attempt
                  + " times (a backfill, a refresh or appends to the same fragments); the table"
                  + " is unchanged. Compact when it is quiet, or raise"
                  + " CompactOptions.maxCommitAttempts: "
                  + e.getMessage(),
              e);
        }
      }
    }
  }

  /** The number of data files of each fragment, by fragment id. */
  private static Map<Integer, Integer> filesByFragment(Dataset ds) {
    Map<Integer, Integer> files = new java.util.HashMap<>();
    for (var f : ds.getFragments()) {
      files.put(f.getId(), f.metadata().getFiles().size());
    }
    return files;
  }

  /** Refuses while the job history shows a backfill of this table running (and not stale). */
  private void checkNoRunningBackfill() {
    List<JobRecord> running;
    try {
      running = connection.jobs(JobFilter.builder().table(name()).state(JobState.RUNNING).build());
    } catch (RuntimeException e) {
      // The history only warns of a wasted backfill; the compaction itself is safe.
      LoggerFactory.getLogger(Table.class)
          .warn("compact: cannot read the job history, compacting anyway: {}", e.toString());
      return;
    }
    for (JobRecord job : running) {
      if (job.staleSince().isEmpty()) {
        throw new InvalidInputException(
            "compact table '"
                + name()
                + "': a backfill of column '"
                + job.column()
                + "' (job "
                + job.jobId()
                + ") is running on it; compacting now would rewrite the fragments it computes, so"
                + " its next commit would fail and its work on them be lost. Wait for it or cancel"
                + " it, then compact; or compact anyway with"
                + " CompactOptions.builder().allowRunningBackfills(true)");
      }
    }
  }

  /**
   * The UDF's spec, once the UDF is known to be non-null and recreatable by class name.
   *
   * @throws InvalidInputException naming the operation, column and UDF class
   */
  private static UdfSpec checkedSpec(String operation, String column, Udf udf) {
    if (udf == null) {
      throw new InvalidInputException(operation + ": the UDF for column '" + column + "' is null");
    }
    Udfs.checkInstantiable(column, udf);
    UdfSpec spec;
    try {
      spec = udf.spec();
    } catch (RuntimeException ex) {
      throw new InvalidInputException(
          "UDF " + udf.getClass().getName() + " for column '" + column + "': " + ex.getMessage(),
          ex);
    }
    if (spec == null) {
      throw new InvalidInputException(
          operation
              + ": UDF "
              + udf.getClass().getName()
              + " for column '"
              + column
              + "' returned null from spec(): return a declaration such as"
              + " UdfSpec.builder().inputs(\"text\").output(UdfTypes.int32()).build()");
    }
    return spec;
  }

  /**
   * Appends rows from a stream of Arrow batches, streaming (the reader is consumed, not closed).
   * The data must have every column of the table that is not a UDF column, with the table's type,
   * and no other column. UDF columns must be left out: they are null in the new rows, so the next
   * default backfill computes exactly these rows.
   *
   * @param data the rows, e.g. an {@code ArrowStreamReader} or a Lance scan
   * @return the rows appended and the new version
   * @throws InvalidInputException before anything is written, naming each missing, extra or
   *     mistyped column with the expected and the given type
   * @throws GenevaException when Lance cannot write or commit the rows
   */
  public AddResult add(ArrowReader data) {
    if (data == null) {
      throw new InvalidInputException(
          "add to table '" + name() + "': the data is null; pass an ArrowReader of the rows");
    }
    Schema schema = schema();
    try (AppendReader conformed =
            AppendReader.conform(
                "add to table '" + name() + "'", schema, data, location.allocator());
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(location.allocator())) {
      Data.exportArrayStream(location.allocator(), conformed, stream);
      WriteParams params =
          new WriteParams.Builder()
              .withMode(WriteParams.WriteMode.APPEND)
              .withStorageOptions(location.storageOptions())
              .build();
      try (Dataset ds = Dataset.create(location.allocator(), stream, uri(), params)) {
        return new AddResult(conformed.rows(), ds.version());
      }
    } catch (Exception e) {
      throw filterFailure("add", null, e);
    }
  }

  /**
   * Appends one batch of rows; see {@link #add(ArrowReader)} for the rules. The batch is not
   * changed and stays the caller's to close.
   *
   * @param batch the rows
   * @return the rows appended and the new version
   * @throws InvalidInputException before anything is written, for a schema that does not fit
   */
  public AddResult add(VectorSchemaRoot batch) {
    if (batch == null) {
      throw new InvalidInputException("add to table '" + name() + "': the batch is null");
    }
    try (RootReader reader = new RootReader(location.allocator(), batch)) {
      return add(reader);
    } catch (IOException e) {
      throw new GenevaException("cannot add rows to table '" + name() + "': " + e, e);
    }
  }

  /**
   * Appends rows given as Java values, one map of column name to value per row; see {@link
   * #add(ArrowReader)} for what happens to UDF columns. Values are converted as a scalar UDF's are:
   * integer columns take {@code Byte}, {@code Short}, {@code Integer}, {@code Long} or {@code
   * BigInteger} whose value fits exactly; float columns any {@code Number} (rounded to the nearest
   * float or double); strings a {@code CharSequence}; binary a {@code byte[]}; booleans a {@code
   * Boolean}; lists a {@code List} or primitive array; structs a {@code Map} of field to value;
   * timestamps with a zone an {@code Instant}, {@code OffsetDateTime} or {@code ZonedDateTime},
   * without one a {@code LocalDateTime}; dates a {@code LocalDate}; decimals a {@code BigDecimal}
   * rescaled only without loss. A nullable column left out of a row is null.
   *
   * @param rows the rows, held in memory and written as one batch
   * @return the rows appended and the new version
   * @throws InvalidInputException before anything is written, naming the first bad row's index and
   *     column: a column the table does not have, a UDF column, a value of the wrong type or range,
   *     or null (or nothing) for a column that is not nullable
   * @throws GenevaException when Lance cannot write or commit the rows
   */
  public AddResult add(List<? extends Map<String, ?>> rows) {
    try (VectorSchemaRoot batch =
        RowValues.toBatch("add to table '" + name() + "'", schema(), rows, location.allocator())) {
      return add(batch);
    }
  }

  /**
   * Upserts rows by a key column with Lance's merge-insert: a row whose key is already in the table
   * is updated, any other row is appended. The data's columns follow the rules of {@link
   * #add(ArrowReader)}. Lance updates only the columns given, so an updated row <em>keeps its UDF
   * values</em>, computed from its old inputs: recompute them with a {@code where} backfill over
   * the updated keys. Inserted rows have null UDF values, which the next default backfill computes.
   * Keys should be unique in the data and in the table.
   *
   * @param key the key column, one that is not a UDF column
   * @param data the rows (consumed, not closed)
   * @return the rows inserted and updated and the new version
   * @throws InvalidInputException before anything is written, for a bad key or schema
   * @throws GenevaException when Lance cannot merge or commit the rows
   */
  public MergeInsertResult mergeInsert(String key, ArrowReader data) {
    if (data == null) {
      throw new InvalidInputException(
          "mergeInsert into table '"
              + name()
              + "': the data is null; pass an ArrowReader of the rows");
    }
    Schema schema = schema();
    Field keyField =
        schema.getFields().stream()
            .filter(f -> f.getName().equals(key))
            .findFirst()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "mergeInsert into table '"
                            + name()
                            + "': the key '"
                            + key
                            + "' is not a column; the columns are "
                            + schema.getFields().stream().map(Field::getName).toList()));
    if (UdfMetadata.from(keyField.getMetadata()).isPresent()) {
      throw new InvalidInputException(
          "mergeInsert into table '"
              + name()
              + "': the key '"
              + key
              + "' is a UDF column; use a column of the data, such as an id");
    }
    try (AppendReader conformed =
            AppendReader.conform(
                "mergeInsert into table '" + name() + "'", schema, data, location.allocator());
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(location.allocator());
        Dataset ds = open()) {
      Data.exportArrayStream(location.allocator(), conformed, stream);
      MergeInsertParams params =
          new MergeInsertParams(List.of(key))
              .withMatchedUpdateAll()
              .withNotMatched(MergeInsertParams.WhenNotMatched.InsertAll);
      com.lancedb.lance.merge.MergeInsertResult r = ds.mergeInsert(params, stream);
      try (Dataset after = r.dataset()) {
        return new MergeInsertResult(
            r.stats().numInsertedRows(), r.stats().numUpdatedRows(), after.version());
      }
    } catch (Exception e) {
      throw filterFailure("mergeInsert", null, e);
    }
  }

  /**
   * Adds UDF columns, all null until backfilled. Everything is checked before the table changes:
   * names, inputs, output types and that each UDF can be recreated from its class name. The UDF's
   * declaration is stored in the new field's metadata, so {@link #backfill(String)} in any process
   * finds it.
   *
   * <p>A UDF declared with {@link UdfSpec.Builder#outputColumns} adds one column per declared
   * field, named as the field; the map's key names the group. {@code backfill} of the group's name
   * or of any member computes and commits all of them in one pass.
   *
   * @param udfs new column name (or group name, for a UDF of several columns) to UDF
   * @throws InvalidInputException before the table changes, naming the column and how to fix it: a
   *     name that is refused or already taken by a column or group, inputs that are missing or
   *     added by the same call, an output type Geneva cannot store
   */
  public void addColumns(Map<String, ? extends Udf> udfs) {
    if (udfs == null || udfs.isEmpty()) {
      throw new InvalidInputException(
          "addColumns needs at least one column, e.g. Map.of(\"len\", new TextLength())");
    }
    try (Dataset ds = open()) {
      Schema schema = ds.getSchema();
      Map<String, UdfSpec> specs = new LinkedHashMap<>();
      // Every column this call adds, to the key it comes from.
      Map<String, String> added = new LinkedHashMap<>();
      List<String> taken = new ArrayList<>();
      schema.getFields().forEach(f -> taken.add(f.getName()));
      for (var e : udfs.entrySet()) {
        String column = e.getKey();
        ColumnNames.checkNew("addColumns", column);
        UdfSpec spec = checkedSpec("addColumns", column, e.getValue());
        specs.put(column, spec);
        checkNotAGroup(schema, column, column);
        if (spec.unpacked() && taken.contains(column)) {
          throw new InvalidInputException(
              "addColumns to table '"
                  + name()
                  + "': '"
                  + column
                  + "' names a group of columns but the table already has a column '"
                  + column
                  + "': choose another name");
        }
        List<String> columns =
            spec.unpacked()
                ? spec.output().getChildren().stream().map(Field::getName).toList()
                : List.of(column);
        for (String c : columns) {
          String context = "addColumns to table '" + name() + "'";
          if (spec.unpacked()) {
            context += " (output column of '" + column + "')";
            ColumnNames.checkNew(context, c);
            checkNotAGroup(schema, c, column);
          }
          String other = added.put(c, column);
          if (other != null || (udfs.containsKey(c) && !c.equals(column))) {
            throw new InvalidInputException(
                "addColumns: column '"
                    + c
                    + "' would be added twice (by '"
                    + (other != null ? other : c)
                    + "' and by '"
                    + column
                    + "'): give every new column its own name");
          }
          ColumnNames.checkDistinct(context, taken, c);
          taken.add(c);
        }
      }
      List<Field> fields = new ArrayList<>();
      for (var e : udfs.entrySet()) {
        String column = e.getKey();
        Udf udf = e.getValue();
        UdfSpec spec = specs.get(column);
        for (String input : spec.inputs()) {
          String from = added.get(input);
          if (spec.unpacked() && column.equals(from)) {
            throw new InvalidInputException(
                "UDF for column group '"
                    + column
                    + "' reads its own output column '"
                    + input
                    + "': a column cannot be computed from itself; read other columns");
          }
          if (from != null && !input.equals(column)) {
            throw new InvalidInputException(
                "UDF for column '"
                    + column
                    + "' reads '"
                    + input
                    + "', which is added in the same call and still empty: add and backfill '"
                    + input
                    + "' first");
          }
        }
        ColumnChecks.checkInputs(name(), schema, column, spec);
        ColumnChecks.checkOutput(column, udf.getClass().getName(), spec);
        Field declared =
            new Field(
                column,
                new FieldType(
                    true,
                    spec.output().getType(),
                    null,
                    UdfMetadata.fieldMetadata(udf.getClass().getName(), spec)),
                spec.output().getChildren());
        if (udf instanceof ScalarUdf<?>) {
          checkScalarOutput(column, udf, declared);
        }
        if (spec.unpacked()) {
          fields.addAll(groupFields(column, udf, spec));
          continue;
        }
        if (ColumnChecks.isBlob(declared)) {
          checkBlobFormat(ds, column);
        }
        fields.add(declared);
      }
      ds.addColumns(fields);
    } catch (Exception e) {
      throw filterFailure("addColumns", null, e);
    }
  }

  /**
   * Refuses a new column or group name that an existing group already has.
   *
   * @param key the addColumns key the name comes from, for the message
   */
  private void checkNotAGroup(Schema schema, String newName, String key) {
    ColumnGroup.named(schema, newName)
        .ifPresent(
            g -> {
              throw new InvalidInputException(
                  "table '"
                      + name()
                      + "' already has a column group '"
                      + newName
                      + "' (columns "
                      + g.members()
                      + " computed by one UDF)"
                      + (newName.equals(key) ? "" : " (an output column of '" + key + "')")
                      + ": choose another name, so that backfill(\""
                      + newName
                      + "\") stays unambiguous");
            });
  }

  /** The member columns of a UDF of several columns, each carrying the UDF and the group. */
  private static List<Field> groupFields(String group, Udf udf, UdfSpec spec) {
    ColumnGroup g =
        new ColumnGroup(group, spec.output().getChildren().stream().map(Field::getName).toList());
    List<Field> fields = new ArrayList<>();
    for (Field member : spec.output().getChildren()) {
      Map<String, String> metadata =
          new LinkedHashMap<>(UdfMetadata.lanceEncoding(member.getMetadata()));
      metadata.putAll(UdfMetadata.of(udf.getClass().getName(), spec).toFieldMetadata());
      metadata.putAll(g.toFieldMetadata());
      fields.add(
          new Field(
              member.getName(),
              new FieldType(true, member.getType(), null, metadata),
              member.getChildren()));
    }
    return fields;
  }

  /**
   * Drops columns, as Geneva's {@code drop_columns}: their values and, for UDF columns, their
   * declaration and checkpoints, so a column added again under the same name starts afresh. A
   * column group is dropped by its name (or by naming all its members). Checked before the table
   * changes: every name must exist, a group must go whole, and no UDF column that stays may read a
   * dropped column.
   *
   * @param columns the columns or column group names
   * @return the table's new version
   * @throws InvalidInputException for a missing column, part of a group, a column another UDF
   *     column still reads, or every column of the table; nothing is dropped then
   */
  public long dropColumns(List<String> columns) {
    connection.checkOpen();
    try {
      return ColumnDropper.drop(location, columns);
    } catch (Exception e) {
      throw filterFailure("dropColumns", null, e);
    }
  }

  /**
   * Drops columns; see {@link #dropColumns(List)}.
   *
   * @param columns the columns or column group names
   * @return the table's new version
   */
  public long dropColumns(String... columns) {
    return dropColumns(columns == null ? null : java.util.Arrays.asList(columns));
  }

  /**
   * Changes the UDF of existing UDF columns, as Geneva's {@code alter_columns}: a new UDF class, or
   * a new version or new inputs of the same one. Only the declaration in the field's metadata
   * changes; the values stay until the next backfill, which — because the UDF changed — recomputes
   * every row rather than only the null ones, and says so ({@link BackfillResult#udfChange()}).
   * Everything is checked before the table changes, as in {@link #addColumns(Map)}; the output type
   * must stay the column's.
   *
   * @param udfs existing UDF column name to its new UDF
   * @return the table's new version
   * @throws InvalidInputException for a column that is missing or has no UDF, a UDF that cannot be
   *     recreated by class name, bad inputs, or another output type
   */
  public long alterColumns(Map<String, ? extends Udf> udfs) {
    if (udfs == null || udfs.isEmpty()) {
      throw new InvalidInputException(
          "alterColumns needs at least one column, e.g. Map.of(\"len\", new TextLengthV2())");
    }
    Map<String, Map<String, String>> updates = new LinkedHashMap<>();
    try (Dataset ds = open()) {
      Schema schema = ds.getSchema();
      for (var e : udfs.entrySet()) {
        String column = e.getKey();
        Udf udf = e.getValue();
        var group = ColumnGroup.find(schema, column);
        if (group.isPresent() && group.get().name().equals(column)) {
          alterGroup(schema, group.get(), udf, updates);
          continue;
        }
        if (group.isPresent()) {
          throw new InvalidInputException(
              "alterColumns: column '"
                  + column
                  + "' of table '"
                  + name()
                  + "' is one of the columns "
                  + group.get().members()
                  + " that one UDF computes together (group '"
                  + group.get().name()
                  + "'): change the UDF of all of them at once with alterColumns(Map.of(\""
                  + group.get().name()
                  + "\", udf)), where udf declares the same output columns");
        }
        Field field =
            schema.getFields().stream()
                .filter(f -> f.getName().equals(column))
                .findFirst()
                .orElseThrow(
                    () ->
                        new InvalidInputException(
                            "alterColumns: table '"
                                + name()
                                + "' has no column '"
                                + column
                                + "'; its columns are "
                                + schema.getFields().stream().map(Field::getName).toList()
                                + ". Add a new UDF column with addColumns"));
        UdfMetadata before =
            UdfMetadata.from(field.getMetadata())
                .orElseThrow(
                    () ->
                        new InvalidInputException(
                            "alterColumns: column '"
                                + column
                                + "' of table '"
                                + name()
                                + "' has no UDF (it holds data written by other means); add a"
                                + " UDF column with addColumns instead"));
        UdfSpec spec = checkedSpec("alterColumns", column, udf);
        if (spec.unpacked()) {
          throw new InvalidInputException(
              "alterColumns: UDF "
                  + udf.getClass().getName()
                  + " declares several output columns but '"
                  + column
                  + "' is one column computed alone: a column's UDF can only be changed for one"
                  + " of one output; add the UDF of several columns with addColumns");
        }
        ColumnChecks.checkInputs(name(), schema, column, spec);
        ColumnChecks.checkOutput(column, udf.getClass().getName(), spec);
        if (!ColumnChecks.sameType(field, spec.output())
            || ColumnChecks.isBlob(field) != ColumnChecks.isBlob(spec.output())) {
          throw new InvalidInputException(
              "alterColumns: UDF "
                  + udf.getClass().getName()
                  + " declares output "
                  + spec.output().getType()
                  + " but column '"
                  + column
                  + "' holds "
                  + field.getType()
                  + (ColumnChecks.isBlob(field) ? " (blob)" : "")
                  + ": a UDF can only be changed for one of the same type; drop the column and"
                  + " add it again to change its type");
        }
        if (udf instanceof ScalarUdf<?>) {
          checkScalarOutput(column, udf, field);
        }
        Map<String, String> m =
            new LinkedHashMap<>(UdfMetadata.of(udf.getClass().getName(), spec).toFieldMetadata());
        // The values keep the UDF that computed them, so the next backfill can see the change.
        m.put(UdfVersions.COMPUTED, UdfVersions.encodeComputed(field.getMetadata(), before));
        updates.put(column, m);
      }
    }
    return UdfVersions.updateFieldMetadata(location, updates);
  }

  /**
   * Records a new UDF for every member of a column group; it must declare the same columns, with
   * the same types, in the same order.
   */
  private void alterGroup(
      Schema schema, ColumnGroup group, Udf udf, Map<String, Map<String, String>> updates) {
    String udfClass = udf == null ? "null" : udf.getClass().getName();
    UdfSpec spec = checkedSpec("alterColumns", group.name(), udf);
    if (!spec.unpacked()) {
      throw new InvalidInputException(
          "alterColumns: '"
              + group.name()
              + "' is a group of columns "
              + group.members()
              + " computed by one UDF, but UDF "
              + udfClass
              + " declares one output: declare the same columns with UdfSpec.outputColumns");
    }
    ColumnChecks.checkInputs(name(), schema, group.name(), spec);
    for (String input : spec.inputs()) {
      if (group.members().contains(input)) {
        throw new InvalidInputException(
            "UDF for column group '"
                + group.name()
                + "' reads its own output column '"
                + input
                + "': a column cannot be computed from itself; read other columns");
      }
    }
    ColumnChecks.checkOutput(group.name(), udfClass, spec);
    List<Field> declared = spec.output().getChildren();
    boolean same = declared.size() == group.members().size();
    for (int i = 0; same && i < declared.size(); i++) {
      Field stored = schema.findField(group.members().get(i));
      same =
          declared.get(i).getName().equals(stored.getName())
              && ColumnChecks.sameType(stored, declared.get(i));
    }
    if (!same) {
      throw new InvalidInputException(
          "alterColumns: UDF "
              + udfClass
              + " declares output columns "
              + describeColumns(declared)
              + " but group '"
              + group.name()
              + "' holds "
              + describeColumns(group.members().stream().map(schema::findField).toList())
              + ": a UDF of several columns can only be changed for one with the same columns and"
              + " types; add the new columns as another group to change them");
    }
    if (udf instanceof ScalarUdf<?>) {
      checkScalarOutput(group.name(), udf, spec.output());
    }
    for (String member : group.members()) {
      Field field = schema.findField(member);
      UdfMetadata before = UdfMetadata.from(field.getMetadata()).orElseThrow();
      Map<String, String> m = new LinkedHashMap<>(UdfMetadata.of(udfClass, spec).toFieldMetadata());
      m.put(UdfVersions.COMPUTED, UdfVersions.encodeComputed(field.getMetadata(), before));
      updates.put(member, m);
    }
  }

  private static List<String> describeColumns(List<Field> fields) {
    return fields.stream().map(f -> f.getName() + ": " + f.getType()).toList();
  }

  /** Lance 2.0 files cannot hold a blob column whose fragments have deleted rows. */
  private void checkBlobFormat(Dataset ds, String column) {
    for (var fragment : ds.getFragments()) {
      var file = fragment.metadata().getFiles().get(0);
      if (file.getFileMajorVersion() == 2 && file.getFileMinorVersion() == 0) {
        throw new InvalidInputException(
            "column '"
                + column
                + "' is a blob, but table '"
                + name()
                + "' is written in Lance file format 2.0, whose blob encoding crashes lance-core"
                + " 0.39 on fragments with deleted rows: store the bytes as"
                + " UdfTypes.largeBinary(), or write the table in file format 2.1 or newer (create it with"
                + " CreateTableOptions.builder().fileFormat(CreateTableOptions.FileFormat.V2_1))");
      }
    }
  }

  private void checkScalarOutput(String column, Udf udf, Field field) {
    try (FieldVector v = field.createVector(location.allocator())) {
      dev.geneva.internal.engine.ScalarOutputs.check(v, column, udf.getClass().getName());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
  }

  /**
   * Plans a default backfill of a column without running it; see {@link #planBackfill(String,
   * BackfillOptions)}.
   *
   * @param column a column added with {@link #addColumns(Map)}
   * @return what a backfill would do now
   */
  public BackfillPlanSummary planBackfill(String column) {
    return planBackfill(column, BackfillOptions.defaults());
  }

  /**
   * Plans a backfill exactly as {@link #backfill(String, BackfillOptions)} would at the current
   * version — rows selected, fragments, tasks, and the tasks an unfinished earlier run has
   * checkpointed — without computing anything or writing to the table or its checkpoints. The UDF
   * class must be on the classpath (it is instantiated to read its declaration, never called). The
   * options' executor, listener and target play no part.
   *
   * @param column a column added with {@link #addColumns(Map)}
   * @param options the filter, rows per task and batch size to plan with
   * @return what a backfill would do now
   * @throws InvalidInputException for a request the backfill would refuse
   */
  public BackfillPlanSummary planBackfill(String column, BackfillOptions options) {
    checkOptions("planBackfill", column, options);
    ColumnNames.check(
        "planBackfill",
        column,
        "Plan a column added with table.addColumns(Map.of(\"name\", udf)), which refuses such"
            + " names");
    return BackfillPlanner.summarize(location, column, options);
  }

  /**
   * Computes a UDF column for every row where it is null, with the default options, and waits.
   *
   * @param column a column added with {@link #addColumns(Map)}
   * @return what was done
   */
  public BackfillResult backfill(String column) {
    return backfill(column, BackfillOptions.defaults());
  }

  /**
   * Computes a UDF column and waits.
   *
   * @param column a column added with {@link #addColumns(Map)}
   * @param options filter, concurrency, listener, executor
   * @return what was done
   * @throws InvalidInputException for bad input, before anything is written
   * @throws BackfillFailedException when the backfill fails; rerunning resumes
   */
  public BackfillResult backfill(String column, BackfillOptions options) {
    return backfillAsync(column, options).join();
  }

  /**
   * Starts computing a UDF column with the default options and returns at once.
   *
   * @param column a column added with {@link #addColumns(Map)}
   * @return the running job
   */
  public BackfillJob backfillAsync(String column) {
    return backfillAsync(column, BackfillOptions.defaults());
  }

  /**
   * Starts computing a UDF column and returns at once. Bad input is reported here, before anything
   * is written.
   *
   * <p>Where it runs, first match wins: the options' {@linkplain BackfillOptions#target() target};
   * this JVM on the options' {@linkplain BackfillOptions#executor() executor}; the process-wide
   * {@linkplain BackfillTargets#current() ambient target} (a started {@code RayCluster}, from any
   * thread); this JVM on the connection's executor.
   *
   * @param column a column added with {@link #addColumns(Map)}
   * @param options filter, concurrency, listener, executor
   * @return the running job
   */
  public BackfillJob backfillAsync(String column, BackfillOptions options) {
    checkOptions("backfill", column, options);
    connection.checkOpen();
    ColumnNames.check(
        "backfill",
        column,
        "Backfill a column added with table.addColumns(Map.of(\"name\", udf)), which refuses"
            + " such names");
    BackfillTarget target = options.target().orElse(null);
    if (target == null && options.executor().isEmpty()) {
      target = BackfillTargets.current().orElse(null);
    }
    if (target != null) {
      BackfillPlanner.validate(location, column, options);
      return target.start(this, column, options.toBuilder().target(null).build());
    }
    return BackfillRun.start(
        location, column, options, connection.executor(options), connection.jobHistory());
  }

  private void checkOptions(String operation, String column, BackfillOptions options) {
    if (options == null) {
      throw new InvalidInputException(
          operation
              + " of column '"
              + column
              + "' on table '"
              + name()
              + "': the options are null; pass BackfillOptions.defaults() or build them with"
              + " BackfillOptions.builder()");
    }
  }

  /** The executor work with these options runs on in this JVM: the options' or the connection's. */
  dev.geneva.spi.BackfillExecutor executor(BackfillOptions options) {
    return connection.executor(options);
  }

  /**
   * The job history of this table's database (see {@link Connection#jobs()}), for targets that
   * record the jobs they submit.
   *
   * @return the history
   */
  public JobHistory jobHistory() {
    return connection.jobHistory();
  }

  /**
   * The Lance storage options to open this table with now, for code that opens it elsewhere (a
   * cluster job): the connection's fixed options with its {@link StorageOptionsProvider}'s current
   * ones over them. They may hold credentials: never log them.
   *
   * @return the options
   * @throws GenevaException when the connection's storage options provider fails
   */
  public Map<String, String> storageOptions() {
    return location.storageOptions();
  }

  /**
   * Starts a query over this table, to define a materialized view with {@link
   * Connection#createMaterializedView(String, Query, Map)}.
   *
   * @return a query of all columns and rows
   */
  public Query query() {
    return Query.of(this);
  }

  TableLocation location() {
    return location;
  }

  @Override
  public String toString() {
    return "Table{name=" + name() + ", uri=" + location.shownUri() + "}";
  }
}
