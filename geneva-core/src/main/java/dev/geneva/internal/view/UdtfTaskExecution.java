package dev.geneva.internal.view;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.file.LanceFileWriter;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.GenevaException;
import dev.geneva.internal.engine.SqlFilters;
import dev.geneva.internal.lance.TablePaths;
import dev.geneva.spi.UdtfTask;
import dev.geneva.spi.UdtfTaskResult;
import dev.geneva.udf.Udtf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of a UDTF view's refresh: expands one source fragment's wanted rows per {@link
 * UdtfTask} with the worker's UDTF instance (opened once per worker, closed with it), writes the
 * view rows as the task's piece and records it. A task whose record exists returns it without
 * running the UDTF.
 */
public final class UdtfTaskExecution implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdtfTaskExecution.class);

  private final BufferAllocator allocator;
  private final String workerId;
  private final Map<String, UdtfRunner> runners = new HashMap<>();
  private boolean closed;

  /**
   * Creates the worker state.
   *
   * @param parent allocator to take a named child from
   * @param workerId the worker's name
   */
  public UdtfTaskExecution(BufferAllocator parent, String workerId) {
    this.allocator = parent.newChildAllocator("geneva-udtf-worker-" + workerId, 0, Long.MAX_VALUE);
    this.workerId = workerId;
  }

  /**
   * Runs tasks in order; each is recorded as soon as it is done.
   *
   * @param tasks the tasks
   * @param rowsDone called with the number of source rows expanded after each batch
   * @return the results, in order
   */
  public List<UdtfTaskResult> runAll(List<UdtfTask> tasks, LongConsumer rowsDone) {
    List<UdtfTaskResult> results = new ArrayList<>(tasks.size());
    for (UdtfTask task : tasks) {
      results.add(run(task, rowsDone));
    }
    return results;
  }

  /**
   * Runs one task.
   *
   * @param task the task
   * @param rowsDone called with the number of source rows expanded after each batch
   * @return what it produced
   */
  public UdtfTaskResult run(UdtfTask task, LongConsumer rowsDone) {
    if (closed) {
      throw new IllegalStateException("UDTF worker " + workerId + " is closed");
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new CancellationException("UDTF task " + task.taskId() + " cancelled");
    }
    var done =
        UdtfPieces.get(task.viewUri(), task.checkpointKey(), task.storageOptions(), allocator);
    if (done.isPresent()) {
      LOG.debug("reusing the recorded piece of {}", task);
      rowsDone.accept(done.get().sourceRows());
      return done.get();
    }
    UdtfRunner runner = runner(task);
    Schema written = schema(task);
    Set<String> outputs = new HashSet<>();
    runner.spec().outputs().forEach(o -> outputs.add(o.getName()));
    List<String> copied = new ArrayList<>();
    for (Field f : written.getFields()) {
      if (!f.getName().equals(ViewMetadata.SOURCE_ROW_ID) && !outputs.contains(f.getName())) {
        copied.add(f.getName());
      }
    }
    ScanOptions.Builder scan =
        new ScanOptions.Builder()
            .fragmentIds(List.of(task.fragmentId()))
            .columns(task.columns())
            .withRowAddress(true);
    if (task.batchSize() > 0) {
      scan.batchSize(task.batchSize());
    }
    if (!task.filter().isEmpty()) {
      scan.filter(SqlFilters.wrap(task.filter()));
    }
    long failedBefore = runner.failedRows();
    String piece = UdtfPieces.piece(task.checkpointKey());
    UdtfTaskResult result;
    try (Dataset src = open(task);
        LanceScanner scanner = src.newScan(scan.build());
        ArrowReader rows = scanner.scanBatches();
        ViewRowsReader reader =
            new ViewRowsReader(allocator, rows, written, copied, task::wants, runner)) {
      boolean any = reader.prime();
      long reported = 0;
      if (any) {
        try (LanceFileWriter w =
            LanceFileWriter.open(
                TablePaths.resolve(task.viewUri(), piece),
                allocator,
                null,
                task.storageOptions())) {
          // prime() loaded the first batch; the first loadNextBatch() hands it out
          while (reader.loadNextBatch()) {
            w.write(reader.getVectorSchemaRoot());
            rowsDone.accept(reader.sourceRows() - reported);
            reported = reader.sourceRows();
            if (Thread.currentThread().isInterrupted()) {
              throw new CancellationException("UDTF task " + task.taskId() + " cancelled");
            }
          }
        }
      }
      rowsDone.accept(reader.sourceRows() - reported);
      result =
          new UdtfTaskResult(
              task.fragmentId(),
              reader.viewRows() == 0 ? "" : piece,
              reader.sourceRows(),
              reader.viewRows(),
              runner.failedRows() - failedBefore,
              workerId);
    } catch (GenevaException | CancellationException e) {
      throw e;
    } catch (IOException e) {
      throw new GenevaException(
          "cannot expand source fragment " + task.fragmentId() + " for " + task.viewUri(), e);
    } catch (Exception e) {
      throw new GenevaException(
          "cannot expand source fragment "
              + task.fragmentId()
              + " for "
              + task.viewUri()
              + ": "
              + e,
          e);
    }
    UdtfPieces.put(task.viewUri(), task.checkpointKey(), result, task.storageOptions(), allocator);
    return result;
  }

  private static Schema schema(UdtfTask task) {
    try {
      return Schema.fromJSON(task.viewSchema());
    } catch (IOException e) {
      throw new GenevaException("UDTF task " + task.taskId() + " has an unreadable view schema", e);
    }
  }

  private Dataset open(UdtfTask task) {
    return Dataset.open(
        allocator,
        task.sourceUri(),
        new ReadOptions.Builder()
            .setVersion(Math.toIntExact(task.sourceVersion()))
            .setStorageOptions(task.storageOptions())
            .build());
  }

  /** The worker's UDTF instance for the task's class, created and opened on first use. */
  private UdtfRunner runner(UdtfTask task) {
    UdtfRunner runner = runners.get(task.udtfClass());
    if (runner == null) {
      Udtf udtf = UdtfRunner.instantiate(task.udtfClass(), task.viewUri());
      if (!udtf.spec().version().equals(task.udtfVersion())) {
        throw new GenevaException(
            "UDTF "
                + task.udtfClass()
                + " has version "
                + udtf.spec().version()
                + " on worker "
                + workerId
                + " but "
                + task.udtfVersion()
                + " where the refresh was planned: ship the same jar to the workers");
      }
      runner = new UdtfRunner(udtf, allocator, workerId);
      runners.put(task.udtfClass(), runner);
    }
    runner.open(task.viewUri());
    return runner;
  }

  /** Closes the UDTF instances and the allocator. Safe to call twice. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    for (UdtfRunner r : runners.values()) {
      try {
        r.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    runners.clear();
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
}
