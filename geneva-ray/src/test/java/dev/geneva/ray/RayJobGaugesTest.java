package dev.geneva.ray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.Table;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.JobReports;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rows_ready_for_commit} and {@code cnt_geneva_workers_active} of a backfill on embedded Ray
 * (LOCAL mode), from its heartbeats.
 */
class RayJobGaugesTest {
  @TempDir Path dir;

  @BeforeAll
  static void listSessionDirs() {
    RayTestSupport.init();
  }

  @AfterEach
  void rayIsShutDownWhenEveryConnectionIsClosed() {
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @Test
  void backfill_whenTasksRunOnRay_reportsActiveWorkersAndRowsReadyForCommit() {
    JobReports reports = new JobReports();
    // Heartbeats every 50 ms; one commit at the end, so finished fragments wait for it.
    ConnectOptions options = ConnectOptions.builder().jobStaleAfter(Duration.ofMillis(200)).build();
    try (Connection db = Geneva.connect(dir.toString(), options)) {
      Table t = SampleTables.create(db, "docs", 800, 100);
      t.addColumns(Map.of("len", new SlowLength()));

      BackfillResult result =
          t.backfill(
              "len",
              BackfillOptions.builder()
                  .concurrency(2)
                  .batchSize(25)
                  .commitEvery(8)
                  .listener(reports)
                  .build());

      assertThat(result.executor()).isEqualTo("ray-local");
      List<JobRecord> running = reports.running();
      assertThat(running)
          .anySatisfy(r -> assertThat(r.metric(JobMetrics.ROWS_READY_FOR_COMMIT)).isPositive())
          .anySatisfy(
              r -> assertThat(r.metric(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE)).isBetween(1L, 2L))
          .allSatisfy(
              r ->
                  assertThat(
                          r.metric(JobMetrics.ROWS_COMMITTED)
                              + r.metric(JobMetrics.ROWS_READY_FOR_COMMIT))
                      .isEqualTo(r.metric(JobMetrics.UDF_VALUES_COMPUTED)));
      JobRecord job = db.jobs().get(0);
      assertThat(job.metric(JobMetrics.ROWS_READY_FOR_COMMIT)).isZero();
      assertThat(job.metric(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE)).isZero();
      assertThat(job.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(800);
      assertThat(result.metrics()).isEqualTo(job.metrics());
    }
  }
}
