package dev.geneva.ray.jobs.internal;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.JobHistory;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.Table;
import dev.geneva.internal.engine.ColumnGroup;
import dev.geneva.internal.engine.UdfMetadata;
import dev.geneva.ray.jobs.RayJobContactLostException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's part of a cluster backfill's history: the driver on the cluster records the job as
 * it runs it (running, done, failed, cancelled); the client records it as pending on submission,
 * and as failed or cancelled when the driver cannot have: the submission was refused, the Ray job
 * ended without the driver's report (killed, out of memory, stopped), or polling lost it. A job the
 * driver finished but could not record (its history write failed) is recorded done from the result
 * the client received. Reports never fail the backfill: a write that fails is logged.
 */
public final class ClientJobRecords {
  private static final Logger LOG = LoggerFactory.getLogger(ClientJobRecords.class);

  private final JobHistory history;
  private final JobRecord pending;
  private final BackfillListener listener;

  private ClientJobRecords(JobHistory history, JobRecord pending, BackfillListener listener) {
    this.history = history;
    this.pending = pending;
    this.listener = listener;
  }

  /**
   * Records a job as pending, before it is submitted.
   *
   * @param table the table
   * @param column the column
   * @param jobId the id the driver records under too
   * @param target where it is submitted, such as {@code ray-cluster:geneva/gpu}
   * @param cluster the cluster's {@code namespace/name}, or null
   * @param listener told the job's record once it ends, or null
   * @return the records of this job
   */
  public static ClientJobRecords pending(
      Table table,
      String column,
      String jobId,
      String target,
      String cluster,
      BackfillListener listener) {
    String udfClass = "";
    String udfVersion = "";
    // A member of a column group is recorded under the group's name, as the driver records it.
    String recorded = column;
    try {
      var schema = table.schema();
      recorded = ColumnGroup.find(schema, column).map(ColumnGroup::name).orElse(column);
      var udf =
          ColumnGroup.udfField(schema, column).flatMap(f -> UdfMetadata.from(f.getMetadata()));
      if (udf.isPresent()) {
        udfClass = udf.get().udfClass();
        udfVersion = udf.get().version();
      }
    } catch (RuntimeException e) {
      // Validated before; the driver reports the UDF if the schema cannot be read here.
    }
    Instant now = Instant.now();
    JobRecord r =
        JobRecord.builder()
            .jobId(jobId)
            .table(table.name())
            .column(recorded)
            .udfClass(udfClass)
            .udfVersion(udfVersion)
            .state(JobState.PENDING)
            .createdAt(now)
            .updatedAt(now)
            .executor(target)
            .cluster(cluster)
            .build();
    ClientJobRecords records = new ClientJobRecords(table.jobHistory(), r, listener);
    records.write(r);
    return records;
  }

  /**
   * Records that the submission failed.
   *
   * @param e why
   */
  public void submissionFailed(RuntimeException e) {
    end(JobState.FAILED, "the Ray job could not be submitted: " + e.getMessage());
  }

  /**
   * The submitted job, whose future completes once the client has recorded how it ended, so a
   * caller that saw the backfill end finds it in the history.
   *
   * @param job the submitted job
   * @return the same job, recording its end
   */
  public BackfillJob follow(BackfillJob job) {
    CompletableFuture<BackfillResult> recorded = new CompletableFuture<>();
    job.future()
        .whenComplete(
            (result, error) -> {
              try {
                ended(result, error);
                tellListener();
              } finally {
                if (error == null) {
                  recorded.complete(result);
                } else {
                  recorded.completeExceptionally(unwrap(error));
                }
              }
            });
    return new BackfillJob() {
      @Override
      public CompletableFuture<BackfillResult> future() {
        return recorded;
      }

      @Override
      public BackfillProgress progress() {
        return job.progress();
      }

      @Override
      public boolean cancel() {
        return job.cancel();
      }

      @Override
      public Optional<String> jobId() {
        return job.jobId();
      }

      @Override
      public String toString() {
        return job.toString();
      }
    };
  }

  private void ended(BackfillResult result, Throwable error) {
    if (error == null) {
      JobState recorded = recordedState();
      if (recorded != JobState.DONE) {
        JobRecord.Builder b =
            pending.toBuilder()
                .state(JobState.DONE)
                .startedAt(pending.createdAt())
                .endedAt(Instant.now())
                .executor(result.executor())
                .metrics(result.metrics()) // the driver's, when its result line carried them
                .metric(JobMetrics.UDF_VALUES_COMPUTED, result.rowsProcessed())
                .metric(JobMetrics.ROWS_REUSED, result.rowsSkipped())
                .metric(JobMetrics.ROWS_FAILED, result.rowsFailed())
                .metric(JobMetrics.FRAGMENTS, result.fragments())
                .metric(JobMetrics.WRITER_FRAGMENTS, result.fragments())
                .metric(JobMetrics.ROWS_COMMITTED, result.rowsProcessed() + result.rowsSkipped());
        LOG.warn(
            "Ray job {} succeeded but its driver's report is missing from {} (found: {});"
                + " recording it from the client",
            pending.jobId(),
            history.uri(),
            recorded);
        write(b.build());
      }
      return;
    }
    Throwable cause = unwrap(error);
    if (cause instanceof CancellationException) {
      end(JobState.CANCELLED, cause.getMessage());
    } else if (cause instanceof RayJobContactLostException) {
      end(JobState.FAILED, "the client lost contact with the job: " + cause.getMessage());
    } else {
      end(JobState.FAILED, String.valueOf(cause.getMessage()));
    }
  }

  /** Gives the listener the job as the history has it now (the driver's report if it wrote one). */
  private void tellListener() {
    if (listener == null) {
      return;
    }
    try {
      history.get(pending.jobId()).ifPresent(listener::onJobRecorded);
    } catch (RuntimeException e) {
      LOG.warn("backfill listener or job history failed for {}: {}", pending.jobId(), e.toString());
    }
  }

  private JobState recordedState() {
    try {
      return history.get(pending.jobId()).map(JobRecord::state).orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Records the end unless the driver already did (its report has the metrics). */
  private void end(JobState state, String error) {
    JobState recorded = recordedState();
    if (recorded != null && recorded.isTerminal()) {
      return;
    }
    Instant now = Instant.now();
    write(pending.toBuilder().state(state).endedAt(now).updatedAt(now).error(error).build());
  }

  private void write(JobRecord r) {
    try {
      history.record(r);
    } catch (RuntimeException e) {
      LOG.warn(
          "could not record Ray job {} as {} in {}: {}",
          r.jobId(),
          r.state(),
          history.uri(),
          e.toString());
    }
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
