package dev.geneva.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillProgress;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.Table;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import dev.geneva.testing.TextLength;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job history's metrics in a Micrometer registry, from a real backfill on a Lance table. */
class MicrometerBackfillListenerTest {
  @TempDir Path dir;

  @Test
  void backfill_whenListenerGiven_exportsTheJobRecordsMetricsUnderGenevasNames() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BackfillExecutor threads = BackfillExecutors.threads();
        Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 2_000, 500);
      t.addColumns(Map.of("len", new TextLength()));
      BackfillOptions options =
          BackfillOptions.builder()
              .executor(threads)
              .concurrency(2)
              .listener(MicrometerBackfillListener.create(registry, Tags.of("pipeline", "test")))
              .build();
      t.backfill("len", options);
      t.backfill("len", options.toBuilder().where("id < 100").build());

      Tags done =
          Tags.of(
              "pipeline", "test",
              "table", "docs",
              "column", "len",
              "state", "DONE",
              "executor", "threads");
      assertThat(registry.get("geneva.jobs").tags(done).counter().count()).isEqualTo(2);
      long committed = db.jobs().stream().mapToLong(j -> j.metric(JobMetrics.ROWS_COMMITTED)).sum();
      assertThat(committed).isEqualTo(2_100);
      assertThat(registry.get("geneva.job.rows_committed").tags(done).counter().count())
          .isEqualTo(committed);
      for (String name : JobMetrics.names()) {
        if (JobMetrics.gauges().contains(name)) {
          continue;
        }
        double expected = db.jobs().stream().mapToLong(j -> j.metric(name)).sum();
        assertThat(registry.get("geneva.job." + name).tags(done).counter().count())
            .as(name)
            .isEqualTo(expected);
      }
      assertThat(registry.get("geneva.job.duration").tags(done).timer().count()).isEqualTo(2);
      assertThat(registry.get("geneva.backfill.rows.done").tag("column", "len").gauge().value())
          .isEqualTo(100);
      assertThat(db.jobs()).extracting(JobRecord::executor).containsOnly("threads");
      // Values as of the last report (the end), not sums over the two jobs.
      Tags column = Tags.of("pipeline", "test", "table", "docs", "column", "len");
      for (String name : JobMetrics.gauges()) {
        assertThat(registry.find("geneva.job." + name).tags(column).counters()).as(name).isEmpty();
        assertThat(registry.get("geneva.job." + name).tags(column).gauge().value())
            .as(name)
            .isZero();
      }
    }
  }

  @Test
  void backfill_whenRunning_setsTheGaugesAtEachReport() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MicrometerBackfillListener meters = MicrometerBackfillListener.create(registry);
    Map<String, Double> highest = new ConcurrentHashMap<>();
    BackfillListener watching =
        new BackfillListener() {
          @Override
          public void onProgress(BackfillProgress progress) {
            meters.onProgress(progress);
          }

          @Override
          public void onJobRecorded(JobRecord job) {
            meters.onJobRecorded(job);
            if (job.state() == JobState.RUNNING) {
              for (String name : JobMetrics.gauges()) {
                double value =
                    registry
                        .get("geneva.job." + name)
                        .tags("table", "docs", "column", "len")
                        .gauge()
                        .value();
                assertThat(value).isEqualTo(job.metric(name));
                highest.merge(name, value, Math::max);
              }
            }
          }
        };
    // Heartbeats every 50 ms; one commit at the end, so finished fragments wait for it.
    ConnectOptions options = ConnectOptions.builder().jobStaleAfter(Duration.ofMillis(200)).build();
    try (BackfillExecutor threads = BackfillExecutors.threads();
        Connection db = Geneva.connect(dir.toString(), options)) {
      Table t = SampleTables.create(db, "docs", 800, 100);
      t.addColumns(Map.of("len", new SlowLength()));
      t.backfill(
          "len",
          BackfillOptions.builder()
              .executor(threads)
              .concurrency(2)
              .batchSize(25)
              .commitEvery(8)
              .listener(watching)
              .build());
    }
    assertThat(highest.get(JobMetrics.ROWS_READY_FOR_COMMIT)).isPositive();
    assertThat(highest.get(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE)).isBetween(1.0, 2.0);
    for (String name : JobMetrics.gauges()) {
      assertThat(
              registry
                  .get("geneva.job." + name)
                  .tags("table", "docs", "column", "len")
                  .gauge()
                  .value())
          .as("%s after the end", name)
          .isZero();
    }
  }
}
