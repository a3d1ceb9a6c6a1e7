package dev.geneva.internal.engine;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.Transaction;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.operation.DataReplacement;
import com.lancedb.lance.operation.DataReplacement.DataReplacementGroup;
import com.lancedb.lance.operation.Operation;
import com.lancedb.lance.operation.Update;
import dev.geneva.BackfillFailedException;
import dev.geneva.BackfillJob;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.FailedRow;
import dev.geneva.GenevaException;
import dev.geneva.JobHistory;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.LanceLogging;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.internal.lance.TablePaths;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import dev.geneva.spi.TaskResult;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver of one backfill: hands tasks to an executor session (never more than the concurrency
 * in flight), reuses checkpointed tasks, assembles each fragment's data file and commits {@code
 * DataReplacement}s in batches, retrying on the latest version after conflicts.
 */
public final class BackfillRun implements BackfillJob {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillRun.class);

  /** Whether this JVM has explained Lance's DataReplacement notice yet. */
  private static final AtomicBoolean LANCE_LOG_NOTICE = new AtomicBoolean();

  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** The most parts (fragments or fragment ranges) packed into one call to a worker. */
  static final int MAX_PARTS_PER_CALL = 512;

  /** Calls per worker the packing aims for, so that workers finish at about the same time. */
  private static final int CALLS_PER_WORKER = 4;

  /** An interval-triggered commit waits at least this many times the previous commit's duration. */
  private static final int COMMIT_COST_FACTOR = 20;

  private final TableLocation table;
  private final BackfillOptions options;
  private final BackfillExecutor executor;
  private final BackfillPlan plan;
  private final CompletableFuture<BackfillResult> future = new CompletableFuture<>();
  private final long startNanos = System.nanoTime();
  private final AtomicLong rowsDone = new AtomicLong();
  private final AtomicInteger tasksDone = new AtomicInteger();
  private final AtomicInteger fragmentsCommitted = new AtomicInteger();
  private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
  private final JobHistory history;
  private final String jobId;
  private final Instant createdAt = Instant.now();
  private final AtomicLong taskNanos = new AtomicLong();

  /** Rows selected in the fragments waiting for a commit, by fragment. */
  private final Map<Integer, Long> selectedRows = new HashMap<>();

  private long rowsCheckpointed;
  private long rowsCommitted;
  private long commitNanos;
  private long commitBackoffNanos;
  private long commitConflictRetries;
  private long readNanos;
  private long udfNanos;
  private long writeNanos;
  private long checkpointNanos;

  /**
   * Range files already joined into one file per fragment, by fragment. Once the fragment is
   * committed nothing can use them: its checkpoints are keyed by the column file it had before.
   */
  private final Map<Integer, List<String>> joinedParts = new HashMap<>();

  private volatile boolean cancelled;
  private volatile ExecutorSession session;
  private long rowsProcessed;
  private long rowsSkipped;
  private long rowsFailed;
  private final List<FailedRow> failedRows = new ArrayList<>();
  private long committedVersion;
  private int commits;
  private long lastProgressNanos;
  private final int fragmentsPerCommit;
  private final boolean fixedCommitCount;
  private final long packRows;
  private long oldestPendingNanos;
  private long lastCommitEndNanos = System.nanoTime();
  private long lastCommitNanos;
  private long lastRecordNanos;

  /** Calls to workers submitted and not yet returned. */
  private int inFlight;

  /** The job history's compaction started at a heartbeat, if any. */
  private CompletableFuture<Void> historyCompaction = CompletableFuture.completedFuture(null);

  /**
   * The version the next commit finds when no other writer committed since the plan: the read
   * version, then each version this run committed. While it holds, the table differs from the read
   * version only by this run's own replacements, so the per-fragment check is skipped (it reads
   * every fragment's metadata, a cost that grows with the fragment count).
   */
  private long onlyOwnCommitsUpTo;

  private boolean otherWriters;

  /** What one call to a worker returned: results for its parts, in order, or a failure. */
  private record Outcome(List<BackfillTask> tasks, List<TaskResult> results, Throwable error) {}

  private BackfillRun(
      TableLocation table,
      BackfillOptions options,
      BackfillExecutor executor,
      BackfillPlan plan,
      JobHistory history) {
    this.history = history;
    this.jobId = options.jobId().orElseGet(() -> JobRecord.newJobId(plan.column()));
    this.table = table;
    this.options = options;
    this.executor = executor;
    this.plan = plan;
    this.committedVersion = plan.readVersion();
    this.onlyOwnCommitsUpTo = plan.readVersion();
    this.fragmentsPerCommit =
        options.commitEvery().orElse(fragmentsPerCommit(plan.tasksPerFragment().size()));
    this.fixedCommitCount = options.commitEvery().isPresent();
    this.packRows = packRows(plan.tasks(), options.rowsPerTask(), options.concurrency());
  }

  /** The automatic commit batch: about ten commits whatever the fragment count, at least 16. */
  static int fragmentsPerCommit(int fragments) {
    return Math.max(16, (fragments + 9) / 10);
  }

  /**
   * The most rows packed into one call: {@code rowsPerTask}, but no more than a fraction of each
   * worker's share of the table, so every worker gets several calls.
   */
  static long packRows(List<BackfillTask> tasks, long rowsPerTask, int concurrency) {
    long total = 0;
    for (BackfillTask t : tasks) {
      total += t.rowCount();
    }
    long calls = (long) concurrency * CALLS_PER_WORKER;
    long share = (total + calls - 1) / calls;
    return Math.max(1, Math.min(rowsPerTask, share));
  }

  /**
   * Validates and plans a backfill in the caller's thread (so bad input fails at once, before
   * anything is written), then runs it on a thread of its own.
   *
   * @param table the table
   * @param column the column to compute
   * @param options the options
   * @param executor runs the tasks
   * @param history where the job is recorded, or null not to record it
   * @return the running job
   */
  public static BackfillJob start(
      TableLocation table,
      String column,
      BackfillOptions options,
      BackfillExecutor executor,
      JobHistory history) {
    BackfillPlan plan = BackfillPlanner.plan(table, column, options);
    if (plan.udfChange() != null) {
      LOG.info(
          "the UDF of '{}' changed since its values were computed ({}): this backfill recomputes"
              + " every row, not only the null ones",
          column,
          plan.udfChange());
    }
    BackfillRun run = new BackfillRun(table, options, executor, plan, history);
    Thread driver = new Thread(run::drive, "geneva-backfill-" + column);
    driver.setDaemon(true);
    driver.start();
    return run;
  }

  @Override
  public CompletableFuture<BackfillResult> future() {
    return future;
  }

  @Override
  public Optional<String> jobId() {
    return history == null ? Optional.empty() : Optional.of(jobId);
  }

  @Override
  public BackfillProgress progress() {
    return new BackfillProgress(
        plan.column(),
        plan.tasks().size(),
        tasksDone.get(),
        plan.rowsTotal(),
        rowsDone.get(),
        fragmentsCommitted.get(),
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  @Override
  public boolean cancel() {
    if (future.isDone()) {
      return false;
    }
    cancelled = true;
    ExecutorSession s = session;
    if (s != null) {
      s.close();
    }
    return true;
  }

  private void drive() {
    record(JobState.RUNNING, null);
    Throwable failure = null;
    List<DataReplacementGroup> pending = new ArrayList<>();
    Map<Integer, List<TaskResult>> finished = new HashMap<>();
    CheckpointStore checkpoints =
        CheckpointStore.forColumn(
            table.uri(), plan.column(), table::storageOptions, table.allocator());
    try {
      if (!plan.tasks().isEmpty()) {
        session =
            executor.openSession(
                new SessionSpec(
                    table.uri(),
                    plan.column(),
                    plan.udfClass(),
                    plan.stateful(),
                    options.concurrency(),
                    plan.spec().resources()));
      }
      Deque<BackfillTask> todo = new ArrayDeque<>(plan.tasks());
      while (!todo.isEmpty() || inFlight > 0) {
        while (failure == null
            && !cancelled
            && inFlight < options.concurrency()
            && !todo.isEmpty()) {
          List<BackfillTask> call = nextCall(todo, checkpoints, finished, pending);
          if (call.isEmpty()) {
            continue;
          }
          inFlight++;
          submit(call);
        }
        if (inFlight == 0) {
          break;
        }
        Outcome o = outcomes.poll(PROGRESS_INTERVAL_NANOS, TimeUnit.NANOSECONDS);
        if (o != null) {
          inFlight--;
          if (o.error() != null) {
            if (failure == null && !cancelled) {
              failure = o.error();
              LOG.warn("backfill of '{}' failing: {}", plan.column(), o.error().toString());
              session.close();
            }
          } else {
            finishCall(o, finished, pending);
          }
        }
        if (failure == null && !cancelled && intervalElapsed(pending)) {
          commit(pending);
        }
        reportProgress(false);
        heartbeat();
      }
      if (!pending.isEmpty()) {
        commit(pending);
      }
    } catch (Throwable t) {
      if (failure == null) {
        failure = t;
      } else {
        failure.addSuppressed(t);
      }
      if (!pending.isEmpty()) {
        try {
          commit(pending);
        } catch (Throwable commitFailure) {
          failure.addSuppressed(commitFailure);
        }
      }
    } finally {
      ExecutorSession s = session;
      if (s != null) {
        try {
          s.close();
        } catch (RuntimeException e) {
          if (failure != null) {
            failure.addSuppressed(e);
          } else {
            // The column is committed, but workers (and stateful UDF instances) may still hold
            // resources: the caller must hear about it.
            failure =
                new GenevaException(
                    "every fragment was committed (version "
                        + committedVersion
                        + "), but closing the workers failed, so UDF instances may still be open: "
                        + e.getMessage(),
                    e);
          }
        }
      }
    }
    if (failure == null
        && !cancelled
        && plan.udfChange() == null
        && plan.inputsToRecord() != null) {
      try {
        Map<String, Map<String, String>> updates = new java.util.LinkedHashMap<>();
        for (String column : plan.outputColumns()) {
          updates.put(column, Map.of(UdfVersions.INPUTS_COMPUTED, plan.inputsToRecord()));
        }
        committedVersion = UdfVersions.updateFieldMetadata(table, updates);
      } catch (RuntimeException e) {
        // Only a record for later staleness checks: the values are committed.
        LOG.warn(
            "backfill of '{}' committed, but recording which UDFs computed its inputs failed: {}",
            plan.column(),
            e.toString());
      }
    }
    if (failure == null && !cancelled && plan.udfChange() != null) {
      try {
        committedVersion =
            UdfVersions.markComputed(
                table, plan.outputColumns(), plan.udfClass(), plan.spec(), plan.inputsToRecord());
      } catch (RuntimeException e) {
        failure =
            new GenevaException(
                "every row of '"
                    + plan.column()
                    + "' was recomputed and committed, but recording the UDF that computed them"
                    + " failed, so the next default backfill recomputes them again: "
                    + e.getMessage(),
                e);
      }
    }
    if (failure == null && !cancelled) {
      clearCheckpoints(checkpoints);
    }
    reportProgress(true);
    if (cancelled) {
      CancellationException stopped =
          new CancellationException(
              "backfill of '"
                  + plan.column()
                  + "' on "
                  + table.shownUri()
                  + " was cancelled; finished fragments are committed and finished tasks are"
                  + " checkpointed, so running it again resumes");
      if (failure != null) {
        stopped.addSuppressed(failure);
      }
      record(JobState.CANCELLED, stopped.getMessage());
      compactHistoryAtEnd();
      future.completeExceptionally(stopped);
    } else if (failure != null) {
      GenevaException wrapped = wrap(failure);
      record(JobState.FAILED, wrapped.getMessage());
      compactHistoryAtEnd();
      future.completeExceptionally(wrapped);
    } else {
      record(JobState.DONE, null);
      compactHistoryAtEnd();
      future.complete(
          new BackfillResult(
              table.uri(),
              plan.column(),
              executor.name(),
              rowsProcessed,
              rowsSkipped,
              rowsFailed,
              plan.tasksPerFragment().size(),
              plan.tasks().size(),
              plan.readVersion(),
              committedVersion,
              commits,
              Duration.ofNanos(System.nanoTime() - startNanos),
              failedRows,
              plan.udfChange(),
              metrics()));
    }
  }

  /**
   * The parts of the next call to a worker: consecutive tasks up to {@link #packRows} rows (a
   * larger task goes alone) and {@link #MAX_PARTS_PER_CALL} parts. Tasks with a reusable checkpoint
   * are finished on the way and never sent; the result may then be empty.
   */
  private List<BackfillTask> nextCall(
      Deque<BackfillTask> todo,
      CheckpointStore checkpoints,
      Map<Integer, List<TaskResult>> finished,
      List<DataReplacementGroup> pending) {
    List<BackfillTask> call = new ArrayList<>();
    long rows = 0;
    while (!todo.isEmpty() && call.size() < MAX_PARTS_PER_CALL) {
      if (!call.isEmpty() && rows + todo.peek().rowCount() > packRows) {
        break;
      }
      BackfillTask task = todo.poll();
      var checkpoint = reusable(checkpoints, task);
      if (checkpoint.isPresent()) {
        long selected = plan.rowsPerTask().get(task.taskId());
        rowsSkipped += selected;
        rowsDone.addAndGet(selected);
        finish(task, checkpoint.get(), finished, pending);
        continue;
      }
      call.add(task);
      rows += task.rowCount();
    }
    return call;
  }

  /** Sends one call to the session; its outcome arrives in {@link #outcomes}. */
  private void submit(List<BackfillTask> call) {
    // Options resolved now, not at planning: credentials may have rotated since.
    Map<String, String> storageOptions = table.storageOptions();
    List<BackfillTask> parts =
        call.stream().map(t -> t.withStorageOptions(storageOptions)).toList();
    // Taken before submitting: a worker thread may start (and time) the call before submit returns.
    long submitted = System.nanoTime();
    CompletableFuture<List<TaskResult>> results =
        parts.size() == 1
            ? session.submit(parts.get(0), rowsDone::addAndGet).thenApply(List::of)
            : session.submitAll(parts, rowsDone::addAndGet);
    results.whenComplete(
        (r, e) -> {
          taskNanos.addAndGet(System.nanoTime() - submitted);
          outcomes.add(new Outcome(call, r, e));
        });
  }

  private void finishCall(
      Outcome o, Map<Integer, List<TaskResult>> finished, List<DataReplacementGroup> pending) {
    if (o.results() == null || o.results().size() != o.tasks().size()) {
      throw new GenevaException(
          "internal error: a worker returned "
              + (o.results() == null ? "no" : o.results().size())
              + " results for a call of "
              + o.tasks().size()
              + " parts; they were not committed");
    }
    for (int i = 0; i < o.tasks().size(); i++) {
      TaskResult result = o.results().get(i);
      rowsProcessed += result.rowsComputed();
      rowsFailed += result.rowsFailed();
      rowsCheckpointed += result.rowCount();
      readNanos += result.timings().readNanos();
      udfNanos += result.timings().udfNanos();
      writeNanos += result.timings().writeNanos();
      checkpointNanos += result.timings().checkpointNanos();
      for (FailedRow f : result.failures()) {
        if (failedRows.size() < BackfillResult.MAX_FAILED_ROWS) {
          failedRows.add(f);
        }
      }
      finish(o.tasks().get(i), result, finished, pending);
    }
  }

  /**
   * Whether the oldest pending fragment has waited {@link BackfillOptions#commitInterval()}, and
   * the last commit is long enough ago that commits stay a small part of the run.
   */
  private boolean intervalElapsed(List<DataReplacementGroup> pending) {
    if (pending.isEmpty()) {
      return false;
    }
    return System.nanoTime() - oldestPendingNanos >= options.commitInterval().toNanos()
        && commitsStaySmall();
  }

  /**
   * Whether the last commit is long enough ago that commits stay a small part of the run. The
   * automatic count-driven commits wait for it too: in a short backfill of many fragments, ten
   * commits that each rewrite a manifest listing every fragment would cost more than the work.
   */
  private boolean commitsStaySmall() {
    return System.nanoTime() - lastCommitEndNanos >= COMMIT_COST_FACTOR * lastCommitNanos;
  }

  /** Everything is committed, so the checkpoints can only go stale; failing to delete is benign. */
  private void clearCheckpoints(CheckpointStore checkpoints) {
    try {
      checkpoints.clear();
    } catch (RuntimeException e) {
      LOG.warn(
          "backfill of '{}' is committed, but its checkpoints under {}/{} could not be deleted"
              + " (they only take space; delete the directory by hand): {}",
          plan.column(),
          table.shownUri(),
          CheckpointStore.DIRECTORY,
          e.toString());
    }
  }

  /**
   * Deletes the range files joined into a committed fragment's file. Local disks only: lance-core
   * has no Java call to delete one object, so on object stores they stay unreferenced until Lance's
   * cleanup of old files.
   */
  private void deleteJoinedParts(int fragmentId) {
    for (String part : joinedParts.getOrDefault(fragmentId, List.of())) {
      try {
        TablePaths.deleteIfLocal(TablePaths.dataFile(table.uri(), part));
      } catch (IOException e) {
        LOG.warn("cannot delete the joined range file {}: {}", part, e.toString());
      }
    }
    joinedParts.remove(fragmentId);
  }

  private GenevaException wrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException
            || cause.getClass().getName().startsWith("io.ray.api.exception"))
        && cause.getCause() != null
        && cause != cause.getCause()) {
      cause = cause.getCause();
    }
    return new BackfillFailedException(
        "backfill of column '"
            + plan.column()
            + "' on table '"
            + table.name()
            + "' failed: "
            + cause.getMessage()
            + (committedVersion > plan.readVersion()
                ? " (fragments finished before the failure are committed, version "
                    + committedVersion
                    + ")"
                : "")
            + ". Finished tasks are checkpointed: fix the cause and run the backfill again to"
            + " resume",
        cause);
  }

  private void finish(
      BackfillTask task,
      TaskResult result,
      Map<Integer, List<TaskResult>> finished,
      List<DataReplacementGroup> pending) {
    if (!result.covers(task)) {
      throw new GenevaException(
          "internal error: the result for fragment "
              + task.fragmentId()
              + " rows "
              + task.rangeStart()
              + ".."
              + task.rangeEnd()
              + " covers fragment "
              + result.fragmentId()
              + " rows "
              + result.rangeStart()
              + ".."
              + result.rangeEnd()
              + "; it was not committed");
    }
    tasksDone.incrementAndGet();
    selectedRows.merge(task.fragmentId(), plan.rowsPerTask().get(task.taskId()), Long::sum);
    List<TaskResult> parts = finished.computeIfAbsent(task.fragmentId(), k -> new ArrayList<>());
    parts.add(result);
    if (parts.size() < plan.tasksPerFragment().get(task.fragmentId())) {
      return;
    }
    finished.remove(task.fragmentId());
    // Parts are placed by the rows they cover, never by task number: a reused checkpoint comes
    // from an earlier plan whose task numbers differ.
    parts.sort(Comparator.comparingLong(TaskResult::rangeStart));
    checkCoversFragment(task.fragmentId(), parts);
    String file;
    if (parts.size() == 1) {
      file = result.dataFile();
    } else {
      file = FragmentAssembler.concatenate(table, plan.column(), task, parts);
      joinedParts.put(task.fragmentId(), parts.stream().map(TaskResult::dataFile).toList());
    }
    ColumnLayout layout =
        ColumnLayout.ofAll(plan.outputFields(), task.fileMajorVersion(), task.fileMinorVersion());
    if (pending.isEmpty()) {
      oldestPendingNanos = System.nanoTime();
    }
    pending.add(
        new DataReplacementGroup(
            task.fragmentId(),
            new DataFile(
                file,
                layout.fields(),
                layout.columnIndices(),
                task.fileMajorVersion(),
                task.fileMinorVersion(),
                null,
                null)));
    if (pending.size() >= fragmentsPerCommit && (fixedCommitCount || commitsStaySmall())) {
      commit(pending);
    }
  }

  /** A task's checkpointed result, unless it is missing or records other rows than the task's. */
  private Optional<TaskResult> reusable(CheckpointStore checkpoints, BackfillTask task) {
    var checkpoint = checkpoints.get(task.checkpointKey());
    if (checkpoint.isPresent() && !checkpoint.get().covers(task)) {
      LOG.warn(
          "ignoring checkpoint {} of '{}': it records fragment {} rows {}..{}, not the task's {}..{}",
          task.checkpointKey(),
          plan.column(),
          checkpoint.get().fragmentId(),
          checkpoint.get().rangeStart(),
          checkpoint.get().rangeEnd(),
          task.rangeStart(),
          task.rangeEnd());
      return Optional.empty();
    }
    return checkpoint;
  }

  /**
   * Fails unless the parts, in row order, cover the fragment's rows exactly once from row 0 to its
   * last physical row: a data file whose rows are shifted would be committed as wrong values.
   */
  private void checkCoversFragment(int fragmentId, List<TaskResult> parts) {
    long physical = plan.physicalRows().get(fragmentId);
    long next = 0;
    for (TaskResult part : parts) {
      if (part.fragmentId() != fragmentId || part.rangeStart() != next) {
        break;
      }
      next = part.rangeEnd();
    }
    if (next != physical) {
      throw new GenevaException(
          "internal error: the parts of fragment "
              + fragmentId
              + " do not cover its "
              + physical
              + " rows in order ("
              + parts.stream().map(p -> p.rangeStart() + ".." + p.rangeEnd()).toList()
              + "); the fragment was not committed");
    }
  }

  /**
   * Commits the pending fragments and clears the list: those whose output columns share a data file
   * with other columns (after a compaction) first, with an {@code Update}, then the others with a
   * {@code DataReplacement}.
   */
  private void commit(List<DataReplacementGroup> groups) {
    List<DataReplacementGroup> shared = new ArrayList<>();
    for (DataReplacementGroup g : groups) {
      if (plan.sharedOutputFragments().contains(Math.toIntExact(g.fragmentId()))) {
        shared.add(g);
      }
    }
    if (!shared.isEmpty()) {
      groups.removeAll(shared);
      try {
        commit(shared, true);
      } finally {
        // What is left was not committed: keep it pending, in front.
        groups.addAll(0, shared);
      }
    }
    if (!groups.isEmpty()) {
      commit(groups, false);
    }
  }

  private void commit(List<DataReplacementGroup> groups, boolean shared) {
    if (!LanceLogging.isConfigured() && LANCE_LOG_NOTICE.compareAndSet(false, true)) {
      LOG.info(
          "Lance's notice 'DataReplacement ... not stable yet' is expected: Geneva commits columns"
              + " that way. Start the JVM with {}='{}' to hide it",
          LanceLogging.ENV,
          LanceLogging.RECOMMENDED);
    }
    long started = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      long commitStart = System.nanoTime();
      try (Dataset latest = table.openLatest()) {
        if (shared || otherWriters || latest.version() != onlyOwnCommitsUpTo) {
          otherWriters |= latest.version() != onlyOwnCommitsUpTo;
          checkUnchanged(latest, groups);
        }
        Transaction tx =
            latest
                .newTransactionBuilder()
                .readVersion(latest.version())
                .operation(shared ? separate(latest, groups) : replace(groups))
                .build();
        try (Dataset committed = tx.commit()) {
          committedVersion = committed.version();
        }
        // Lance may rebase a commit over another writer's: then the chain of own versions breaks.
        otherWriters |= committedVersion != latest.version() + 1;
        onlyOwnCommitsUpTo = committedVersion;
        commits++;
        commitNanos += System.nanoTime() - commitStart;
        lastCommitEndNanos = System.nanoTime();
        lastCommitNanos = lastCommitEndNanos - started;
        fragmentsCommitted.addAndGet(groups.size());
        for (DataReplacementGroup g : groups) {
          Long rows = selectedRows.remove(Math.toIntExact(g.fragmentId()));
          rowsCommitted += rows == null ? 0 : rows;
        }
        LOG.info(
            "committed {} fragment(s) of '{}' to {} as version {}",
            groups.size(),
            plan.column(),
            table.shownUri(),
            committedVersion);
        int count = groups.size();
        groups.forEach(g -> deleteJoinedParts(Math.toIntExact(g.fragmentId())));
        groups.clear();
        options.listener().ifPresent(l -> safely(() -> l.onCommit(committedVersion, count)));
        return;
      } catch (RuntimeException e) {
        commitNanos += System.nanoTime() - commitStart;
        if (!LanceErrors.isCommitConflict(e) || attempt >= options.maxCommitAttempts()) {
          throw e;
        }
        LOG.info("commit of '{}' conflicted (attempt {}); retrying", plan.column(), attempt);
        commitConflictRetries++;
        long backoff = ThreadLocalRandom.current().nextLong(10, 50L * attempt);
        commitBackoffNanos += TimeUnit.MILLISECONDS.toNanos(backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new CancellationException("interrupted while retrying a commit");
        }
      }
    }
  }

  private static Operation replace(List<DataReplacementGroup> groups) {
    return DataReplacement.builder().replacements(List.copyOf(groups)).build();
  }

  /**
   * An {@code Update} giving each fragment its new file of the output columns, with those columns
   * tombstoned ({@code -2}, as Lance's own column updates do) in the file that shares them with
   * other columns. It replaces the fragments' metadata as {@code latest} has it, so Lance's
   * conflict check refuses it (retryably) over a concurrent delete, update, compaction or
   * replacement of the same fragments; {@link #checkUnchanged} then sees what changed.
   */
  private Operation separate(Dataset latest, List<DataReplacementGroup> groups) {
    Map<Integer, FragmentMetadata> now = new HashMap<>();
    for (var f : latest.getFragments()) {
      now.put(f.getId(), f.metadata());
    }
    Set<Integer> outputIds = plan.outputFieldIds();
    List<FragmentMetadata> updated = new ArrayList<>();
    for (DataReplacementGroup g : groups) {
      FragmentMetadata md = now.get(Math.toIntExact(g.fragmentId()));
      List<DataFile> files = new ArrayList<>();
      for (DataFile f : md.getFiles()) {
        int[] fields = f.getFields().clone();
        boolean kept = false;
        for (int i = 0; i < fields.length; i++) {
          if (outputIds.contains(fields[i])) {
            fields[i] = -2;
          }
          kept |= fields[i] >= 0;
        }
        if (kept) {
          files.add(
              new DataFile(
                  f.getPath(),
                  fields,
                  f.getColumnIndices(),
                  f.getFileMajorVersion(),
                  f.getFileMinorVersion(),
                  f.getFileSizeBytes(),
                  f.getBaseId().orElse(null)));
        }
      }
      files.add(g.replacedFile());
      updated.add(
          new FragmentMetadata(
              md.getId(), files, md.getPhysicalRows(), md.getDeletionFile(), md.getRowIdMeta()));
    }
    return Update.builder()
        .updatedFragments(updated)
        .fieldsModified(outputIds.stream().mapToLong(Integer::longValue).sorted().toArray())
        .updateMode(Optional.of(Update.UpdateMode.RewriteColumns))
        .build();
  }

  /**
   * Fails when a fragment's inputs changed since the plan (an update or a compaction), or its
   * output column was committed by another backfill.
   */
  private void checkUnchanged(Dataset latest, List<DataReplacementGroup> groups) {
    Map<Integer, FragmentMetadata> now = new HashMap<>();
    for (var f : latest.getFragments()) {
      now.put(f.getId(), f.metadata());
    }
    Set<Integer> outputIds = plan.outputFieldIds();
    for (DataReplacementGroup g : groups) {
      int id = (int) g.fragmentId();
      FragmentMetadata md = now.get(id);
      String expected = plan.inputFingerprints().get(id);
      if (md == null
          || !BackfillPlanner.inputFingerprint(md, plan.inputFieldIds()).equals(expected)) {
        throw new GenevaException(
            "fragment "
                + id
                + " of table '"
                + table.name()
                + "' was rewritten by another writer (update, compaction or overwrite) while '"
                + plan.column()
                + "' was being computed; its result was not committed. Run the backfill again"
                + " to compute it from the new data");
      }
      String output = BackfillPlanner.existingFile(md, outputIds);
      if (!plan.outputFiles().get(id).equals(output == null ? "" : output)) {
        throw new GenevaException(
            "fragment "
                + id
                + " of table '"
                + table.name()
                + "': column '"
                + plan.column()
                + "' was written by another backfill while this one was computing it, so this"
                + " one's result for the fragment was not committed (it would have replaced the"
                + " other's values). Run the backfill again: it computes only what is still"
                + " missing");
      }
    }
  }

  /**
   * Reports the job to the history. A history that cannot be written never fails the backfill: the
   * table is what matters, so the report is logged instead.
   */
  private void record(JobState state, String error) {
    if (history == null) {
      return;
    }
    lastRecordNanos = System.nanoTime();
    Instant now = Instant.now();
    JobRecord.Builder r =
        JobRecord.builder()
            .jobId(jobId)
            .table(table.name())
            .column(plan.column())
            .udfClass(plan.udfClass())
            .udfVersion(plan.spec().version())
            .state(state)
            .createdAt(createdAt)
            .startedAt(createdAt)
            .endedAt(state.isTerminal() ? now : null)
            .updatedAt(now)
            .executor(executor.name())
            .cluster(options.cluster().orElse(null))
            .error(error)
            .metrics(metrics());
    JobRecord report = r.build();
    options.listener().ifPresent(l -> safely(() -> l.onJobRecorded(report)));
    try {
      history.record(report);
    } catch (RuntimeException e) {
      LOG.warn(
          "backfill of '{}' (job {}) could not be recorded as {} in {}: {}",
          plan.column(),
          jobId,
          state,
          history.uri(),
          e.toString());
    }
  }

  /**
   * Reports the job as still running, with its metrics so far, when the history's heartbeat
   * interval has passed since the last report: a job whose reports stop is read as stale.
   */
  private void heartbeat() {
    if (history != null
        && System.nanoTime() - lastRecordNanos >= history.heartbeatInterval().toNanos()) {
      record(JobState.RUNNING, null);
      compactHistoryInBackground();
    }
  }

  /**
   * Compacts the job history on a thread of its own when it has grown past its threshold during a
   * long backfill, so that the driver loop never waits for it.
   */
  private void compactHistoryInBackground() {
    if (history == null || !historyCompaction.isDone() || !history.compactionDue()) {
      return;
    }
    historyCompaction =
        CompletableFuture.runAsync(
            history::compactIfNeeded,
            r -> {
              Thread t = new Thread(r, "geneva-jobs-compact-" + plan.column());
              t.setDaemon(true);
              t.start();
            });
  }

  /**
   * Compacts the job history, if due, once the job's last report is written and before the caller
   * hears of the end (so nothing is left using the connection's allocator when the caller closes
   * it). A compaction that fails is logged and never changes the job's outcome.
   */
  private void compactHistoryAtEnd() {
    if (history == null) {
      return;
    }
    try {
      historyCompaction.join();
      history.compactIfNeeded();
    } catch (Exception e) {
      LOG.warn("compacting the job history {} failed: {}", history.uri(), e.toString());
    }
  }

  /** The job's metrics so far, by {@link JobMetrics} name. */
  private Map<String, Long> metrics() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put(JobMetrics.FRAGMENTS, (long) plan.tasksPerFragment().size());
    m.put(JobMetrics.WRITER_FRAGMENTS, (long) fragmentsCommitted.get());
    m.put(JobMetrics.UDF_VALUES_COMPUTED, rowsProcessed);
    m.put(JobMetrics.ROWS_CHECKPOINTED, rowsCheckpointed);
    m.put(JobMetrics.ROWS_COMMITTED, rowsCommitted);
    m.put(JobMetrics.ROWS_REUSED, rowsSkipped);
    m.put(JobMetrics.ROWS_FAILED, rowsFailed);
    m.put(
        JobMetrics.WORKERS,
        (long) (plan.tasks().isEmpty() ? 0 : Math.min(options.concurrency(), plan.tasks().size())));
    m.put(JobMetrics.TASK_TIME_MS, millis(taskNanos.get()));
    m.put(JobMetrics.COMMIT_TIME_MS, millis(commitNanos));
    m.put(JobMetrics.COMMIT_CONFLICT_RETRIES, commitConflictRetries);
    m.put(JobMetrics.COMMIT_BACKOFF_TIME_MS, millis(commitBackoffNanos));
    m.put(JobMetrics.READ_IO_TIME_MS, millis(readNanos));
    m.put(JobMetrics.UDF_PROCESSING_TIME, millis(udfNanos));
    m.put(JobMetrics.WRITER_WRITE_TIME, millis(writeNanos));
    m.put(JobMetrics.BATCH_CHECKPOINTING_TIME, millis(checkpointNanos));
    m.put(
        JobMetrics.ROWS_READY_FOR_COMMIT,
        selectedRows.values().stream().mapToLong(Long::longValue).sum());
    m.put(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE, (long) inFlight);
    return m;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private void reportProgress(boolean force) {
    BackfillListener listener = options.listener().orElse(null);
    if (listener == null) {
      return;
    }
    long now = System.nanoTime();
    if (!force && now - lastProgressNanos < PROGRESS_INTERVAL_NANOS) {
      return;
    }
    lastProgressNanos = now;
    BackfillProgress p = progress();
    safely(() -> listener.onProgress(p));
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("backfill listener threw; ignoring", e);
    }
  }
}
