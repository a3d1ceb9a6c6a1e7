package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.testing.Faults;
import dev.geneva.testing.FlakyLength;
import dev.geneva.testing.InProcessS3;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job history in {@code <db>/_geneva/jobs.lance}, on real Lance tables. */
class JobHistoryTest {
  @TempDir Path dir;

  @AfterEach
  void resetFaults() {
    Faults.reset();
  }

  /** One row per report as plain lance-core sees it: job id, state, and one metric. */
  private record Row(String jobId, String state, long rowsCommitted) {}

  private static List<Row> rawRows(String uri) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner = ds.newScan(new ScanOptions.Builder().build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        VarCharVector id = (VarCharVector) b.getVector("job_id");
        VarCharVector state = (VarCharVector) b.getVector("state");
        BigIntVector committed = (BigIntVector) b.getVector(JobMetrics.ROWS_COMMITTED);
        for (int i = 0; i < b.getRowCount(); i++) {
          rows.add(
              new Row(
                  new String(id.get(i), StandardCharsets.UTF_8),
                  new String(state.get(i), StandardCharsets.UTF_8),
                  committed.get(i)));
        }
      }
    }
    return rows;
  }

  @Test
  void backfill_whenItSucceeds_recordsRunningThenDoneWithMetrics() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 3_000, 1_000);
      t.delete("id % 10 = 0");
      t.addColumns(Map.of("len", new TextLength()));
      BackfillJob job =
          t.backfillAsync("len", BackfillOptions.builder().concurrency(2).commitEvery(2).build());
      BackfillResult result = job.join();

      List<JobRecord> jobs = db.jobs();
      assertThat(jobs).hasSize(1);
      JobRecord r = jobs.get(0);
      assertThat(r.jobId()).isEqualTo(job.jobId().orElseThrow());
      assertThat(r.table()).isEqualTo("docs");
      assertThat(r.column()).isEqualTo("len");
      assertThat(r.udfClass()).isEqualTo(TextLength.class.getName());
      assertThat(r.udfVersion()).isEqualTo(new TextLength().spec().version());
      assertThat(r.state()).isEqualTo(JobState.DONE);
      assertThat(r.executor()).isEqualTo(result.executor());
      assertThat(r.cluster()).isEmpty();
      assertThat(r.error()).isEmpty();
      assertThat(r.startedAt()).isPresent();
      assertThat(r.endedAt().orElseThrow()).isAfterOrEqualTo(r.startedAt().orElseThrow());
      assertThat(r.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(2_700);
      assertThat(r.metric(JobMetrics.UDF_VALUES_COMPUTED)).isEqualTo(2_700);
      assertThat(r.metric(JobMetrics.ROWS_CHECKPOINTED))
          .as("physical rows of the computed tasks, deleted ones included")
          .isEqualTo(3_000);
      assertThat(r.metric(JobMetrics.FRAGMENTS)).isEqualTo(3);
      assertThat(r.metric(JobMetrics.WRITER_FRAGMENTS)).isEqualTo(3);
      assertThat(r.metric(JobMetrics.WORKERS)).isEqualTo(2);
      assertThat(r.metric(JobMetrics.COMMIT_CONFLICT_RETRIES)).isZero();
      assertThat(r.metrics()).containsOnlyKeys(JobMetrics.names());

      String historyUri = db.jobHistory().uri();
      assertThat(historyUri).isEqualTo(dir.toAbsolutePath() + "/_geneva/jobs.lance");
      assertThat(rawRows(historyUri))
          .containsExactly(new Row(r.jobId(), "RUNNING", 0), new Row(r.jobId(), "DONE", 2_700));
      assertThat(db.tableNames()).containsExactly("docs");
    }
    try (Connection reopened = Geneva.connect(dir.toString())) {
      assertThat(reopened.jobs())
          .singleElement()
          .extracting(JobRecord::state)
          .isEqualTo(JobState.DONE);
    }
  }

  @Test
  void backfill_whenTheUdfFails_recordsFailedWithTheError() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 200, 100);
      t.addColumns(Map.of("len", new FlakyLength()));
      Faults.FAILING_IDS.add(150L);
      assertThatThrownBy(() -> t.backfill("len", BackfillOptions.builder().concurrency(1).build()))
          .isInstanceOf(BackfillFailedException.class);

      JobRecord r = db.jobs().get(0);
      assertThat(r.state()).isEqualTo(JobState.FAILED);
      assertThat(r.error().orElseThrow()).contains("injected failure for id 150");
      assertThat(r.endedAt()).isPresent();
      assertThat(db.jobs(JobFilter.builder().state(JobState.DONE).build())).isEmpty();
    }
  }

  @Test
  void backfill_whenCancelled_recordsCancelled() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 400, 100);
      t.addColumns(Map.of("slow", new dev.geneva.testing.SlowLength()));
      BackfillJob job = t.backfillAsync("slow", BackfillOptions.builder().concurrency(1).build());
      job.cancel();
      assertThatThrownBy(job::join).isInstanceOf(java.util.concurrent.CancellationException.class);
      assertThat(db.jobs())
          .singleElement()
          .extracting(JobRecord::state)
          .isEqualTo(JobState.CANCELLED);
    }
  }

  @Test
  void jobs_whenFiltered_returnsOnlyMatchingJobsNewestFirst() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table a = SampleTables.create(db, "a", 100, 100);
      Table b = SampleTables.create(db, "b", 100, 100);
      a.addColumns(Map.of("len", new TextLength()));
      b.addColumns(Map.of("len", new TextLength()));
      a.backfill("len");
      String first = db.jobs().get(0).jobId();
      b.backfill("len");
      a.backfill("len", BackfillOptions.builder().where("id < 10").build());

      assertThat(db.jobs()).hasSize(3);
      assertThat(db.jobs().get(2).jobId()).isEqualTo(first);
      assertThat(db.jobs(JobFilter.builder().table("a").build()))
          .extracting(JobRecord::table)
          .containsExactly("a", "a");
      assertThat(db.jobs(JobFilter.builder().table("b").column("len").state(JobState.DONE).build()))
          .hasSize(1);
      assertThat(db.jobs(JobFilter.builder().column("other").build())).isEmpty();
      assertThat(db.jobHistory().get(first)).map(JobRecord::table).contains("a");
      assertThat(db.jobHistory().get("no-such-job")).isEmpty();
    }
  }

  @Test
  void record_whenManyConnectionsWriteAtOnce_losesNoReport() throws Exception {
    int writers = 4;
    int perWriter = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  try (Connection db = Geneva.connect(dir.toString())) {
                    for (int i = 0; i < perWriter; i++) {
                      db.jobHistory().record(sample("job-" + writer + "-" + i, JobState.DONE));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection db = Geneva.connect(dir.toString())) {
      assertThat(db.jobs()).hasSize(writers * perWriter);
      assertThat(rawRows(db.jobHistory().uri()).stream().map(Row::jobId).distinct())
          .as("a racing creation may make the loser append restored rows again, never lose one")
          .hasSize(writers * perWriter);
    }
  }

  @Test
  void backfill_whenTwoRunAtOnce_bothAreRecorded() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table a = SampleTables.create(db, "a", 2_000, 250);
      Table b = SampleTables.create(db, "b", 2_000, 250);
      a.addColumns(Map.of("len", new TextLength()));
      b.addColumns(Map.of("len", new TextLength()));
      BackfillOptions o = BackfillOptions.builder().concurrency(2).commitEvery(1).build();
      BackfillJob ja = a.backfillAsync("len", o);
      BackfillJob jb = b.backfillAsync("len", o);
      ja.join();
      jb.join();
      assertThat(db.jobs())
          .extracting(JobRecord::jobId, JobRecord::state)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(ja.jobId().orElseThrow(), JobState.DONE),
              org.assertj.core.groups.Tuple.tuple(jb.jobId().orElseThrow(), JobState.DONE));
      assertThat(rawRows(db.jobHistory().uri())).hasSize(4);
    }
  }

  @Test
  void list_whenClientAndDriverReportTheSameJob_theFurthestStateWins() {
    try (Connection db = Geneva.connect(dir.toString())) {
      JobHistory h = db.jobHistory();
      Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
      JobRecord pending =
          sample("geneva-len-1", JobState.PENDING).toBuilder()
              .createdAt(t0)
              .updatedAt(t0)
              .cluster("geneva/gpu")
              .udfClass("")
              .udfVersion("")
              .executor("ray-cluster:geneva/gpu")
              .build();
      h.record(pending);
      // The client lost contact and says failed; the driver finished later and says done.
      h.record(
          pending.toBuilder()
              .state(JobState.FAILED)
              .error("lost contact")
              .updatedAt(t0.plusSeconds(60))
              .build());
      h.record(
          sample("geneva-len-1", JobState.DONE).toBuilder()
              .createdAt(t0.plusSeconds(5))
              .startedAt(t0.plusSeconds(5))
              .updatedAt(t0.plusSeconds(30))
              .build());
      // A stale "running" arriving last never hides the end.
      h.record(
          sample("geneva-len-1", JobState.RUNNING).toBuilder()
              .createdAt(t0.plusSeconds(5))
              .updatedAt(t0.plusSeconds(90))
              .build());

      JobRecord folded = h.get("geneva-len-1").orElseThrow();
      assertThat(folded.state()).isEqualTo(JobState.DONE);
      assertThat(folded.error()).isEmpty();
      assertThat(folded.createdAt()).isEqualTo(t0);
      assertThat(folded.cluster()).contains("geneva/gpu");
      assertThat(folded.udfClass()).isEqualTo(TextLength.class.getName());
    }
  }

  @Test
  void reports_whenAJobWasReportedSeveralTimes_returnsEachReportOfItOldestFirst() {
    try (Connection db = Geneva.connect(dir.toString())) {
      JobHistory h = db.jobHistory();
      Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
      JobRecord pending =
          sample("geneva-len-1", JobState.PENDING).toBuilder()
              .createdAt(t0)
              .updatedAt(t0)
              .executor("rayjob")
              .build();
      h.record(
          pending.toBuilder()
              .state(JobState.RUNNING)
              .executor("ray-cluster")
              .updatedAt(t0.plusSeconds(9))
              .build());
      h.record(pending);
      h.record(sample("geneva-len-2", JobState.DONE));

      assertThat(h.reports("geneva-len-1"))
          .extracting(JobRecord::state, JobRecord::executor)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(JobState.PENDING, "rayjob"),
              org.assertj.core.groups.Tuple.tuple(JobState.RUNNING, "ray-cluster"));
      assertThat(h.get("geneva-len-1").orElseThrow().executor()).isEqualTo("ray-cluster");
      assertThat(h.reports("geneva-len-3")).isEmpty();
    }
  }

  @Test
  void tableNames_whenHistoryExistsInS3_listsOnlyUserTables() throws Exception {
    try (InProcessS3 s3 = InProcessS3.start("jobs-access", "jobs-secret-key", "lake");
        Connection db =
            Geneva.connect("s3://lake/db", s3.storageOptions("jobs-access", "jobs-secret-key"))) {
      Table t = SampleTables.create(db, "docs", 500, 250);
      t.addColumns(Map.of("len", new TextLength()));
      t.backfill("len");
      assertThat(db.jobs()).singleElement().extracting(JobRecord::state).isEqualTo(JobState.DONE);
      assertThat(db.jobs().get(0).metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(500);
      assertThat(db.tableNames()).containsExactly("docs");
      assertThat(
              s3.blobStore()
                  .list(
                      "lake",
                      org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()))
          .anyMatch(blob -> blob.getName().startsWith("db/_geneva/jobs.lance/"));
    }
  }

  @Test
  void jobs_whenNothingWasRecorded_isEmptyAndCreatesNothing() {
    try (Connection db = Geneva.connect(dir.toString())) {
      assertThat(db.jobs()).isEmpty();
      assertThat(Files.exists(dir.resolve("_geneva"))).isFalse();
    }
  }

  @Test
  void builder_whenMetricIsUnknown_failsNamingTheKnownOnes() {
    assertThatThrownBy(() -> JobRecord.builder().metric("rows_done", 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("rows_done")
        .hasMessageContaining(JobMetrics.ROWS_COMMITTED);
    assertThatThrownBy(() -> BackfillOptions.builder().jobId("no spaces"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("jobId");
  }

  private static JobRecord sample(String id, JobState state) {
    Instant now = Instant.now();
    return JobRecord.builder()
        .jobId(id)
        .table("docs")
        .column("len")
        .udfClass(TextLength.class.getName())
        .udfVersion("1")
        .state(state)
        .createdAt(now)
        .startedAt(now)
        .endedAt(state.isTerminal() ? now : null)
        .executor("threads")
        .metric(JobMetrics.ROWS_COMMITTED, 10)
        .build();
  }
}
