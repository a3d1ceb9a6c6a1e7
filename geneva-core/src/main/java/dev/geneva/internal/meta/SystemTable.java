package dev.geneva.internal.meta;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.WriteParams;
import com.lancedb.lance.compaction.CompactionOptions;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.GenevaException;
import dev.geneva.internal.engine.RootReader;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.UriRedaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An append-only Lance table Geneva keeps for itself under {@code <database>/_geneva/} (job
 * history, stored cluster definitions). Rows are only ever appended, so writers never overwrite
 * each other; an append that loses a commit race (or races the table's creation) is retried.
 * Readers fold the rows (the latest per key wins). {@link #compact} deletes rows a fold no longer
 * needs and merges the table's small fragments (one per append) into one.
 */
public final class SystemTable {
  /** The directory under the database holding Geneva's own tables; never listed as a table. */
  public static final String DIRECTORY = "_geneva";

  private static final int MAX_ATTEMPTS = 30;

  /** The most row addresses in one delete predicate; more make several deletes. */
  static final int ADDRESSES_PER_DELETE = 10_000;

  private final String uri;
  private final Schema schema;
  private final Supplier<Map<String, String>> storage;
  private final BufferAllocator allocator;
  private volatile boolean created;

  /** The table's fragment count after this JVM's last append or compaction, -1 before either. */
  private volatile int lastFragments = -1;

  /** One compaction of this table at a time in this JVM. */
  private final ReentrantLock compacting = new ReentrantLock();

  /**
   * Describes one system table.
   *
   * @param databaseUri the database's URI
   * @param name the table's file name without {@code .lance}, such as {@code jobs}
   * @param schema the rows' schema
   * @param storage resolves the storage options current now
   * @param allocator for the batches written and read
   */
  public SystemTable(
      String databaseUri,
      String name,
      Schema schema,
      Supplier<Map<String, String>> storage,
      BufferAllocator allocator) {
    String root =
        databaseUri.endsWith("/")
            ? databaseUri.substring(0, databaseUri.length() - 1)
            : databaseUri;
    this.uri = root + "/" + DIRECTORY + "/" + name + ".lance";
    this.schema = schema;
    this.storage = storage;
    this.allocator = allocator;
  }

  /**
   * The table's URI.
   *
   * @return the URI
   */
  public String uri() {
    return uri;
  }

  /**
   * The table's fragment count as this JVM last saw it: after its last append or compaction.
   *
   * @return the count, -1 when this JVM has not written the table yet
   */
  public int lastKnownFragments() {
    return lastFragments;
  }

  /**
   * Appends rows, creating the table on first use, retrying lost commit races.
   *
   * @param fill sets the rows of an empty batch of the table's schema (and its row count)
   * @throws GenevaException when the rows cannot be written after retries
   */
  public void append(Consumer<VectorSchemaRoot> fill) {
    try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator)) {
      batch.allocateNew();
      fill.accept(batch);
      ensureCreated();
      appendWithRetries(batch);
    }
  }

  private void appendWithRetries(VectorSchemaRoot batch) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        write(batch);
        return;
      } catch (RuntimeException e) {
        if (!retryable(e)) {
          throw failure("cannot write to", e);
        }
        last = e;
        sleep(attempt);
      }
    }
    throw new GenevaException(
        "cannot write to "
            + UriRedaction.redact(uri)
            + ": "
            + MAX_ATTEMPTS
            + " commits in a row conflicted with other writers: "
            + last.getMessage(),
        last);
  }

  /**
   * Creates the table empty unless it exists. Lance resolves racing creations by committing the
   * late one as a new version that replaces the table (probed with lance-core 0.39.0: of four
   * simultaneous {@code CREATE}s, two failed with "already exists" and two returned versions 1 and
   * 2), so a late creation can drop rows appended meanwhile. A creation that returns a version
   * above 1 therefore appends again the rows of the version it replaced.
   */
  private void ensureCreated() {
    if (created) {
      return;
    }
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (exists()) {
        addMissingColumns();
        created = true;
        return;
      }
      try (VectorSchemaRoot empty = VectorSchemaRoot.create(schema, allocator)) {
        empty.allocateNew();
        empty.setRowCount(0);
        long version = write(empty, WriteParams.WriteMode.CREATE);
        if (version > 1) {
          restore(version - 1);
        }
        created = true;
        return;
      } catch (RuntimeException e) {
        if (!retryable(e)) {
          throw failure("cannot create", e);
        }
        sleep(attempt); // another writer created it first: check again
      }
    }
    throw new GenevaException(
        "cannot create " + UriRedaction.redact(uri) + ": it neither exists nor can be created");
  }

  private boolean exists() {
    try (Dataset ds =
        Dataset.open(
            allocator, uri, new ReadOptions.Builder().setStorageOptions(storage.get()).build())) {
      return ds.version() > 0;
    } catch (Exception e) { // Lance throws undeclared IOExceptions too
      if (LanceErrors.isNotFound(e)) {
        return false;
      }
      throw failure("cannot open", e);
    }
  }

  /**
   * Adds the columns of this Geneva's schema that a table written by an older one lacks (nullable
   * by design: the old rows read them as null), so that appends of the full schema fit.
   */
  private void addMissingColumns() {
    for (int attempt = 1; ; attempt++) {
      try (Dataset ds =
          Dataset.open(
              allocator, uri, new ReadOptions.Builder().setStorageOptions(storage.get()).build())) {
        Set<String> existing = new HashSet<>();
        ds.getSchema().getFields().forEach(f -> existing.add(f.getName()));
        List<Field> missing =
            schema.getFields().stream().filter(f -> !existing.contains(f.getName())).toList();
        if (missing.isEmpty()) {
          return;
        }
        for (Field f : missing) {
          if (!f.isNullable()) {
            throw new GenevaException(
                UriRedaction.redact(uri)
                    + " lacks the column '"
                    + f.getName()
                    + "', which this Geneva cannot add to its existing rows: it was written by an"
                    + " incompatible Geneva; move it away to start a new one");
          }
        }
        ds.addColumns(missing);
        return;
      } catch (GenevaException e) {
        throw e;
      } catch (RuntimeException e) {
        if (!retryable(e) || attempt >= MAX_ATTEMPTS) {
          throw failure("cannot add the columns of newer Geneva versions to", e);
        }
        sleep(attempt); // another writer added them, or committed, first: look again
      }
    }
  }

  /** Appends the rows of a version that a racing creation replaced. */
  private void restore(long replaced) {
    try (Dataset old =
            Dataset.open(
                allocator,
                uri,
                new ReadOptions.Builder()
                    .setVersion(Math.toIntExact(replaced))
                    .setStorageOptions(storage.get())
                    .build());
        LanceScanner scanner = old.newScan(new ScanOptions.Builder().build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot rows = reader.getVectorSchemaRoot();
        if (rows.getRowCount() > 0) {
          appendWithRetries(rows);
        }
      }
    } catch (GenevaException e) {
      throw e;
    } catch (Exception e) {
      throw new GenevaException(
          "cannot restore the rows of "
              + UriRedaction.redact(uri)
              + " version "
              + replaced
              + ": "
              + UriRedaction.scrub(e.getMessage(), uri),
          e);
    }
  }

  private void write(VectorSchemaRoot batch) {
    write(batch, WriteParams.WriteMode.APPEND);
  }

  private long write(VectorSchemaRoot batch, WriteParams.WriteMode mode) {
    try (ArrowReader reader = new RootReader(allocator, batch);
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, reader, stream);
      WriteParams params =
          new WriteParams.Builder().withMode(mode).withStorageOptions(storage.get()).build();
      try (Dataset written = Dataset.create(allocator, stream, uri, params)) {
        lastFragments = written.getFragments().size();
        return written.version();
      }
    } catch (IOException e) {
      throw failure("cannot write to", e);
    }
  }

  /**
   * Reads every row, batch by batch.
   *
   * @param each called with each batch (valid only during the call)
   * @throws GenevaException when the table exists but cannot be read
   */
  public void scan(Consumer<VectorSchemaRoot> each) {
    Dataset ds;
    try {
      ds =
          Dataset.open(
              allocator, uri, new ReadOptions.Builder().setStorageOptions(storage.get()).build());
    } catch (Exception e) { // Lance throws undeclared IOExceptions too
      if (LanceErrors.isNotFound(e)) {
        return; // nothing recorded yet
      }
      throw failure("cannot open", e);
    }
    try (ds;
        LanceScanner scanner = ds.newScan(new ScanOptions.Builder().build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        each.accept(reader.getVectorSchemaRoot());
      }
    } catch (Exception e) {
      throw failure("cannot read", e);
    }
  }

  /** Chooses the rows a compaction deletes, from the rows of the version it compacts. */
  public interface Pruning {
    /**
     * Reads one batch of the compacted version.
     *
     * @param batch the rows (valid only during the call)
     * @param rowAddresses each row's Lance row address
     */
    void read(VectorSchemaRoot batch, UInt8Vector rowAddresses);

    /**
     * The rows to delete, once every batch was read.
     *
     * @return their row addresses
     */
    Set<Long> drop();
  }

  /**
   * What a compaction did.
   *
   * @param rowsBefore rows of the version it read
   * @param rowsDeleted rows it deleted
   * @param fragmentsBefore fragments of the version it read
   * @param fragmentsAfter fragments of the version it left (rows appended meanwhile included)
   * @param version the version it left
   */
  public record Compacted(
      long rowsBefore, long rowsDeleted, int fragmentsBefore, int fragmentsAfter, long version) {}

  /**
   * Deletes the rows a pruning chooses from the latest version, then merges the fragments. Safe
   * with concurrent appends: the delete names rows by their addresses in the version it read, which
   * appended fragments never take, and Lance rebases both the delete and the rewrite over appends
   * committed meanwhile. A race with another compaction (another JVM) is retried; one in this JVM
   * waits, or is skipped when {@code wait} is false.
   *
   * @param pruning makes the chooser of rows to delete (a new one per attempt)
   * @param wait whether to wait for a compaction of this JVM that is under way
   * @return what it did; empty when the table does not exist, or another compaction of this JVM was
   *     under way and {@code wait} is false
   * @throws GenevaException when the table cannot be read, pruned or rewritten
   */
  public Optional<Compacted> compact(Supplier<Pruning> pruning, boolean wait) {
    if (wait) {
      compacting.lock();
    } else if (!compacting.tryLock()) {
      return Optional.empty();
    }
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          return compactOnce(pruning.get());
        } catch (GenevaException e) {
          throw e;
        } catch (Exception e) { // lance-core's JNI also throws undeclared checked exceptions
          if (!retryable(e) || attempt >= MAX_ATTEMPTS) {
            throw new GenevaException("cannot compact " + uri + ": " + e.getMessage(), e);
          }
          sleep(attempt); // another writer rewrote the same fragments first: read again
        }
      }
    } finally {
      compacting.unlock();
    }
  }

  private Optional<Compacted> compactOnce(Pruning pruning) {
    long rowsBefore;
    int fragmentsBefore;
    long deleted;
    try (Dataset ds = openLatest()) {
      if (ds == null) {
        return Optional.empty();
      }
      rowsBefore = ds.countRows();
      fragmentsBefore = ds.getFragments().size();
      try (LanceScanner scanner =
              ds.newScan(new ScanOptions.Builder().withRowAddress(true).build());
          ArrowReader reader = scanner.scanBatches()) {
        while (reader.loadNextBatch()) {
          VectorSchemaRoot batch = reader.getVectorSchemaRoot();
          pruning.read(batch, (UInt8Vector) batch.getVector("_rowaddr"));
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new GenevaException("cannot read " + uri + ": " + e.getMessage(), e);
      }
      Set<Long> drop = pruning.drop();
      for (String predicate : deletePredicates(drop)) {
        ds.delete(predicate);
      }
      deleted = drop.size();
    }
    try (Dataset latest = openLatest()) {
      latest.compact(CompactionOptions.builder().build());
    }
    try (Dataset after = openLatest()) {
      lastFragments = after.getFragments().size();
      return Optional.of(
          new Compacted(rowsBefore, deleted, fragmentsBefore, lastFragments, after.version()));
    }
  }

  /**
   * Predicates deleting exactly the dropped rows of a version, by row address, at most {@link
   * #ADDRESSES_PER_DELETE} each. Flat {@code IN} lists: lance-core 0.39 crashes the JVM (a native
   * stack overflow) on a predicate of some hundreds of {@code OR}s. Fragments appended later get
   * higher fragment ids, so their rows never have one of these addresses.
   */
  static List<String> deletePredicates(Set<Long> drop) {
    List<Long> sorted = new ArrayList<>(drop);
    sorted.sort(null);
    List<String> predicates = new ArrayList<>();
    for (int from = 0; from < sorted.size(); from += ADDRESSES_PER_DELETE) {
      StringBuilder in = new StringBuilder("_rowaddr IN (");
      List<Long> chunk = sorted.subList(from, Math.min(sorted.size(), from + ADDRESSES_PER_DELETE));
      for (int i = 0; i < chunk.size(); i++) {
        in.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(chunk.get(i)));
      }
      predicates.add(in.append(')').toString());
    }
    return predicates;
  }

  /** The latest version, or null when the table does not exist. */
  private Dataset openLatest() {
    try {
      return Dataset.open(
          allocator, uri, new ReadOptions.Builder().setStorageOptions(storage.get()).build());
    } catch (RuntimeException e) {
      if (LanceErrors.isNotFound(e)) {
        return null;
      }
      throw new GenevaException("cannot open " + uri + ": " + e.getMessage(), e);
    }
  }

  private static boolean retryable(Exception e) {
    if (LanceErrors.isCommitConflict(e)) {
      return true;
    }
    // Two first writers race to create the table: the loser sees it exist, or half-made.
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("already exists") || m.contains("retry")) {
        return true;
      }
    }
    return false;
  }

  private static void sleep(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L + 20L * Math.min(attempt, 10)));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new GenevaException("interrupted while retrying a write to Geneva's system table");
    }
  }

  @Override
  public String toString() {
    return "SystemTable{" + UriRedaction.redact(uri) + "}";
  }

  /** A failure to {@code what} this table, with secrets in the URI and message masked. */
  private GenevaException failure(String what, Exception e) {
    return new GenevaException(
        what + " " + UriRedaction.redact(uri) + ": " + UriRedaction.scrub(e.getMessage(), uri), e);
  }
}
