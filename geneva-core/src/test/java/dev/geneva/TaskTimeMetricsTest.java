package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import dev.geneva.internal.meta.SystemTable;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import dev.geneva.testing.TaskTimes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read, UDF, write and checkpoint times measured in the tasks and summed into the job's metrics,
 * the result and the history, on real Lance tables with the threads executor.
 */
class TaskTimeMetricsTest {
  @TempDir Path dir;

  @Test
  void backfill_whenOneTaskPerFragment_recordsReadUdfAndWriteTimesWithinTaskTime() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 2_000, 1_000);
      t.addColumns(Map.of("len", new SlowLength()));

      BackfillResult result =
          t.backfill(
              "len",
              BackfillOptions.builder().concurrency(2).batchSize(100).rowsPerTask(500).build());

      JobRecord job = db.jobs().get(0);
      // 20 batches of 100 rows, each sleeping 20 ms in the UDF.
      TaskTimes.assertWithinTaskTime(job, 20 * 20);
      assertThat(result.metrics()).isEqualTo(job.metrics());
      assertThat(result.metric(JobMetrics.UDF_PROCESSING_TIME))
          .isEqualTo(job.metric(JobMetrics.UDF_PROCESSING_TIME));
      assertThat(result.rowsProcessed()).isEqualTo(2_000);
    }
  }

  @Test
  void backfill_whenSmallFragmentsShareAScan_recordsTheirTimesWithinTaskTime() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 2_000, 100);
      t.addColumns(Map.of("len", new SlowLength()));

      BackfillResult result =
          t.backfill("len", BackfillOptions.builder().concurrency(1).batchSize(50).build());

      JobRecord job = db.jobs().get(0);
      // 20 fragments of two 50-row batches each (a batch never spans fragments' files).
      TaskTimes.assertWithinTaskTime(job, 20 * 20);
      assertThat(result.metrics()).isEqualTo(job.metrics());
      assertThat(result.tasks()).isEqualTo(20);
    }
  }

  /** The job table's layout before the task times: twelve metrics, all non-nullable. */
  private static Schema firstLayout() {
    List<Field> fields = new ArrayList<>();
    fields.add(Field.notNullable("format_version", new ArrowType.Int(32, true)));
    for (String s :
        List.of("job_id", "table_name", "column_name", "udf_class", "udf_version", "state")) {
      fields.add(Field.notNullable(s, ArrowType.Utf8.INSTANCE));
    }
    ArrowType ts = new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    fields.add(Field.notNullable("created_at", ts));
    fields.add(Field.nullable("started_at", ts));
    fields.add(Field.nullable("ended_at", ts));
    fields.add(Field.notNullable("updated_at", ts));
    fields.add(Field.notNullable("executor", ArrowType.Utf8.INSTANCE));
    fields.add(Field.nullable("cluster", ArrowType.Utf8.INSTANCE));
    fields.add(Field.nullable("error", ArrowType.Utf8.INSTANCE));
    for (String m : JobMetrics.names().subList(0, 12)) {
      fields.add(new Field(m, FieldType.notNullable(new ArrowType.Int(64, true)), null));
    }
    return new Schema(fields);
  }

  /** Appends one DONE report in the first layout, as a Geneva without task times writes it. */
  private static void appendFirstLayoutRow(String db, String jobId, BufferAllocator allocator) {
    new SystemTable(db, JobHistory.TABLE, firstLayout(), Map::of, allocator)
        .append(
            batch -> {
              ((IntVector) batch.getVector("format_version")).setSafe(0, 1);
              for (String[] kv :
                  new String[][] {
                    {"job_id", jobId},
                    {"table_name", "docs"},
                    {"column_name", "len"},
                    {"udf_class", "com.example.Len"},
                    {"udf_version", "1"},
                    {"state", "DONE"},
                    {"executor", "threads"}
                  }) {
                ((VarCharVector) batch.getVector(kv[0]))
                    .setSafe(0, kv[1].getBytes(StandardCharsets.UTF_8));
              }
              long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
              for (String ts : List.of("created_at", "started_at", "ended_at", "updated_at")) {
                ((TimeStampMicroTZVector) batch.getVector(ts)).setSafe(0, now);
              }
              ((VarCharVector) batch.getVector("cluster")).setNull(0);
              ((VarCharVector) batch.getVector("error")).setNull(0);
              for (String m : JobMetrics.names().subList(0, 12)) {
                ((BigIntVector) batch.getVector(m)).setSafe(0, 7);
              }
              batch.setRowCount(1);
            });
  }

  @Test
  void jobs_whenTheTableHasTheFirstLayout_readsItAndAddsTheNewColumnsOnTheNextWrite()
      throws Exception {
    String db = dir.toString();
    try (BufferAllocator allocator = new RootAllocator()) {
      appendFirstLayoutRow(db, "old-job", allocator);
    }
    try (Connection conn = Geneva.connect(db)) {
      JobRecord old = conn.jobs().get(0);
      assertThat(old.jobId()).isEqualTo("old-job");
      assertThat(old.metrics()).containsOnlyKeys(JobMetrics.names().subList(0, 12));
      assertThat(old.metrics()).doesNotContainKeys(TaskTimes.NAMES.toArray(String[]::new));

      Table t = SampleTables.create(conn, "docs", 300, 100);
      t.addColumns(Map.of("len", new SlowLength()));
      BackfillResult result = t.backfill("len");

      List<JobRecord> jobs = conn.jobs();
      assertThat(jobs).extracting(JobRecord::jobId).contains("old-job");
      JobRecord added =
          jobs.stream().filter(j -> !j.jobId().equals("old-job")).findFirst().orElseThrow();
      TaskTimes.assertWithinTaskTime(added, 3 * 20);
      assertThat(added.metrics()).isEqualTo(result.metrics());
      assertThat(conn.jobHistory().get("old-job").orElseThrow().metrics())
          .doesNotContainKeys(TaskTimes.NAMES.toArray(String[]::new));
    }
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(db + "/_geneva/jobs.lance", allocator)) {
      List<String> names = ds.getSchema().getFields().stream().map(Field::getName).toList();
      assertThat(names).containsAll(JobMetrics.names());
    }
    // A Geneva without task times still appends to the table that now has their columns.
    try (BufferAllocator allocator = new RootAllocator()) {
      appendFirstLayoutRow(db, "old-job-2", allocator);
    }
    try (Connection conn = Geneva.connect(db)) {
      assertThat(conn.jobs()).extracting(JobRecord::jobId).contains("old-job", "old-job-2");
      assertThat(conn.jobHistory().get("old-job-2").orElseThrow().metrics())
          .containsOnlyKeys(JobMetrics.names().subList(0, 12));
    }
  }
}
