package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.internal.meta.SystemTable;
import dev.geneva.testing.JobReports;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import dev.geneva.testing.TextLength;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of {@code <db>/_geneva/jobs.lance}, on real Lance tables read back with lance-core.
 */
class JobHistoryCompactionTest {
  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2026-11-30T01:00:00Z");

  /** A fixed clock well after every report, so staleness reads the same before and after. */
  private static final Clock LATER = Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);

  /** One raw row as plain lance-core sees it. */
  private record Raw(String jobId, String state) {}

  private static List<Raw> rawRows(String uri) throws Exception {
    List<Raw> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner = ds.newScan(new ScanOptions.Builder().build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        VarCharVector id = (VarCharVector) b.getVector("job_id");
        VarCharVector state = (VarCharVector) b.getVector("state");
        for (int i = 0; i < b.getRowCount(); i++) {
          rows.add(
              new Raw(
                  new String(id.get(i), StandardCharsets.UTF_8),
                  new String(state.get(i), StandardCharsets.UTF_8)));
        }
      }
    }
    return rows;
  }

  private static int fragments(String uri) {
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator)) {
      return ds.getFragments().size();
    }
  }

  /** A report of a job at minute {@code minute} after T0 (plus {@code micros}). */
  private static JobRecord report(
      String jobId, JobState state, long minute, long micros, String executor, String cluster) {
    Instant at = T0.plus(Duration.ofMinutes(minute)).plusNanos(micros * 1_000);
    return JobRecord.builder()
        .jobId(jobId)
        .table("docs")
        .column("len")
        .udfClass("com.example.Len")
        .udfVersion("1")
        .state(state)
        .createdAt(T0.plus(Duration.ofMinutes(executor.equals("rayjob") ? 0 : 1)))
        .startedAt(state == JobState.PENDING ? null : T0.plus(Duration.ofMinutes(1)))
        .endedAt(state.isTerminal() ? at : null)
        .updatedAt(at)
        .executor(executor)
        .cluster(cluster)
        .error(state == JobState.FAILED ? "boom in " + jobId : null)
        .metric(JobMetrics.ROWS_COMMITTED, minute * 100 + micros)
        .metric(JobMetrics.ROWS_READY_FOR_COMMIT, minute)
        .metric(JobMetrics.WORKERS, 4)
        .build();
  }

  /** Reports of several jobs: pending, heartbeats, ends, a late driver over a client's failure. */
  private static List<JobRecord> reportsOfSeveralJobs(String prefix, int heartbeats) {
    List<JobRecord> r = new ArrayList<>();
    // Submitted by a client, run by a driver, done.
    r.add(report(prefix + "a", JobState.PENDING, 0, 0, "rayjob", "ns/c"));
    for (int i = 1; i <= heartbeats; i++) {
      r.add(report(prefix + "a", JobState.RUNNING, i, 0, "ray", "ns/c"));
    }
    r.add(report(prefix + "a", JobState.DONE, heartbeats + 1, 0, "ray", "ns/c"));
    // Local, failed.
    for (int i = 1; i <= heartbeats; i++) {
      r.add(report(prefix + "b", JobState.RUNNING, i, 1, "threads", null));
    }
    r.add(report(prefix + "b", JobState.FAILED, heartbeats + 1, 1, "threads", null));
    // Still running (stale by LATER).
    for (int i = 1; i <= heartbeats; i++) {
      r.add(report(prefix + "c", JobState.RUNNING, i, 2, "threads", null));
    }
    // The client lost contact and recorded FAILED; the driver went on and finished.
    r.add(report(prefix + "d", JobState.PENDING, 0, 3, "rayjob", "ns/d"));
    r.add(report(prefix + "d", JobState.RUNNING, 1, 3, "ray", null));
    r.add(report(prefix + "d", JobState.FAILED, 2, 3, "rayjob", "ns/d"));
    for (int i = 2; i <= heartbeats; i++) {
      r.add(report(prefix + "d", JobState.RUNNING, i, 4, "ray", null));
    }
    r.add(report(prefix + "d", JobState.DONE, heartbeats + 1, 3, "ray", null));
    // Cancelled.
    for (int i = 1; i <= heartbeats; i++) {
      r.add(report(prefix + "e", JobState.RUNNING, i, 5, "threads", null));
    }
    r.add(report(prefix + "e", JobState.CANCELLED, heartbeats + 1, 5, "threads", null));
    return r;
  }

  @Test
  void compact_whenManyHeartbeatsOfSeveralJobs_foldsTheSameRecordsFromFewerRows() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      JobHistory history = db.jobHistory().withClock(LATER);
      List<JobRecord> reports = reportsOfSeveralJobs("j-", 12);
      reports.forEach(history::record);
      List<JobRecord> before = history.list();
      assertThat(before).hasSize(5);
      assertThat(fragments(history.uri())).isEqualTo(reports.size());

      JobHistoryCompaction c = history.compact();

      assertThat(history.list()).isEqualTo(before);
      assertThat(c.rowsBefore()).isEqualTo(reports.size());
      assertThat(c.fragmentsBefore()).isEqualTo(reports.size());
      assertThat(c.fragmentsAfter()).isEqualTo(1);
      assertThat(fragments(history.uri())).isEqualTo(1);
      List<Raw> raw = rawRows(history.uri());
      assertThat(raw).hasSize((int) (c.rowsBefore() - c.rowsDeleted()));
      // Every state change stays: each report other than RUNNING.
      List<Raw> changes =
          reports.stream()
              .filter(r -> r.state() != JobState.RUNNING)
              .map(r -> new Raw(r.jobId(), r.state().name()))
              .toList();
      assertThat(raw.stream().filter(r -> !r.state().equals("RUNNING")).toList())
          .containsExactlyInAnyOrderElementsOf(changes);
      // Of the heartbeats, the first per writer and the latest of each job stay.
      assertThat(raw.stream().filter(r -> r.state().equals("RUNNING")).map(Raw::jobId).toList())
          .containsExactlyInAnyOrder(
              "j-a", "j-a", "j-b", "j-b", "j-c", "j-c", "j-d", "j-d", "j-e", "j-e");

      // Compacting again changes nothing; new reports fold in as before.
      JobHistoryCompaction again = history.compact();
      assertThat(again.rowsDeleted()).isZero();
      assertThat(history.list()).isEqualTo(before);
      history.record(report("j-c", JobState.DONE, 99, 2, "threads", null));
      assertThat(history.get("j-c").orElseThrow().state()).isEqualTo(JobState.DONE);
      assertThat(history.get("j-c").orElseThrow().createdAt())
          .isEqualTo(
              before.stream()
                  .filter(j -> j.jobId().equals("j-c"))
                  .findFirst()
                  .orElseThrow()
                  .createdAt());
    }
  }

  @Test
  void compact_whenOtherWritersAppendMeanwhile_losesNoReport() throws Exception {
    Path compacted = dir.resolve("compacted");
    Path plain = dir.resolve("plain");
    Files.createDirectories(compacted);
    Files.createDirectories(plain);
    int writers = 3;
    List<List<JobRecord>> perWriter = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      perWriter.add(reportsOfSeveralJobs("w" + w + "-", 6));
    }
    try (Connection reference = Geneva.connect(plain.toString());
        Connection db = Geneva.connect(compacted.toString())) {
      perWriter.forEach(rs -> rs.forEach(reference.jobHistory()::record));
      // A first writer's reports are there before the compactions start.
      perWriter.get(0).forEach(db.jobHistory()::record);
      ExecutorService pool = Executors.newFixedThreadPool(writers - 1);
      AtomicBoolean writing = new AtomicBoolean(true);
      List<JobHistoryCompaction> compactions = new ArrayList<>();
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 1; w < writers; w++) {
          List<JobRecord> mine = perWriter.get(w);
          done.add(
              pool.submit(
                  () -> {
                    // Another connection: its own history object, as another JVM has.
                    try (Connection other = Geneva.connect(compacted.toString())) {
                      mine.forEach(other.jobHistory()::record);
                    }
                    return null;
                  }));
        }
        Thread flag =
            new Thread(
                () -> {
                  for (Future<?> f : done) {
                    try {
                      f.get();
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  }
                  writing.set(false);
                });
        flag.start();
        while (writing.get()) {
          compactions.add(db.jobHistory().compact());
        }
        flag.join();
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(compactions).isNotEmpty();
      assertThat(compactions.stream().mapToLong(JobHistoryCompaction::rowsDeleted).sum())
          .isPositive();
      JobHistory fixedClock = db.jobHistory().withClock(LATER);
      assertThat(fixedClock.list())
          .hasSize(5 * writers)
          .isEqualTo(reference.jobHistory().withClock(LATER).list());
      // Every state change of every writer is still a row.
      List<Raw> raw = rawRows(db.jobHistory().uri());
      List<Raw> changes =
          perWriter.stream()
              .flatMap(List::stream)
              .filter(r -> r.state() != JobState.RUNNING)
              .map(r -> new Raw(r.jobId(), r.state().name()))
              .toList();
      assertThat(raw.stream().filter(r -> !r.state().equals("RUNNING")).toList())
          .containsExactlyInAnyOrderElementsOf(changes);
    }
  }

  @Test
  void backfill_whenTheHistoryCannotBeCompacted_stillSucceedsAndIsRecorded() throws Exception {
    ConnectOptions options = ConnectOptions.builder().jobHistoryCompactAfter(1).build();
    try (Connection db = Geneva.connect(dir.toString(), options)) {
      JobHistory history = db.jobHistory();
      // A running job's reports, compacted into one fragment of several rows...
      history.record(report("x", JobState.PENDING, 0, 0, "rayjob", "ns/x"));
      history.record(report("x", JobState.RUNNING, 1, 0, "ray", "ns/x"));
      history.record(report("x", JobState.RUNNING, 2, 0, "ray", "ns/x"));
      history.compact();
      // ...then a heartbeat that supersedes one of them: the next compaction deletes a row of that
      // fragment, which needs a deletion file. Lance cannot write one where a file blocks the
      // directory.
      history.record(report("x", JobState.RUNNING, 3, 0, "ray", "ns/x"));
      Files.writeString(Path.of(dir.toString(), "_geneva", "jobs.lance", "_deletions"), "blocked");
      assertThatThrownBy(history::compact).isInstanceOf(GenevaException.class);

      Table t = SampleTables.create(db, "docs", 1_000, 250);
      t.addColumns(Map.of("len", new TextLength()));
      assertThat(history.compactionDue()).isTrue();
      BackfillResult result = t.backfill("len", BackfillOptions.builder().concurrency(2).build());

      assertThat(result.rowsProcessed()).isEqualTo(1_000);
      Map<Long, Object> values = LanceColumns.byId(t.uri(), "len");
      assertThat(values).hasSize(1_000);
      values.forEach(
          (id, v) -> {
            String text = SampleTables.text(id);
            assertThat(v).isEqualTo(text == null ? null : text.length());
          });
      JobRecord job = db.jobs(JobFilter.builder().column("len").build()).get(0);
      assertThat(job.state()).isEqualTo(JobState.DONE);
      assertThat(job.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(1_000);
      assertThat(db.jobHistory().get("x").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }
  }

  @Test
  void backfill_whenManyJobsRun_keepsTheHistoryWithinItsFragmentThreshold() throws Exception {
    int compactAfter = 6;
    ConnectOptions options =
        ConnectOptions.builder()
            .jobHistoryCompactAfter(compactAfter)
            // Heartbeats every 50 ms; 10 batches of 20 ms a fragment: several heartbeats a job.
            .jobStaleAfter(Duration.ofMillis(200))
            .build();
    try (Connection db = Geneva.connect(dir.toString(), options)) {
      Table t = SampleTables.create(db, "docs", 400, 100);
      int jobs = 8;
      int reports = 0;
      for (int i = 0; i < jobs; i++) {
        t.addColumns(Map.of("len" + i, new SlowLength()));
        JobReports seen = new JobReports();
        t.backfill(
            "len" + i,
            BackfillOptions.builder().concurrency(2).batchSize(10).listener(seen).build());
        reports += seen.all().size();
        assertThat(fragments(db.jobHistory().uri())).isLessThanOrEqualTo(compactAfter);
      }
      assertThat(reports).isGreaterThan(jobs * 3);
      List<Raw> raw = rawRows(db.jobHistory().uri());
      assertThat(raw.size()).isLessThan(reports);
      assertThat(db.jobs()).hasSize(jobs);
      for (JobRecord j : db.jobs()) {
        assertThat(j.state()).isEqualTo(JobState.DONE);
        assertThat(j.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(400);
        Map<Long, Object> values = LanceColumns.byId(t.uri(), j.column());
        assertThat(values).hasSize(400);
        values.forEach(
            (id, v) -> {
              String text = SampleTables.text(id);
              assertThat(v).isEqualTo(text == null ? null : text.length());
            });
      }
    }
  }

  @Test
  void compact_whenRowsOfANewerLayoutExist_refusesAndDeletesNothing() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      JobHistory history = db.jobHistory();
      List<JobRecord> reports = reportsOfSeveralJobs("j-", 4);
      reports.forEach(history::record);
      // A newer Geneva's report: this one cannot tell which of its rows a fold still needs.
      try (BufferAllocator allocator = new RootAllocator()) {
        Schema schema;
        try (Dataset ds = Dataset.open(history.uri(), allocator)) {
          schema = ds.getSchema();
        }
        new SystemTable(dir.toString(), JobHistory.TABLE, schema, Map::of, allocator)
            .append(
                batch -> {
                  for (FieldVector v : batch.getFieldVectors()) {
                    if (v.getField().isNullable()) {
                      continue; // left null
                    } else if (v instanceof IntVector format) {
                      format.setSafe(0, JobHistory.FORMAT_VERSION + 1);
                    } else if (v instanceof VarCharVector text) {
                      text.setSafe(0, "RUNNING".getBytes(StandardCharsets.UTF_8));
                    } else if (v instanceof TimeStampMicroTZVector time) {
                      time.setSafe(0, 0);
                    } else {
                      ((BigIntVector) v).setSafe(0, 0);
                    }
                  }
                  batch.setRowCount(1);
                });
      }

      assertThatThrownBy(history::compact)
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("layout " + (JobHistory.FORMAT_VERSION + 1))
          .hasMessageContaining("upgrade Geneva");
      assertThat(rawRows(history.uri())).hasSize(reports.size() + 1);
    }
  }

  @Test
  void connectOptions_whenCompactAfterIsNegative_failsNamingTheDefault() {
    assertThatThrownBy(() -> ConnectOptions.builder().jobHistoryCompactAfter(-1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("got -1")
        .hasMessageContaining(String.valueOf(JobHistory.DEFAULT_COMPACT_AFTER));
  }
}
