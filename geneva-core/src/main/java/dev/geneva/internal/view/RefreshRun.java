package dev.geneva.internal.view;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.RefreshJob;
import dev.geneva.RefreshProgress;
import dev.geneva.RefreshProgress.Phase;
import dev.geneva.RefreshResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One refresh of a view: its progress counters and cancellation, which {@link ViewRefresher}
 * updates and checks at its safe points, and, when started with {@link #start}, the thread and
 * future of {@link dev.geneva.MaterializedView#refreshAsync}.
 */
public final class RefreshRun implements RefreshJob {
  private final String view;
  private final long startNanos = System.nanoTime();
  private final CompletableFuture<RefreshResult> future = new CompletableFuture<>();
  private final AtomicInteger fragmentsDone = new AtomicInteger();
  private final AtomicInteger columnsDone = new AtomicInteger();
  private final AtomicLong sourceRowsAdded = new AtomicLong();
  private final AtomicLong viewRowsAdded = new AtomicLong();
  private final AtomicLong viewRowsDeleted = new AtomicLong();
  private final AtomicLong rowsComputed = new AtomicLong();
  private volatile Phase phase = Phase.PLANNING;
  private volatile int fragmentsTotal;
  private volatile int columnsTotal;
  private volatile boolean cancelled;
  private volatile BackfillJob backfill;
  private volatile RefreshJob remote;
  private volatile RefreshLease lease;
  private volatile boolean leaseLost;

  /**
   * Creates the record of a refresh run by the caller's thread.
   *
   * @param view the view's name
   */
  public RefreshRun(String view) {
    this.view = view;
  }

  /**
   * Runs a refresh on a thread of its own.
   *
   * @param view the view's name
   * @param body the refresh, given this run to report to
   * @return the running refresh
   */
  public static RefreshRun start(String view, Function<RefreshRun, RefreshResult> body) {
    RefreshRun run = new RefreshRun(view);
    Thread t =
        new Thread(
            () -> {
              RefreshResult result;
              try {
                result = body.apply(run);
              } catch (Throwable e) {
                run.phase = Phase.ENDED;
                run.future.completeExceptionally(e);
                return;
              }
              run.phase = Phase.ENDED;
              run.future.complete(result);
            },
            "geneva-refresh-" + view);
    t.setDaemon(true);
    t.start();
    return run;
  }

  @Override
  public CompletableFuture<RefreshResult> future() {
    return future;
  }

  @Override
  public RefreshProgress progress() {
    RefreshJob elsewhere = remote;
    if (elsewhere != null) {
      return elsewhere.progress();
    }
    BackfillJob job = backfill;
    Optional<BackfillProgress> current =
        job == null ? Optional.empty() : Optional.of(job.progress());
    return new RefreshProgress(
        view,
        phase,
        fragmentsTotal,
        fragmentsDone.get(),
        sourceRowsAdded.get(),
        viewRowsAdded.get(),
        viewRowsDeleted.get(),
        columnsTotal,
        columnsDone.get(),
        rowsComputed.get() + current.map(BackfillProgress::rowsDone).orElse(0L),
        current,
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  @Override
  public boolean cancel() {
    if (future.isDone()) {
      return false;
    }
    cancelled = true;
    RefreshJob elsewhere = remote;
    if (elsewhere != null) {
      elsewhere.cancel();
    }
    BackfillJob job = backfill;
    if (job != null) {
      job.cancel();
    }
    return true;
  }

  /** Stops the refresh here when it was cancelled. */
  void checkCancelled() {
    if (cancelled) {
      throw cancelledException();
    }
    RefreshLease held = lease;
    if (held != null) {
      held.check();
    }
  }

  /** Stops the running UDF column backfill, if any: the refresh lost its lease. */
  void leaseLost() {
    leaseLost = true;
    BackfillJob job = backfill;
    if (job != null) {
      job.cancel();
    }
  }

  /** Records the lease this refresh holds, checked at every safe point. */
  void lease(RefreshLease held) {
    this.lease = held;
  }

  private CancellationException cancelledException() {
    return new CancellationException(
        "the refresh of view '"
            + view
            + "' was cancelled after "
            + fragmentsDone.get()
            + " of "
            + fragmentsTotal
            + " source fragments and "
            + columnsDone.get()
            + " of "
            + columnsTotal
            + " UDF columns; what it committed is kept: refresh the view again to finish");
  }

  void syncing(int fragments) {
    fragmentsTotal = fragments;
    phase = Phase.SYNCING;
  }

  void fragmentDone() {
    fragmentsDone.incrementAndGet();
  }

  void added(long sourceRows, long viewRows) {
    sourceRowsAdded.addAndGet(sourceRows);
    viewRowsAdded.addAndGet(viewRows);
  }

  void deleted(long viewRows) {
    viewRowsDeleted.addAndGet(viewRows);
  }

  void backfilling(int columns) {
    columnsTotal = columns;
    phase = Phase.BACKFILLING;
  }

  /**
   * Runs the whole refresh elsewhere (a cluster's Ray job), cancelled with this one; its progress
   * is this run's.
   *
   * @param start starts the remote refresh
   * @return its result
   * @throws CancellationException when the refresh was cancelled
   */
  public RefreshResult remote(Supplier<RefreshJob> start) {
    checkCancelled();
    RefreshJob job = start.get();
    remote = job;
    if (cancelled) {
      job.cancel();
    }
    try {
      return job.join();
    } catch (CancellationException e) {
      if (cancelled) {
        CancellationException stopped = cancelledException();
        stopped.initCause(e);
        throw stopped;
      }
      throw e;
    }
  }

  /**
   * Runs one UDF column's backfill, cancelled with the refresh.
   *
   * @param start starts the backfill
   * @return its result
   * @throws CancellationException when the refresh was cancelled
   */
  BackfillResult backfill(Supplier<BackfillJob> start) {
    checkCancelled();
    BackfillJob job = start.get();
    backfill = job;
    BackfillResult result;
    try {
      if (cancelled || leaseLost) {
        job.cancel();
      }
      result = job.join();
    } catch (CancellationException e) {
      if (cancelled) {
        CancellationException stopped = cancelledException();
        stopped.initCause(e);
        throw stopped;
      }
      checkCancelled(); // a lost lease stopped it: say so
      throw e;
    } finally {
      backfill = null;
    }
    rowsComputed.addAndGet(result.rowsProcessed());
    columnsDone.incrementAndGet();
    return result;
  }
}
