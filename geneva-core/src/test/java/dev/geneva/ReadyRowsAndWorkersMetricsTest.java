package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.testing.JobReports;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rows_ready_for_commit} and {@code cnt_geneva_workers_active} from real backfills: the
 * heartbeats of a running job, its end, its result and the rows of {@code jobs.lance}.
 */
class ReadyRowsAndWorkersMetricsTest {
  @TempDir Path dir;

  @Test
  void backfill_whenFragmentsWaitForABatchedCommit_reportsReadyRowsAndActiveWorkers()
      throws Exception {
    // Heartbeats every 50 ms; 8 fragments of 100 rows, 4 batches of 20 ms each per fragment.
    ConnectOptions options = ConnectOptions.builder().jobStaleAfter(Duration.ofMillis(200)).build();
    JobReports listener = new JobReports();
    try (BackfillExecutor threads = BackfillExecutors.threads();
        Connection db = Geneva.connect(dir.toString(), options)) {
      Table t = SampleTables.create(db, "docs", 800, 100);
      t.addColumns(Map.of("len", new SlowLength()));
      BackfillResult result =
          t.backfill(
              "len",
              BackfillOptions.builder()
                  .executor(threads)
                  .concurrency(2)
                  .batchSize(25)
                  .commitEvery(8) // one commit at the end: every finished fragment waits for it
                  .listener(listener)
                  .build());

      List<JobRecord> reports = listener.all();
      List<JobRecord> running = listener.running();
      assertThat(running.size()).isGreaterThan(3);
      for (JobRecord r : reports) {
        // Every row computed is either committed or waiting for a commit.
        assertThat(r.metric(JobMetrics.ROWS_COMMITTED) + r.metric(JobMetrics.ROWS_READY_FOR_COMMIT))
            .as("%s", r.metrics())
            .isEqualTo(r.metric(JobMetrics.UDF_VALUES_COMPUTED));
        assertThat(r.metric(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE)).isBetween(0L, 2L);
      }
      assertThat(running)
          .anySatisfy(r -> assertThat(r.metric(JobMetrics.ROWS_READY_FOR_COMMIT)).isPositive());
      assertThat(running)
          .anySatisfy(r -> assertThat(r.metric(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE)).isPositive());
      // The first report comes before any call to a worker.
      assertThat(reports.get(0).metric(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE)).isZero();

      JobRecord end = reports.get(reports.size() - 1);
      assertThat(end.state()).isEqualTo(JobState.DONE);
      assertThat(end.metric(JobMetrics.ROWS_READY_FOR_COMMIT)).isZero();
      assertThat(end.metric(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE)).isZero();
      assertThat(end.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(800);
      assertThat(end.metric(JobMetrics.WORKERS)).isEqualTo(2);
      assertThat(result.metrics())
          .containsEntry(JobMetrics.ROWS_READY_FOR_COMMIT, 0L)
          .containsEntry(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE, 0L);
      assertThat(db.jobs().get(0).metrics()).isEqualTo(result.metrics());

      // Plain lance-core sees the values of every report in their own columns.
      List<long[]> raw = new ArrayList<>();
      try (BufferAllocator allocator = new RootAllocator();
          Dataset ds = Dataset.open(db.jobHistory().uri(), allocator);
          LanceScanner scanner =
              ds.newScan(
                  new ScanOptions.Builder()
                      .columns(
                          List.of(
                              JobMetrics.ROWS_READY_FOR_COMMIT,
                              JobMetrics.CNT_GENEVA_WORKERS_ACTIVE))
                      .build());
          ArrowReader reader = scanner.scanBatches()) {
        while (reader.loadNextBatch()) {
          VectorSchemaRoot b = reader.getVectorSchemaRoot();
          BigIntVector ready = (BigIntVector) b.getVector(JobMetrics.ROWS_READY_FOR_COMMIT);
          BigIntVector active = (BigIntVector) b.getVector(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE);
          for (int i = 0; i < b.getRowCount(); i++) {
            raw.add(new long[] {ready.get(i), active.get(i)});
          }
        }
      }
      assertThat(raw).hasSize(reports.size());
      assertThat(raw).anySatisfy(v -> assertThat(v[0]).isPositive());
      assertThat(raw).anySatisfy(v -> assertThat(v[1]).isPositive());
    }
  }
}
