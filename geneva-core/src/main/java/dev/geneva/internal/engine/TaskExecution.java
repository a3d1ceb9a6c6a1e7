package dev.geneva.internal.engine;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.WriteParams.LanceFileVersion;
import com.lancedb.lance.file.LanceFileWriter;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.GenevaException;
import dev.geneva.internal.lance.TablePaths;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskResult;
import dev.geneva.spi.TaskTimings;
import dev.geneva.udf.StatefulUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfContext;
import dev.geneva.udf.UdfSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker side of a backfill: one task at a time, with the worker's cached state. */
public final class TaskExecution implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskExecution.class);

  private final BufferAllocator allocator;
  private final String workerId;
  private final Map<String, OpenDataset> datasets = new HashMap<>();
  private final Map<String, Udf> udfs = new HashMap<>();
  private ExecutorService fileThreads;
  private boolean closed;

  /**
   * Creates the worker state.
   *
   * @param parent allocator to take a named child from
   * @param workerId the worker's name
   */
  public TaskExecution(BufferAllocator parent, String workerId) {
    this.allocator = parent.newChildAllocator("geneva-worker-" + workerId, 0, Long.MAX_VALUE);
    this.workerId = workerId;
  }

  /**
   * Runs a task.
   *
   * @param task the task
   * @param rowsDone progress callback
   * @return the result
   */
  public TaskResult run(BackfillTask task, LongConsumer rowsDone) {
    return runAll(List.of(task), rowsDone).get(0);
  }

  /**
   * Runs several tasks in order, with the table opened and the UDF created once; each gets its own
   * data file and checkpoint. Consecutive whole fragments share one scan, and their checkpoints are
   * recorded together when the scan ends (or fails); other tasks are recorded one by one.
   *
   * @param tasks the tasks
   * @param rowsDone progress callback
   * @return the results, in the order of {@code tasks}
   */
  public List<TaskResult> runAll(List<BackfillTask> tasks, LongConsumer rowsDone) {
    if (closed) {
      throw new IllegalStateException("worker " + workerId + " is closed");
    }
    List<TaskResult> results = new ArrayList<>(tasks.size());
    CheckpointStore checkpoints = null;
    String checkpointsOf = null;
    int i = 0;
    while (i < tasks.size()) {
      BackfillTask task = tasks.get(i);
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("task " + task.taskId() + " cancelled");
      }
      String column = task.tableUri() + "\0" + task.column();
      if (!column.equals(checkpointsOf)) {
        checkpoints =
            CheckpointStore.forColumn(
                task.tableUri(), task.column(), task::storageOptions, allocator);
        checkpointsOf = column;
      }
      int j = i + 1;
      long scanRows = task.rowCount();
      while (j < tasks.size()
          && sharesScan(task, tasks.get(j))
          && scanRows + tasks.get(j).rowCount() <= SCAN_WINDOW_ROWS) {
        scanRows += tasks.get(j).rowCount();
        j++;
      }
      if (j - i == 1) {
        TaskResult result = compute(task, rowsDone);
        long started = System.nanoTime();
        checkpoints.put(task.checkpointKey(), result);
        results.add(withCheckpointTime(result, System.nanoTime() - started));
      } else {
        // One record for the parts of a shared scan, written even when a later part fails.
        Map<String, TaskResult> finished = new LinkedHashMap<>();
        try {
          computeTogether(
              tasks.subList(i, j),
              rowsDone,
              (t, result) -> finished.put(t.checkpointKey(), result));
        } catch (RuntimeException | Error e) {
          try {
            checkpoints.putAll(finished);
          } catch (RuntimeException checkpointFailure) {
            e.addSuppressed(checkpointFailure);
          }
          throw e;
        }
        long started = System.nanoTime();
        checkpoints.putAll(finished);
        long spent = System.nanoTime() - started;
        for (TaskResult result : finished.values()) {
          results.add(withCheckpointTime(result, spent)); // one write for all: time to the first
          spent = 0;
        }
      }
      LOG.debug("worker {} finished {} task(s) from {}", workerId, j - i, task);
      i = j;
    }
    return results;
  }

  private static TaskResult withCheckpointTime(TaskResult result, long nanos) {
    return result.withTimings(result.timings().plusCheckpoint(nanos));
  }

  /**
   * Where a task's time goes, measured around batches: reading inputs and the UDF's calls; the rest
   * of the task, from {@code started} on, is writing its column file.
   */
  static final class TaskTimer {
    private final long started;
    long readNanos;
    long udfNanos;

    TaskTimer(long started) {
      this.started = started;
    }

    TaskTimings stop() {
      long total = System.nanoTime() - started;
      return new TaskTimings(readNanos, udfNanos, Math.max(0, total - readNanos - udfNanos), 0);
    }
  }

  /**
   * Whether {@code next} can be read by the same scan as {@code first}: both whole fragments with
   * every live row selected and no values to carry over, of the same table version, column and UDF.
   */
  private static boolean sharesScan(BackfillTask first, BackfillTask next) {
    return wholeAndUnfiltered(first)
        && wholeAndUnfiltered(next)
        && first.tableUri().equals(next.tableUri())
        && first.readVersion() == next.readVersion()
        && first.storageOptions().equals(next.storageOptions())
        && first.column().equals(next.column())
        && first.udfClass().equals(next.udfClass())
        && first.udfVersion().equals(next.udfVersion())
        && first.batchSize() == next.batchSize();
  }

  private static boolean wholeAndUnfiltered(BackfillTask task) {
    return task.filter().isEmpty() && !task.carryOverExisting() && task.rangeStart() == 0;
  }

  /**
   * Computes several whole fragments with one scan (opening a scanner costs more than computing a
   * small fragment): rows are routed to each fragment's own data file by their row address, and
   * each part is reported to {@code done} as soon as its file is complete.
   */
  private void computeTogether(
      List<BackfillTask> parts, LongConsumer rowsDone, BiConsumer<BackfillTask, TaskResult> done) {
    BackfillTask first = parts.get(0);
    Dataset dataset = dataset(first);
    Udf udf = checkedUdf(first);
    UdfSpec spec = udf.spec();
    Field outField = outputField(dataset, first);
    List<Integer> ids = parts.stream().map(BackfillTask::fragmentId).toList();
    ScanOptions options = scanOptions(first, spec).fragmentIds(ids).build();
    int next = 0;
    Part current = null;
    PartFinisher finisher = new PartFinisher(fileThreads(), MAX_PENDING_FILES, done);
    // Parts' times tile the scan: each runs from the previous part's end to its hand-over (its
    // file then finishes in the background, uncounted), and a batch's read time goes to the part
    // open while it loads (the first part's, before any is open).
    long partStart = System.nanoTime();
    long unassignedRead = 0;
    long loadStart = partStart;
    try (LanceScanner scanner = dataset.newScan(options);
        ArrowReader input = scanner.scanBatches()) {
      while (input.loadNextBatch()) {
        long loaded = System.nanoTime();
        if (current == null) {
          unassignedRead += loaded - loadStart;
        } else {
          current.timer.readNanos += loaded - loadStart;
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new CancellationException("task " + first.taskId() + " cancelled");
        }
        VectorSchemaRoot batch = input.getVectorSchemaRoot();
        UInt8Vector addresses = (UInt8Vector) batch.getVector(OffsetCursor.ROW_ADDRESS);
        int rows = batch.getRowCount();
        for (int start = 0; start < rows; ) {
          int fragment = (int) (addresses.get(start) >>> 32);
          int end = start + 1;
          while (end < rows && (int) (addresses.get(end) >>> 32) == fragment) {
            end++;
          }
          while (current == null || current.task.fragmentId() != fragment) {
            if (current != null) {
              Part finished = current;
              current = null;
              finished.stopTimer();
              finisher.finish(finished.task, finished::finishOrAbort);
              partStart = System.nanoTime();
            }
            if (next >= parts.size()) {
              throw new GenevaException(
                  "internal error: a scan of fragments "
                      + ids
                      + " returned rows of fragment "
                      + fragment
                      + " out of order; nothing of it was written");
            }
            current = new Part(parts.get(next++), udf, spec, outField, partStart);
            current.timer.readNanos += unassignedRead;
            unassignedRead = 0;
          }
          if (start == 0 && end == rows) {
            current.compute(batch, addresses, rows);
          } else {
            try (VectorSchemaRoot slice = batch.slice(start, end - start)) {
              current.compute(
                  slice, (UInt8Vector) slice.getVector(OffsetCursor.ROW_ADDRESS), end - start);
            }
          }
          rowsDone.accept(end - start);
          start = end;
        }
        loadStart = System.nanoTime();
      }
      if (current != null) {
        current.timer.readNanos += System.nanoTime() - loadStart;
        Part finished = current;
        current = null;
        finished.stopTimer();
        finisher.finish(finished.task, finished::finishOrAbort);
      }
      while (next < parts.size()) {
        // No live row was scanned (cannot happen for a selected fragment, but stays correct).
        Part empty = new Part(parts.get(next++), udf, spec, outField, System.nanoTime());
        empty.stopTimer();
        finisher.finish(empty.task, empty::finishOrAbort);
      }
      finisher.awaitAll();
    } catch (GenevaException | CancellationException e) {
      abort(current, e);
      finisher.awaitAfterFailure(e);
      throw e;
    } catch (InterruptedException e) {
      abort(current, e);
      finisher.awaitAfterFailure(e);
      Thread.currentThread().interrupt();
      throw new CancellationException("task " + first.taskId() + " interrupted");
    } catch (Exception | Error e) {
      abort(current, e);
      finisher.awaitAfterFailure(e);
      throw new GenevaException(
          "task for fragments "
              + ids
              + " of "
              + first.tableUri()
              + " (column '"
              + first.column()
              + "') failed: "
              + e.getMessage(),
          e);
    }
  }

  /** Threads that finish the data files of a shared scan; see {@link PartFinisher}. */
  private static final int FILE_THREADS = 2;

  /** Files of a shared scan finishing at once, at most; each holds its last chunk. */
  private static final int MAX_PENDING_FILES = 4;

  private Executor fileThreads() {
    if (fileThreads == null) {
      AtomicInteger n = new AtomicInteger();
      fileThreads =
          Executors.newFixedThreadPool(
              FILE_THREADS,
              r -> {
                Thread t = new Thread(r, "geneva-files-" + workerId + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }
    return fileThreads;
  }

  private static void abort(Part part, Throwable failure) {
    if (part != null) {
      part.abort(failure);
    }
  }

  /** One fragment of a shared scan: its own data file, aligned writer and UDF failure count. */
  private final class Part {
    final BackfillTask task;
    final String fileName = "geneva-" + UUID.randomUUID() + ".lance";
    final String path;
    final Field outField;
    final UdfInvoker invoker;
    final LanceFileWriter writer;
    final AlignedColumnWriter aligned;
    final TaskTimer timer;
    TaskTimings timings;
    long computed;

    Part(BackfillTask task, Udf udf, UdfSpec spec, Field outField, long started) {
      this.task = task;
      this.timer = new TaskTimer(started);
      this.outField = outField;
      this.path = TablePaths.dataFile(task.tableUri(), fileName);
      this.invoker = new UdfInvoker(udf, spec, task.column(), Thread::sleep);
      try {
        this.writer =
            LanceFileWriter.open(
                path, allocator, null, Optional.of(fileVersion(task)), task.storageOptions());
      } catch (IOException e) {
        throw new GenevaException("cannot create data file " + path + ": " + e.getMessage(), e);
      }
      this.aligned =
          new AlignedColumnWriter(
              allocator,
              fileFields(task, outField),
              task.rangeStart(),
              task.rangeEnd(),
              writer,
              null,
              chunkRows(outField, task.batchSize()));
    }

    void compute(VectorSchemaRoot batch, UInt8Vector addresses, int rows) throws Exception {
      computeBatch(task, invoker, outField, aligned, batch, addresses, rows, timer);
      computed += rows;
    }

    /**
     * Ends the part's time when it is handed over: its file then finishes in the background, and
     * that close is not counted, so the parts' times still tile the scan.
     */
    void stopTimer() {
      timings = timer.stop();
    }

    TaskResult finish() throws Exception {
      aligned.finish();
      aligned.close();
      writer.close();
      return TaskResult.of(
          task,
          fileName,
          computed,
          invoker.failedRows(),
          invoker.failures(),
          timings != null ? timings : timer.stop());
    }

    /** Finishes the file, or removes what was written of it when that fails. */
    TaskResult finishOrAbort() throws Exception {
      try {
        return finish();
      } catch (Exception | Error e) {
        abort(e);
        throw e;
      }
    }

    void abort(Throwable failure) {
      try {
        aligned.close();
        writer.close();
      } catch (Exception | Error e) {
        failure.addSuppressed(e);
      }
      deletePartialFile(path, failure);
    }
  }

  /**
   * The vector type the UDF fills: the column's, or for a UDF of several columns a struct of them,
   * whose fields the data file holds as columns of their own ({@link #fileFields}).
   */
  private Field outputField(Dataset dataset, BackfillTask task) {
    if (!task.outputColumns().isEmpty()) {
      List<Field> members = new ArrayList<>();
      for (String c : task.outputColumns()) {
        members.add(storedField(dataset, c));
      }
      return new Field(task.column(), FieldType.nullable(ArrowType.Struct.INSTANCE), members);
    }
    Field outField = storedField(dataset, task.column());
    if (ColumnChecks.isBlob(outField) && fileVersion(task) == LanceFileVersion.V2_0) {
      throw new GenevaException(
          "column '"
              + task.column()
              + "' is a blob, but fragment "
              + task.fragmentId()
              + " is in Lance file format 2.0, whose blob encoding lance-core 0.39 cannot write"
              + " safely: write the table in file format 2.1 or newer (create it with"
              + " CreateTableOptions.builder().fileFormat(CreateTableOptions.FileFormat.V2_1))");
    }
    return outField;
  }

  private static Field storedField(Dataset dataset, String column) {
    Field stored = dataset.getSchema().findField(column);
    return new Field(
        column,
        new FieldType(
            true, stored.getType(), null, UdfMetadata.lanceEncoding(stored.getMetadata())),
        stored.getChildren());
  }

  /** The columns of the task's data file: the output column, or the fields of a group's struct. */
  static List<Field> fileFields(BackfillTask task, Field outField) {
    return task.outputColumns().isEmpty() ? List.of(outField) : outField.getChildren();
  }

  /**
   * The vectors of the data file's columns for a computed batch: the output, or the fields of a
   * group's struct, null wherever the struct is (a skipped row, or a row the UDF returned null
   * for).
   */
  static List<FieldVector> fileVectors(BackfillTask task, FieldVector out) {
    if (task.outputColumns().isEmpty()) {
      return List.of(out);
    }
    StructVector struct = (StructVector) out;
    List<FieldVector> members = struct.getChildrenFromFields();
    int rows = struct.getValueCount();
    for (FieldVector member : members) {
      member.setValueCount(rows);
      for (int i = 0; i < rows; i++) {
        if (struct.isNull(i) && !member.isNull(i)) {
          BitVectorHelper.unsetBit(member.getValidityBuffer(), i);
        }
      }
    }
    return members;
  }

  /** The task's UDF, checked to be the version the backfill was planned with. */
  private Udf checkedUdf(BackfillTask task) {
    Udf udf = udf(task);
    UdfSpec spec = udf.spec();
    if (!spec.version().equals(task.udfVersion())) {
      throw new GenevaException(
          "UDF "
              + task.udfClass()
              + " on this worker declares version "
              + spec.version()
              + " but the backfill was planned with version "
              + task.udfVersion()
              + ": the worker runs a different build of the UDF; ship the same jar everywhere");
    }
    return udf;
  }

  private TaskResult compute(BackfillTask task, LongConsumer rowsDone) {
    Dataset dataset = dataset(task);
    Udf udf = checkedUdf(task);
    UdfSpec spec = udf.spec();
    Field outField = outputField(dataset, task);
    String fileName = "geneva-" + UUID.randomUUID() + ".lance";
    String path = TablePaths.dataFile(task.tableUri(), fileName);
    Fragment fragment = dataset.getFragment(task.fragmentId());
    var invoker = new UdfInvoker(udf, spec, task.column(), Thread::sleep);
    var timer = new TaskTimer(System.nanoTime());
    long computed;
    try {
      computed = writeDataFile(task, fragment, spec, invoker, outField, path, rowsDone, timer);
    } catch (RuntimeException | Error e) {
      deletePartialFile(path, e);
      throw e;
    }
    return TaskResult.of(
        task, fileName, computed, invoker.failedRows(), invoker.failures(), timer.stop());
  }

  /** Computes the task's rows into a new data file at {@code path}; returns the rows computed. */
  private long writeDataFile(
      BackfillTask task,
      Fragment fragment,
      UdfSpec spec,
      UdfInvoker invoker,
      Field outField,
      String path,
      LongConsumer rowsDone,
      TaskTimer timer) {
    long computed = 0;
    try (LanceFileWriter writer =
            LanceFileWriter.open(
                path, allocator, null, Optional.of(fileVersion(task)), task.storageOptions());
        CarryOver carry = CarryOver.open(task, fragment);
        AlignedColumnWriter aligned =
            new AlignedColumnWriter(
                allocator,
                fileFields(task, outField),
                task.rangeStart(),
                task.rangeEnd(),
                writer,
                carry.cursor(),
                chunkRows(outField, task.batchSize()))) {
      if (task.filter().isEmpty()) {
        // Unfiltered scans are fast, but Lance reads a whole fragment's column ahead: read it in
        // windows of live rows so memory does not grow with the fragment.
        for (long offset = 0; ; offset += SCAN_WINDOW_ROWS) {
          ScanOptions window =
              scanOptions(task, spec).offset(offset).limit(SCAN_WINDOW_ROWS).build();
          long rows =
              computeScan(task, fragment, window, invoker, outField, aligned, rowsDone, timer);
          computed += rows;
          if (rows < SCAN_WINDOW_ROWS) {
            break;
          }
        }
      } else {
        ScanOptions filtered = scanOptions(task, spec).filter(task.filter()).build();
        computed =
            computeScan(task, fragment, filtered, invoker, outField, aligned, rowsDone, timer);
      }
      aligned.finish();
    } catch (GenevaException | CancellationException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("task " + task.taskId() + " interrupted");
    } catch (Exception e) {
      throw new GenevaException(
          "task for fragment "
              + task.fragmentId()
              + " of "
              + task.tableUri()
              + " (column '"
              + task.column()
              + "') failed: "
              + e.getMessage(),
          e);
    }
    return computed;
  }

  /**
   * Removes what a failed task wrote of its data file on a local disk, where nothing else would.
   * (On object stores the file stays unreferenced until Lance's cleanup of old files.)
   */
  private static void deletePartialFile(String path, Throwable failure) {
    try {
      TablePaths.deleteIfLocal(path);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private static final long SCAN_WINDOW_ROWS = 1L << 18;

  private static ScanOptions.Builder scanOptions(BackfillTask task, UdfSpec spec) {
    return new ScanOptions.Builder()
        .columns(spec.inputs())
        .withRowAddress(true)
        .batchSize(task.batchSize());
  }

  /** Computes every row one scan yields into the aligned writer; returns the row count. */
  private long computeScan(
      BackfillTask task,
      Fragment fragment,
      ScanOptions options,
      UdfInvoker invoker,
      Field outField,
      AlignedColumnWriter aligned,
      LongConsumer rowsDone,
      TaskTimer timer)
      throws Exception {
    long computed = 0;
    long loadStart = System.nanoTime();
    try (LanceScanner scanner = fragment.newScan(options);
        ArrowReader input = scanner.scanBatches()) {
      while (input.loadNextBatch()) {
        timer.readNanos += System.nanoTime() - loadStart;
        if (Thread.currentThread().isInterrupted()) {
          throw new CancellationException("task " + task.taskId() + " cancelled");
        }
        VectorSchemaRoot batch = input.getVectorSchemaRoot();
        UInt8Vector addresses = (UInt8Vector) batch.getVector(OffsetCursor.ROW_ADDRESS);
        int rows = batch.getRowCount();
        computeBatch(task, invoker, outField, aligned, batch, addresses, rows, timer);
        computed += rows;
        rowsDone.accept(rows);
        loadStart = System.nanoTime();
      }
      timer.readNanos += System.nanoTime() - loadStart;
    }
    return computed;
  }

  /** Computes one batch of a task's rows and hands the values to its aligned writer. */
  private void computeBatch(
      BackfillTask task,
      UdfInvoker invoker,
      Field outField,
      AlignedColumnWriter aligned,
      VectorSchemaRoot batch,
      UInt8Vector addresses,
      int rows,
      TaskTimer timer)
      throws Exception {
    try (FieldVector out = outField.createVector(allocator)) {
      long started = System.nanoTime();
      invoker.compute(batch, out, addresses::get);
      timer.udfNanos += System.nanoTime() - started;
      aligned.putAll(addresses, fileVectors(task, out), rows);
    }
  }

  /** The existing values of the column for the task's range, when they must be kept. */
  private record CarryOver(LanceScanner scanner, ArrowReader reader, OffsetCursor cursor)
      implements AutoCloseable {
    static CarryOver open(BackfillTask task, Fragment fragment) {
      if (!task.carryOverExisting()) {
        return new CarryOver(null, null, null);
      }
      long base = ((long) task.fragmentId()) << 32;
      LanceScanner scanner =
          fragment.newScan(
              new ScanOptions.Builder()
                  .columns(task.fileColumns())
                  .withRowAddress(true)
                  .filter(BackfillPlanner.rangeFilter(base, task.rangeStart(), task.rangeEnd()))
                  .batchSize(task.batchSize())
                  .build());
      ArrowReader reader = scanner.scanBatches();
      return new CarryOver(scanner, reader, new OffsetCursor(reader, task.fileColumns()));
    }

    @Override
    public void close() throws Exception {
      if (reader != null) {
        reader.close();
      }
      if (scanner != null) {
        scanner.close();
      }
    }
  }

  private static final long CHUNK_BYTES = 8L << 20;

  /**
   * Rows per write to the data file: about 8 MiB of output (each write crosses JNI and ends a
   * page), never fewer than a UDF batch.
   */
  static int chunkRows(Field field, int batchSize) {
    long width = estimatedWidth(field);
    return (int) Math.max(batchSize, Math.min(1 << 20, CHUNK_BYTES / Math.max(1, width)));
  }

  private static long estimatedWidth(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.FixedSizeList list) {
      return list.getListSize() * estimatedWidth(field.getChildren().get(0));
    }
    if (type instanceof ArrowType.Int i) {
      return i.getBitWidth() / 8;
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE
          ? 8
          : 4;
    }
    if (type instanceof ArrowType.Bool) {
      return 1;
    }
    if (type instanceof ArrowType.Struct) {
      return field.getChildren().stream().mapToLong(TaskExecution::estimatedWidth).sum();
    }
    return 64;
  }

  static LanceFileVersion fileVersion(BackfillTask task) {
    int major = task.fileMajorVersion();
    int minor = task.fileMinorVersion();
    if (major == 2 && minor == 0) {
      return LanceFileVersion.V2_0;
    }
    if (major == 2 && minor == 1) {
      return LanceFileVersion.V2_1;
    }
    if (major == 2 && minor == 2) {
      return LanceFileVersion.V2_2;
    }
    throw new GenevaException(
        "fragment "
            + task.fragmentId()
            + " of "
            + task.tableUri()
            + " uses Lance data file format "
            + major
            + "."
            + minor
            + ", which Geneva cannot write: rewrite the table with Lance file format 2.0 or newer");
  }

  /** A dataset this worker keeps open between tasks, and the storage options it was opened with. */
  private record OpenDataset(Dataset dataset, Map<String, String> storageOptions) {}

  private Dataset dataset(BackfillTask task) {
    String key = task.tableUri() + "@" + task.readVersion();
    OpenDataset open = datasets.get(key);
    if (open != null && !open.storageOptions().equals(task.storageOptions())) {
      // New credentials: the dataset keeps the ones it was opened with, which may be expiring.
      datasets.remove(key);
      open.dataset().close();
      open = null;
    }
    if (open == null) {
      ReadOptions options =
          new ReadOptions.Builder()
              .setVersion(Math.toIntExact(task.readVersion()))
              .setStorageOptions(task.storageOptions())
              .build();
      open =
          new OpenDataset(Dataset.open(allocator, task.tableUri(), options), task.storageOptions());
      datasets.put(key, open);
    }
    return open.dataset();
  }

  private Udf udf(BackfillTask task) {
    String key = task.udfClass() + "@" + task.udfVersion() + "/" + task.column();
    Udf udf = udfs.get(key);
    if (udf == null) {
      udf = Udfs.instantiate(task.udfClass(), task.column());
      if (udf instanceof StatefulUdf stateful) {
        try {
          stateful.open(new UdfContext(task.tableUri(), task.column(), workerId));
        } catch (Exception e) {
          throw new GenevaException(
              "UDF " + task.udfClass() + " failed to open on worker " + workerId + ": " + e, e);
        }
      }
      udfs.put(key, udf);
    }
    return udf;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Throwable> errors = new ArrayList<>();
    for (Udf udf : udfs.values()) {
      if (udf instanceof StatefulUdf stateful) {
        try {
          stateful.close();
        } catch (RuntimeException e) {
          errors.add(e);
        }
      }
    }
    for (OpenDataset open : datasets.values()) {
      try {
        open.dataset().close();
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    udfs.clear();
    datasets.clear();
    if (fileThreads != null) {
      // Idle: every task waits for its files before it returns.
      fileThreads.shutdownNow();
    }
    try {
      allocator.close();
    } catch (RuntimeException e) {
      errors.add(e);
    }
    if (!errors.isEmpty()) {
      GenevaException e = new GenevaException("closing worker " + workerId + " failed");
      errors.forEach(e::addSuppressed);
      throw e;
    }
  }
}
