package dev.geneva.internal.view;

import com.lancedb.lance.file.LanceFileReader;
import dev.geneva.GenevaException;
import dev.geneva.Table;
import dev.geneva.internal.engine.UdfMetadata;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import dev.geneva.spi.UdtfTask;
import dev.geneva.spi.UdtfTaskResult;
import dev.geneva.udf.StatefulUdtf;
import dev.geneva.udf.Udtf;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of a UDTF view's expansion: one {@link UdtfTask} per source fragment with rows to
 * add, run on an executor session (threads, embedded Ray, Ray workers) with the UDTF's resources,
 * at most {@code concurrency} calls at a time; consecutive small fragments are packed into one call
 * (as a backfill packs them), each still its own task and piece. Each task writes its view rows as
 * a recorded piece; the driver appends the pieces to the view in the order the fragments were
 * added, one commit per fragment, so the view is the same whoever ran which task. A refresh that
 * stops leaves finished pieces recorded: the next refresh of the same rows at the same source
 * version reuses them.
 */
final class UdtfExpansion implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdtfExpansion.class);
  private static final int READ_BATCH = 8192;

  /** The most fragments packed into one call. */
  static final int MAX_PARTS_PER_CALL = 512;

  /** Calls per worker the packing aims for, so that workers finish at about the same time. */
  private static final int CALLS_PER_WORKER = 4;

  private final TableLocation source;
  private final TableLocation view;
  private final Table viewTable;
  private final ViewMetadata meta;
  private final long sourceVersion;
  private final Udtf udtf;
  private final String udtfClass;
  private final String viewSchema;
  private final Supplier<BackfillExecutor> executor;
  private final int concurrency;
  private final long rowsPerTask;
  private final List<UdtfTask> planned = new ArrayList<>();
  private final Deque<InFlight> inFlight = new ArrayDeque<>();
  private Progress progress;
  private ExecutorSession session;
  private int nextTask;
  private long sourceRows;
  private long viewRows;
  private long failedRows;

  private record InFlight(List<UdtfTask> tasks, CompletableFuture<List<UdtfTaskResult>> future) {}

  /**
   * @param source the source table
   * @param view the view table
   * @param viewTable the view's handle, for the appends
   * @param meta the view's record
   * @param sourceVersion the source version the refresh goes to
   * @param udtf the view's UDTF
   * @param viewSchema the view's current schema
   * @param executor where the tasks run, asked for when the first task starts; not closed here
   * @param concurrency how many calls may run at once
   * @param rowsPerTask the most source rows packed into one call
   */
  UdtfExpansion(
      TableLocation source,
      TableLocation view,
      Table viewTable,
      ViewMetadata meta,
      long sourceVersion,
      Udtf udtf,
      Schema viewSchema,
      Supplier<BackfillExecutor> executor,
      int concurrency,
      long rowsPerTask) {
    this.source = source;
    this.view = view;
    this.viewTable = viewTable;
    this.meta = meta;
    this.sourceVersion = sourceVersion;
    this.udtf = udtf;
    this.udtfClass = udtf.getClass().getName();
    this.viewSchema = written(viewSchema).toJson();
    this.executor = executor;
    this.concurrency = Math.max(1, concurrency);
    this.rowsPerTask = Math.max(1, rowsPerTask);
  }

  /** The view's columns that are not UDF columns: those a piece holds, in the view's order. */
  static Schema written(Schema viewSchema) {
    List<Field> written = new ArrayList<>();
    for (Field f : viewSchema.getFields()) {
      if (UdfMetadata.from(f.getMetadata()).isEmpty()) {
        written.add(f);
      }
    }
    return new Schema(written);
  }

  /**
   * Plans the expansion of one fragment's missing rows; {@link #finish(Progress)} runs it.
   *
   * @param fragment the source fragment
   * @param missing the source row ids to expand
   */
  void add(int fragment, Collection<Long> missing) {
    planned.add(task(fragment, ranges(missing)));
  }

  /** Where an expansion reports its committed fragments and learns it was cancelled. */
  interface Progress {
    /** Throws a {@link CancellationException} once the refresh is cancelled. */
    void checkCancelled();

    /** One source fragment's rows were appended to the view. */
    void committed(long sourceRows, long viewRows);
  }

  /**
   * Runs the planned tasks, at most {@code concurrency} calls at a time, and appends their pieces
   * in order, waiting for the oldest call when {@code concurrency} are under way. Cancelled, it
   * submits no more calls, appends those under way and throws.
   */
  void finish(Progress progress) {
    this.progress = progress;
    try {
      for (List<UdtfTask> call : pack(planned, rowsPerTask, concurrency)) {
        progress.checkCancelled();
        while (inFlight.size() >= concurrency) {
          commitOldest();
        }
        inFlight.add(new InFlight(call, session().submitUdtf(call, rows -> {})));
      }
      planned.clear();
      while (!inFlight.isEmpty()) {
        commitOldest();
      }
    } catch (CancellationException cancelled) {
      try {
        while (!inFlight.isEmpty()) {
          commitOldest();
        }
      } catch (RuntimeException e) {
        cancelled.addSuppressed(e);
      }
      throw cancelled;
    }
  }

  private ExecutorSession session() {
    if (session == null) {
      BackfillExecutor chosen = executor.get();
      session =
          chosen.openSession(
              new SessionSpec(
                  view.uri(),
                  view.name() + "-udtf",
                  udtfClass,
                  udtf instanceof StatefulUdtf,
                  concurrency,
                  udtf.spec().resources()));
      LOG.debug("expanding view '{}' on executor '{}'", view.name(), chosen.name());
    }
    return session;
  }

  /**
   * Consecutive tasks grouped into calls of at most {@code rowsPerTask} source rows, but no more
   * than a fraction of each worker's share, so every worker gets several calls.
   */
  static List<List<UdtfTask>> pack(List<UdtfTask> tasks, long rowsPerTask, int concurrency) {
    long total = 0;
    for (UdtfTask t : tasks) {
      total += t.wantedRows();
    }
    long calls = (long) Math.max(1, concurrency) * CALLS_PER_WORKER;
    long packRows = Math.max(1, Math.min(rowsPerTask, (total + calls - 1) / calls));
    List<List<UdtfTask>> packed = new ArrayList<>();
    List<UdtfTask> call = new ArrayList<>();
    long rows = 0;
    for (UdtfTask t : tasks) {
      if (!call.isEmpty()
          && (rows + t.wantedRows() > packRows || call.size() >= MAX_PARTS_PER_CALL)) {
        packed.add(List.copyOf(call));
        call.clear();
        rows = 0;
      }
      call.add(t);
      rows += t.wantedRows();
    }
    if (!call.isEmpty()) {
      packed.add(List.copyOf(call));
    }
    return packed;
  }

  long sourceRows() {
    return sourceRows;
  }

  long viewRows() {
    return viewRows;
  }

  long failedRows() {
    return failedRows;
  }

  /**
   * Appends the pieces of the oldest call. When it failed, the parts recorded before the failing
   * one are appended first, so every fragment before the failure is in the view.
   */
  private void commitOldest() {
    InFlight oldest = inFlight.poll();
    List<UdtfTaskResult> results;
    try {
      results = await(oldest);
    } catch (RuntimeException failure) {
      try {
        for (UdtfTask t : oldest.tasks) {
          var done =
              UdtfPieces.get(
                  view.uri(), t.checkpointKey(), view.storageOptions(), view.allocator());
          if (done.isEmpty()) {
            break;
          }
          commit(done.get());
        }
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
      throw failure;
    }
    results.forEach(this::commit);
  }

  private void commit(UdtfTaskResult r) {
    if (r.viewRows() > 0) {
      append(r);
    }
    sourceRows += r.sourceRows();
    viewRows += r.viewRows();
    failedRows += r.failedRows();
    if (progress != null) {
      progress.committed(r.sourceRows(), r.viewRows());
    }
    LOG.debug(
        "view '{}': source fragment {} expanded by {} into {} rows",
        view.name(),
        r.fragmentId(),
        r.worker(),
        r.viewRows());
  }

  private static List<UdtfTaskResult> await(InFlight f) {
    try {
      return f.future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GenevaException("refresh interrupted", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      while ((cause instanceof CompletionException || cause instanceof ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof GenevaException g) {
        throw g;
      }
      if (cause instanceof CancellationException c) {
        throw c;
      }
      throw new GenevaException(
          "expanding source fragment " + f.tasks.get(0).fragmentId() + " failed: " + cause, cause);
    }
  }

  /** Appends one piece to the view in one commit. */
  private void append(UdtfTaskResult r) {
    Map<String, String> options = view.storageOptions();
    try (LanceFileReader piece = UdtfPieces.open(view.uri(), r.piece(), options, view.allocator());
        ArrowReader rows = piece.readAll(null, null, READ_BATCH)) {
      viewTable.add(rows);
    } catch (GenevaException e) {
      throw e;
    } catch (Exception e) {
      throw new GenevaException(
          "cannot add the rows of source fragment "
              + r.fragmentId()
              + " to view '"
              + view.name()
              + "': "
              + e,
          e);
    }
  }

  private UdtfTask task(int fragment, List<Long> ranges) {
    int batchSize = Math.max(0, udtf.spec().batchSize());
    String filter = meta.filter().orElse("");
    String key =
        key(
            fragment,
            List.of(
                source.uri(),
                Long.toString(sourceVersion),
                Integer.toString(fragment),
                String.join("\u0000", meta.columns()),
                filter,
                udtfClass,
                udtf.spec().version(),
                Integer.toString(batchSize),
                viewSchema,
                ranges.toString()));
    return new UdtfTask(
        nextTask++,
        view.uri(),
        source.uri(),
        view.storageOptions(),
        sourceVersion,
        fragment,
        meta.columns(),
        filter,
        udtfClass,
        udtf.spec().version(),
        batchSize,
        viewSchema,
        ranges,
        key);
  }

  /** A key covering every input of a task, so a piece is reused only for the same work. */
  private String key(int fragment, List<String> inputs) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String s : inputs) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha.update(Integer.toString(b.length).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) ':');
        sha.update(b);
      }
      return "f"
          + fragment
          + "-v"
          + sourceVersion
          + "-"
          + HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sorted ids as {@code [start, end)} pairs of consecutive ids. */
  static List<Long> ranges(Collection<Long> ids) {
    long[] sorted = ids.stream().mapToLong(Long::longValue).sorted().toArray();
    List<Long> ranges = new ArrayList<>();
    int i = 0;
    while (i < sorted.length) {
      long start = sorted[i];
      long end = start + 1;
      i++;
      while (i < sorted.length && sorted[i] <= end) {
        end = Math.max(end, sorted[i] + 1);
        i++;
      }
      ranges.add(start);
      ranges.add(end);
    }
    return ranges;
  }

  /**
   * Stops the tasks still under way (their finished pieces stay recorded) and closes the session,
   * which closes the workers' UDTF instances.
   */
  @Override
  public void close() {
    inFlight.forEach(f -> f.future.cancel(false));
    inFlight.clear();
    if (session != null) {
      session.close();
      session = null;
    }
  }
}
