package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.testing.MutableClock;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Heartbeats of running backfills, and running jobs read as stale when they stop. */
class JobStalenessTest {
  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static JobRecord running(String id, Instant at) {
    return JobRecord.builder()
        .jobId(id)
        .table("docs")
        .column("len")
        .udfClass("com.example.Len")
        .udfVersion("1")
        .state(JobState.RUNNING)
        .createdAt(T0)
        .startedAt(T0)
        .updatedAt(at)
        .executor("threads")
        .build();
  }

  @Test
  void list_whenARunningJobWasNotHeardOfForLongerThanTheThreshold_readsItAsStale() {
    try (Connection db = Geneva.connect(dir.toString())) {
      JobHistory history = db.jobHistory();
      history.record(running("geneva-len-1", T0));
      history.record(running("geneva-len-1", T0.plusSeconds(60))); // a heartbeat
      history.record(running("geneva-len-2", T0.plusSeconds(60)));
      history.record(
          running("geneva-len-2", T0.plusSeconds(90)).toBuilder()
              .state(JobState.DONE)
              .endedAt(T0.plusSeconds(90))
              .build());
      MutableClock clock = new MutableClock(T0.plusSeconds(60).plus(Duration.ofMinutes(9)));

      JobHistory at = history.withClock(clock);
      assertThat(at.get("geneva-len-1").orElseThrow().staleSince())
          .as("nine minutes after the last heartbeat")
          .isEmpty();

      clock.advance(Duration.ofMinutes(2));
      JobRecord stale = at.get("geneva-len-1").orElseThrow();
      assertThat(stale.state()).isEqualTo(JobState.RUNNING);
      assertThat(stale.staleSince()).contains(T0.plusSeconds(60));
      assertThat(stale.updatedAt()).isEqualTo(T0.plusSeconds(60));
      assertThat(stale.toString()).contains("stale since " + T0.plusSeconds(60));
      assertThat(at.list(JobFilter.builder().state(JobState.RUNNING).build()))
          .extracting(JobRecord::jobId)
          .containsExactly("geneva-len-1");
      assertThat(at.get("geneva-len-2").orElseThrow().staleSince())
          .as("an ended job is never stale")
          .isEmpty();
      assertThat(
              at.withStaleAfter(Duration.ofHours(1)).get("geneva-len-1").orElseThrow().staleSince())
          .isEmpty();

      // A late report (the driver was only cut off) clears it.
      history.record(running("geneva-len-1", clock.instant()));
      assertThat(at.get("geneva-len-1").orElseThrow().staleSince()).isEmpty();
      assertThat(at.get("geneva-len-1").orElseThrow().toBuilder().build().staleSince()).isEmpty();
    }
  }

  @Test
  void jobStaleAfter_whenNotPositive_isRefusedNamingTheDefault() {
    assertThatThrownBy(() -> ConnectOptions.builder().jobStaleAfter(Duration.ZERO))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("must be positive")
        .hasMessageContaining(JobHistory.DEFAULT_STALE_AFTER.toString());
    assertThat(
            ConnectOptions.builder().jobStaleAfter(Duration.ofMinutes(30)).build().toBuilder()
                .build()
                .jobStaleAfter())
        .isEqualTo(Duration.ofMinutes(30));
  }

  /** One RUNNING report as plain lance-core reads it. */
  private record Report(Instant updatedAt, long udfValuesComputed) {}

  private static List<Report> runningReports(String uri) throws Exception {
    List<Report> reports = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner = ds.newScan(new ScanOptions.Builder().build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        VarCharVector state = (VarCharVector) b.getVector("state");
        TimeStampMicroTZVector updated = (TimeStampMicroTZVector) b.getVector("updated_at");
        BigIntVector computed = (BigIntVector) b.getVector(JobMetrics.UDF_VALUES_COMPUTED);
        for (int i = 0; i < b.getRowCount(); i++) {
          if (new String(state.get(i), StandardCharsets.UTF_8).equals("RUNNING")) {
            reports.add(
                new Report(
                    Instant.EPOCH.plus(Duration.ofNanos(updated.get(i) * 1000)), computed.get(i)));
          }
        }
      }
    }
    return reports;
  }

  @Test
  void backfill_whenItRunsLongerThanTheHeartbeatInterval_reportsRunningAgainWithProgress()
      throws Exception {
    ConnectOptions options = ConnectOptions.builder().jobStaleAfter(Duration.ofMillis(800)).build();
    try (Connection db = Geneva.connect(dir.toString(), options)) {
      assertThat(db.jobHistory().heartbeatInterval()).isEqualTo(Duration.ofMillis(200));
      Table t = SampleTables.create(db, "docs", 6_000, 1_000);
      t.addColumns(Map.of("len", new SlowLength()));

      // 60 batches sleeping 20 ms each, one at a time: at least 1.2 s.
      t.backfill("len", BackfillOptions.builder().concurrency(1).batchSize(100).build());

      List<Report> reports = runningReports(db.jobHistory().uri());
      assertThat(reports.size())
          .as("the start and at least two heartbeats")
          .isGreaterThanOrEqualTo(3);
      for (int i = 1; i < reports.size(); i++) {
        assertThat(reports.get(i).updatedAt()).isAfter(reports.get(i - 1).updatedAt());
        assertThat(reports.get(i).udfValuesComputed())
            .isGreaterThanOrEqualTo(reports.get(i - 1).udfValuesComputed());
      }
      assertThat(reports.get(reports.size() - 1).udfValuesComputed()).isPositive();
      JobRecord done = db.jobs().get(0);
      assertThat(done.state()).isEqualTo(JobState.DONE);
      assertThat(done.staleSince()).isEmpty();
    }
  }

  @Test
  void record_whenGivenAStaleMark_doesNotStoreIt() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Instant now = Instant.now();
      db.jobHistory().record(running("geneva-len-3", now).toBuilder().staleSince(T0).build());

      assertThat(db.jobHistory().get("geneva-len-3").orElseThrow().staleSince()).isEmpty();
    }
  }
}
