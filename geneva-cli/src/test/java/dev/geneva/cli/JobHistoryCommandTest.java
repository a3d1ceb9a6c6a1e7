package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobMetrics;
import dev.geneva.Table;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayClusterDefinitions;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geneva jobs --db} and {@code geneva backfill --cluster} on real Lance tables. */
class JobHistoryCommandTest {
  @TempDir Path dir;

  @Test
  void jobs_whenDbGiven_listsTheRecordedBackfillsFilteredAndAsJson() throws Exception {
    String db = dir.resolve("db").toString();
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", 300, 100);
      t.addColumns(Map.of("len", new TextLength()));
    }
    Result backfill = Cli.run("backfill", db, "docs", "len", "--progress", "none");
    assertThat(backfill.exit()).as(backfill.toString()).isZero();

    Result text = Cli.run("jobs", "--db", db);
    assertThat(text.exit()).as(text.toString()).isZero();
    assertThat(text.out()).startsWith("JOB ID").contains("docs").contains("len").contains("DONE");

    Result json = Cli.run("jobs", "--db", db, "--table", "docs", "--state", "DONE", "--json");
    assertThat(json.exit()).as(json.toString()).isZero();
    JsonNode jobs = new ObjectMapper().readTree(json.out());
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).path("state").asText()).isEqualTo("DONE");
    assertThat(jobs.get(0).path("udfClass").asText()).isEqualTo(TextLength.class.getName());
    assertThat(jobs.get(0).path("metrics").path(JobMetrics.ROWS_COMMITTED).asLong()).isEqualTo(300);

    Result none = Cli.run("jobs", "--db", db, "--state", "FAILED", "--json");
    assertThat(new ObjectMapper().readTree(none.out())).isEmpty();
  }

  @Test
  void backfill_whenClusterIsNotDefined_failsNamingTheDefinedOnes() {
    String db = dir.resolve("db").toString();
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", 30, 30);
      t.addColumns(Map.of("len", new TextLength()));
      RayClusterDefinitions.define(
          conn,
          "cpu-small",
          RayClusterSpec.builder()
              .name("cpu-small")
              .namespace("geneva")
              .headGroup(HeadGroupSpec.builder().build())
              .workerGroup(WorkerGroupSpec.builder().name("cpu").build())
              .build());
    }
    Result r = Cli.run("backfill", db, "docs", "len", "--cluster", "gpu-embed");
    assertThat(r.exit()).as(r.toString()).isNotZero();
    assertThat(r.err()).contains("no cluster definition named 'gpu-embed'").contains("[cpu-small]");
    try (Connection conn = Geneva.connect(db)) {
      assertThat(conn.openTable("docs").countRows("len IS NULL")).isEqualTo(30);
      assertThat(conn.jobs()).isEmpty();
    }
  }

  @Test
  void backfill_whenClusterAndDashboardBothGiven_isAUsageError() {
    Result r =
        Cli.run(
            "backfill",
            dir.resolve("db").toString(),
            "docs",
            "len",
            "--cluster",
            "gpu-embed",
            "--dashboard",
            "http://localhost:8265");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("give one of them");
  }
}
