package dev.geneva;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.WriteParams;
import dev.geneva.internal.engine.BorrowedReader;
import dev.geneva.internal.engine.ColumnNames;
import dev.geneva.internal.lance.DatabaseUri;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.internal.view.ViewCreator;
import dev.geneva.internal.view.ViewMetadata;
import dev.geneva.internal.view.ViewQueryOptions;
import dev.geneva.internal.view.ViewRefresher;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillExecutorProvider;
import dev.geneva.udf.BatchUdtf;
import dev.geneva.udf.ChunkerUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.Udtf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database: a directory (local or in a bucket) of Lance tables, each stored as {@code
 * <name>.lance}. Owns an Arrow allocator and, unless one was given, the executor backfills run on;
 * {@link #close()} releases both.
 */
public final class Connection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final String SUFFIX = ".lance";

  private final String uri;
  private final Path localRoot;
  private final ConnectOptions options;
  private final BufferAllocator allocator;
  private BackfillExecutor ownedExecutor;
  private JobHistory jobHistory;
  private dev.geneva.internal.meta.ClusterStore clusterStore;
  private dev.geneva.internal.meta.ClusterStore packageStore;
  private volatile boolean closed;

  Connection(String uri, ConnectOptions options) {
    DatabaseUri parsed = DatabaseUri.parse(uri);
    this.options = options;
    this.uri = parsed.uri();
    this.localRoot = parsed.localRoot();
    if (localRoot != null) {
      try {
        Files.createDirectories(localRoot);
      } catch (IOException e) {
        throw new InvalidInputException(
            "cannot create database directory " + localRoot + ": " + e.getMessage(), e);
      }
    }
    this.allocator = new RootAllocator();
  }

  /**
   * The database's URI (an absolute path for local databases).
   *
   * @return the URI
   */
  public String uri() {
    return uri;
  }

  /**
   * The connection's root allocator, for building data to write and reading results; close what you
   * allocate before closing the connection.
   *
   * @return the allocator
   */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * Creates a table from a stream of Arrow batches (the reader is consumed but not closed: close it
   * yourself).
   *
   * @param name the table's name: letters, digits, {@code _ . -}, at most 128
   * @param data the rows
   * @return the new table
   */
  public Table createTable(String name, ArrowReader data) {
    return createTable(name, data, CreateTableOptions.defaults());
  }

  /**
   * Creates a table from a stream of Arrow batches with layout options.
   *
   * @param name the table's name
   * @param data the rows (consumed, not closed)
   * @param createOptions fragment size and overwrite
   * @return the new table
   */
  public Table createTable(String name, ArrowReader data, CreateTableOptions createOptions) {
    checkOpen();
    checkName(name);
    checkColumnNames(name, data);
    String tableUri = tableUri(name);
    if (!createOptions.overwrite() && exists(tableUri)) {
      throw new InvalidInputException(
          "table '"
              + name
              + "' already exists in "
              + uri
              + ": open it with openTable, drop it with dropTable, or create with"
              + " CreateTableOptions.builder().overwrite(true)");
    }
    WriteParams.Builder params =
        new WriteParams.Builder()
            .withStorageOptions(options.resolveStorageOptions())
            .withMode(
                createOptions.overwrite()
                    ? WriteParams.WriteMode.OVERWRITE
                    : WriteParams.WriteMode.CREATE);
    if (createOptions.maxRowsPerFile() > 0) {
      params.withMaxRowsPerFile(createOptions.maxRowsPerFile());
    }
    createOptions
        .fileFormat()
        .ifPresent(
            f -> params.withDataStorageVersion(WriteParams.LanceFileVersion.valueOf(f.name())));
    try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, new BorrowedReader(allocator, data), stream);
      Dataset.create(allocator, stream, tableUri, params.build()).close();
    } catch (RuntimeException e) {
      throw new GenevaException("cannot create table '" + name + "' at " + tableUri + ": " + e, e);
    }
    return new Table(this, location(name));
  }

  /**
   * Opens an existing table.
   *
   * @param name the table's name
   * @return the table
   */
  public Table openTable(String name) {
    checkOpen();
    checkName(name);
    String tableUri = tableUri(name);
    if (!exists(tableUri)) {
      throw new InvalidInputException(
          "table '" + name + "' does not exist in " + uri + "; existing tables: " + tableNames());
    }
    return new Table(this, location(name));
  }

  /**
   * Creates a materialized view of a query, without UDF columns; see {@link
   * #createMaterializedView(String, Query, Map)}.
   *
   * @param name the view's name (a table name)
   * @param query the source table, columns and filter
   * @return the view, empty until refreshed
   */
  public MaterializedView createMaterializedView(String name, Query query) {
    return createMaterializedView(name, query, Map.of());
  }

  /**
   * Creates a materialized view: a table that will hold the query's columns for the source rows it
   * selects, plus UDF columns computed from them. Nothing is computed until {@link
   * MaterializedView#refresh()}. The view records its source (URI, columns, filter) in its table,
   * so {@link #openMaterializedView(String)} finds it in any process.
   *
   * @param name the view's name (a table name)
   * @param query the source table (of this database), columns and filter
   * @param udfColumns UDF columns of the view, by name; their inputs are view columns
   * @return the view, empty until refreshed
   * @throws InvalidInputException before anything is created, for a name in use, a column the
   *     source lacks, a bad filter or UDF
   */
  public MaterializedView createMaterializedView(
      String name, Query query, Map<String, ? extends Udf> udfColumns) {
    return createView(name, query, null, udfColumns);
  }

  /**
   * Creates a UDTF view without UDF columns; see {@link #createUdtfView(String, Query, Udtf, Map)}.
   *
   * @param name the view's name
   * @param query the source table, the columns to copy onto each view row, and a filter
   * @param udtf the row-expanding function
   * @return the view, empty until refreshed
   */
  public MaterializedView createUdtfView(String name, Query query, Udtf udtf) {
    return createUdtfView(name, query, udtf, Map.of());
  }

  /**
   * Creates a view whose rows are a UDTF's expansion of the query's source rows: a {@link
   * ChunkerUdf} turns each row into any number of rows, a {@link BatchUdtf} a batch into any
   * number. Each view row has the UDTF's output columns, the query's selected columns copied from
   * its source row, and that row's id in {@value MaterializedView#SOURCE_ROW_ID}. The view takes
   * UDF columns like any view (chunk, then embed). Nothing is computed until refreshed; refreshes
   * are incremental.
   *
   * @param name the view's name
   * @param query the source table, the columns to copy onto each view row, and a filter
   * @param udtf the row-expanding function (a public class with a no-argument constructor)
   * @param udfColumns UDF columns of the view, by name
   * @return the view, empty until refreshed
   * @throws InvalidInputException before anything is created, for a bad name, query, UDTF or UDF
   */
  public MaterializedView createUdtfView(
      String name, Query query, Udtf udtf, Map<String, ? extends Udf> udfColumns) {
    if (udtf == null) {
      throw new InvalidInputException(
          "createUdtfView '" + name + "': the UDTF is null; pass a ChunkerUdf or a BatchUdtf");
    }
    return createView(name, query, udtf, udfColumns);
  }

  private MaterializedView createView(
      String name, Query query, Udtf udtf, Map<String, ? extends Udf> udfColumns) {
    checkOpen();
    checkName(name);
    if (query == null) {
      throw new InvalidInputException(
          "view '"
              + name
              + "': the query is null; pass e.g. source.query().select(\"id\", \"text\")");
    }
    Map<String, ? extends Udf> udfs = udfColumns == null ? Map.of() : udfColumns;
    String tableUri = tableUri(name);
    if (exists(tableUri)) {
      throw new InvalidInputException(
          "table '"
              + name
              + "' already exists in "
              + uri
              + ": open the view with openMaterializedView, or drop it with dropTable first");
    }
    TableLocation source = query.source().location();
    if (source.uri().equals(tableUri)) {
      throw new InvalidInputException("view '" + name + "' cannot be its own source");
    }
    if (udtf != null && query.shuffleSeed().isPresent()) {
      throw new InvalidInputException(
          "createUdtfView '"
              + name
              + "': the query is shuffled, which UDTF views do not offer; drop .shuffle(...) from"
              + " the query, and to shuffle the expansion create a materialized view of this"
              + " view with createMaterializedView(name, view.table().query().shuffle(seed))");
    }
    ViewCreator.Definition definition =
        ViewCreator.check(name, source, query.columns(), query.filter(), udtf, udfs);
    TableLocation location = location(name);
    ViewCreator.create(
        location,
        definition,
        new ViewQueryOptions(
            query.shuffleSeed(), query.sampleFraction(), query.sampleSeed().orElse(0)));
    Table table = new Table(this, location);
    if (!udfs.isEmpty()) {
      try {
        table.addColumns(udfs);
      } catch (RuntimeException e) {
        try {
          dropTable(name);
        } catch (RuntimeException dropFailure) {
          e.addSuppressed(dropFailure);
        }
        throw e;
      }
    }
    return new MaterializedView(table, location, sourceLocation(definition.metadata()));
  }

  /**
   * Opens an existing materialized view.
   *
   * @param name the view's name
   * @return the view
   * @throws InvalidInputException when there is no such table, or the table is not a view
   */
  public MaterializedView openMaterializedView(String name) {
    Table table = openTable(name);
    TableLocation location = location(name);
    ViewMetadata meta = ViewRefresher.metadata(location);
    return new MaterializedView(table, location, sourceLocation(meta));
  }

  private TableLocation sourceLocation(ViewMetadata meta) {
    return new TableLocation(
        meta.sourceName(), meta.sourceUri(), options::resolveStorageOptions, allocator);
  }

  /**
   * Lists the tables, sorted by name.
   *
   * @return the names
   */
  public List<String> tableNames() {
    checkOpen();
    if (localRoot != null) {
      try (Stream<Path> children = Files.list(localRoot)) {
        return children
            .filter(p -> p.getFileName().toString().endsWith(SUFFIX))
            .filter(p -> Files.isDirectory(p.resolve("_versions")))
            .map(p -> p.getFileName().toString())
            .map(n -> n.substring(0, n.length() - SUFFIX.length()))
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return RemoteListing.tableNames(uri, options.resolveStorageOptions(), allocator);
  }

  /**
   * Deletes a table and all its data.
   *
   * @param name the table's name
   */
  public void dropTable(String name) {
    checkOpen();
    checkName(name);
    String tableUri = tableUri(name);
    if (!exists(tableUri)) {
      throw new InvalidInputException("table '" + name + "' does not exist in " + uri);
    }
    if (localRoot != null) {
      deleteTree(localRoot.resolve(name + SUFFIX));
    } else {
      Dataset.drop(tableUri, options.resolveStorageOptions());
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /**
   * The database's backfill history, stored in {@code <database>/_geneva/jobs.lance}.
   *
   * @return the history
   */
  public synchronized JobHistory jobHistory() {
    checkOpen();
    if (jobHistory == null) {
      jobHistory =
          new JobHistory(
              uri,
              options::resolveStorageOptions,
              allocator,
              options.jobStaleAfter(),
              options.jobHistoryCompactAfter());
    }
    return jobHistory;
  }

  /**
   * Every backfill recorded in this database, newest first: local and cluster ones, running and
   * ended (see {@link JobHistory}).
   *
   * @return the jobs
   */
  public List<JobRecord> jobs() {
    return jobHistory().list();
  }

  /**
   * The backfills a filter selects, newest first.
   *
   * @param filter table, column and states, e.g. {@code
   *     JobFilter.builder().table("docs").state(JobState.FAILED).build()}
   * @return the jobs
   */
  public List<JobRecord> jobs(JobFilter filter) {
    return jobHistory().list(filter);
  }

  /**
   * Stores a cluster definition in the database under a name, replacing an earlier one, so other
   * programs and the CLI ({@code geneva backfill --cluster NAME}) reuse it (Geneva's {@code
   * define_cluster}). For a KubeRay cluster use geneva-k8s's {@code
   * RayClusterDefinitions.define(connection, name, spec)}, which checks it holds no secrets.
   *
   * @param name 1 to 63 lower-case letters, digits and '-'
   * @param definition the definition
   * @throws InvalidInputException for a bad name or a definition that is not a JSON object
   */
  public void defineCluster(String name, ClusterDefinition definition) {
    clusterStore().define(name, definition);
  }

  /**
   * The stored cluster definitions, by name (Geneva's {@code list_clusters}).
   *
   * @return the definitions
   */
  public List<StoredCluster> clusters() {
    return clusterStore().list();
  }

  /**
   * One stored cluster definition.
   *
   * @param name the name
   * @return the definition, empty when none has that name
   */
  public java.util.Optional<StoredCluster> cluster(String name) {
    dev.geneva.internal.meta.ClusterStore.checkName(name);
    return clusterStore().get(name);
  }

  /**
   * Deletes a stored cluster definition (its history stays in the table, as Lance versions).
   *
   * @param name the name
   * @return false when none had that name
   */
  public boolean dropCluster(String name) {
    return clusterStore().drop(name);
  }

  /**
   * Stores a job package definition in the database under a name, replacing an earlier one, so
   * other programs and the CLI ({@code geneva backfill --package NAME}) ship the same jars to a
   * cluster (Geneva's manifests). Use geneva-ray-jobs's {@code JobPackageDefinitions.define(
   * connection, name, jobPackage)}, which checks it holds no secrets.
   *
   * @param name 1 to 63 lower-case letters, digits and '-'
   * @param definition the definition
   * @throws InvalidInputException for a bad name or a definition that is not a JSON object
   */
  public void definePackage(String name, PackageDefinition definition) {
    if (definition == null) {
      dev.geneva.internal.meta.ClusterStore.checkName("job package definition", name);
      throw new InvalidInputException("definePackage '" + name + "': the definition is null");
    }
    packageStore().define(name, definition.kind(), definition.formatVersion(), definition.toJson());
  }

  /**
   * The stored job package definitions, by name.
   *
   * @return the definitions
   */
  public List<StoredPackage> packages() {
    return packageStore().list().stream().map(Connection::toPackage).toList();
  }

  /**
   * One stored job package definition.
   *
   * @param name the name
   * @return the definition, empty when none has that name
   */
  public java.util.Optional<StoredPackage> storedPackage(String name) {
    dev.geneva.internal.meta.ClusterStore.checkName("job package definition", name);
    return packageStore().get(name).map(Connection::toPackage);
  }

  /**
   * Deletes a stored job package definition (its history stays in the table, as Lance versions).
   *
   * @param name the name
   * @return false when none had that name
   */
  public boolean dropPackage(String name) {
    return packageStore().drop(name);
  }

  private static StoredPackage toPackage(StoredCluster c) {
    return new StoredPackage(c.name(), c.kind(), c.formatVersion(), c.json(), c.definedAt());
  }

  private synchronized dev.geneva.internal.meta.ClusterStore packageStore() {
    checkOpen();
    if (packageStore == null) {
      packageStore =
          dev.geneva.internal.meta.ClusterStore.packages(
              uri, options::resolveStorageOptions, allocator);
    }
    return packageStore;
  }

  private synchronized dev.geneva.internal.meta.ClusterStore clusterStore() {
    checkOpen();
    if (clusterStore == null) {
      clusterStore =
          new dev.geneva.internal.meta.ClusterStore(uri, options::resolveStorageOptions, allocator);
    }
    return clusterStore;
  }

  TableLocation location(String name) {
    return new TableLocation(name, tableUri(name), options::resolveStorageOptions, allocator);
  }

  private String tableUri(String name) {
    return uri + "/" + name + SUFFIX;
  }

  private boolean exists(String tableUri) {
    try (Dataset ds =
        Dataset.open(
            allocator,
            tableUri,
            new com.lancedb.lance.ReadOptions.Builder()
                .setStorageOptions(options.resolveStorageOptions())
                .build())) {
      return ds.version() > 0;
    } catch (RuntimeException e) {
      if (LanceErrors.isNotFound(e)) {
        return false;
      }
      throw new GenevaException("cannot check whether " + tableUri + " exists: " + e, e);
    }
  }

  private static void checkName(String name) {
    if (name == null || !TABLE_NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "invalid table name '"
              + name
              + "': use 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
    }
  }

  private static void checkColumnNames(String table, ArrowReader data) {
    Schema schema;
    try {
      schema = data.getVectorSchemaRoot().getSchema();
    } catch (IOException e) {
      throw new InvalidInputException(
          "createTable '" + table + "': cannot read the data's schema: " + e.getMessage(), e);
    }
    List<String> taken = new ArrayList<>();
    for (Field f : schema.getFields()) {
      ColumnNames.checkNew("createTable '" + table + "'", f.getName());
      ColumnNames.checkDistinct("createTable '" + table + "'", taken, f.getName());
      taken.add(f.getName());
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("connection to " + uri + " is closed");
    }
  }

  /** The executor for a backfill: the options', the connection's given one, or the default. */
  synchronized BackfillExecutor executor(BackfillOptions backfillOptions) {
    checkOpen();
    if (backfillOptions.executor().isPresent()) {
      return backfillOptions.executor().get();
    }
    if (options.executor().isPresent()) {
      return options.executor().get();
    }
    if (ownedExecutor == null) {
      List<BackfillExecutorProvider> providers = new ArrayList<>();
      ServiceLoader.load(BackfillExecutorProvider.class).forEach(providers::add);
      BackfillExecutorProvider best =
          providers.stream()
              .max(Comparator.comparingInt(BackfillExecutorProvider::priority))
              .orElseThrow(
                  () ->
                      new GenevaException(
                          "no BackfillExecutorProvider on the classpath: is geneva-core's jar"
                              + " complete?"));
      ownedExecutor = best.create(allocator);
      LOG.info("backfills on {} run on executor '{}'", uri, ownedExecutor.name());
    }
    return ownedExecutor;
  }

  /** Closes the executor the connection created and the allocator. Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    if (ownedExecutor != null) {
      try {
        ownedExecutor.close();
      } catch (RuntimeException e) {
        failure = e;
      }
      ownedExecutor = null;
    }
    try {
      allocator.close();
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "Connection{uri=" + uri + ", options=" + options + "}";
  }
}
