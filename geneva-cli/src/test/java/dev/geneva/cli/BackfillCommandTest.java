package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.testing.Faults;
import dev.geneva.testing.FlakyLength;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geneva backfill} on a real Lance table, on embedded Ray (LOCAL mode) in this JVM. */
class BackfillCommandTest {
  private static final int ROWS = 3_000;

  @TempDir Path dir;

  @Test
  void backfill_whenJson_computesEveryRowAndPrintsTheResult() throws Exception {
    String db = dir.resolve("db").toString();
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", ROWS, 1_000);
      t.addColumns(Map.of("len", new TextLength()));
    }

    Result r =
        Cli.run(
            "backfill", db, "docs", "len", "--concurrency", "2", "--json", "--progress", "lines");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("column").asText()).isEqualTo("len");
    assertThat(doc.get("rowsProcessed").asLong()).isEqualTo(ROWS);
    assertThat(doc.get("rowsFailed").asLong()).isZero();
    assertThat(doc.get("fragments").asInt()).isEqualTo(3);
    assertThat(doc.get("committedVersion").asLong()).isGreaterThan(doc.get("readVersion").asLong());
    assertThat(r.err()).contains("progress: len 100.0% 3000/3000 rows");

    try (Connection conn = Geneva.connect(db)) {
      List<Map<String, Object>> rows = conn.openTable("docs").head(ROWS + 1, "id", "len");
      assertThat(rows).hasSize(ROWS);
      for (Map<String, Object> row : rows) {
        long id = (Long) row.get("id");
        String text = SampleTables.text(id);
        assertThat(row.get("len"))
            .as("len of row %d", id)
            .isEqualTo(text == null ? null : text.length());
      }
    }

    // A rerun selects "len IS NULL" again: only the rows whose text (and so len) is null.
    long nullTexts =
        java.util.stream.LongStream.range(0, ROWS)
            .filter(id -> SampleTables.text(id) == null)
            .count();
    Result again = Cli.run("backfill", db, "docs", "len", "--progress", "none");
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).startsWith("backfilled docs.len: " + nullTexts + " rows computed");
    assertThat(again.err()).doesNotContain("progress:");
  }

  @Test
  void backfill_whenSkipPolicyLeavesRowsNull_listsThemAndExitsWithCheckFailed() throws Exception {
    String db = dir.resolve("db").toString();
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", ROWS, 1_000);
      t.addColumns(Map.of("len", new FlakyLength.Skipping()));
    }
    Faults.reset();
    Faults.FAILING_IDS.addAll(List.of(5L, 1_500L));
    try {
      Result json = Cli.run("backfill", db, "docs", "len", "--json", "--progress", "none");
      Faults.FAILING_IDS.clear();
      Faults.FAILING_IDS.add(7L);
      Result text =
          Cli.run("backfill", db, "docs", "len", "--where", "id = 7", "--progress", "none");

      assertThat(json.exit()).as(json.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
      JsonNode doc = new ObjectMapper().readTree(json.out());
      assertThat(doc.get("rowsFailed").asLong()).isEqualTo(2);
      assertThat(doc.get("failedRows"))
          .extracting(n -> n.get("fragment").asInt() + ":" + n.get("rowOffset").asLong())
          .containsExactlyInAnyOrder("0:5", "1:500");
      assertThat(doc.get("failedRows").get(0).get("message").asText())
          .startsWith("injected failure for id ");
      assertThat(text.out())
          .contains("failed rows (left null by the UDF's error policy), 1 of 1:")
          .contains("  fragment 0 row 7: " + Faults.TransientFault.class.getName());
    } finally {
      Faults.reset();
    }
  }

  @Test
  void backfill_whenPlan_printsThePlanAndComputesNothing() throws Exception {
    String db = dir.resolve("db").toString();
    long version;
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", ROWS, 1_000);
      t.addColumns(Map.of("len", new TextLength()));
      version = t.version();
    }
    long calls = TextLength.CALLS.get();

    Result text = Cli.run("backfill", db, "docs", "len", "--plan");
    Result json = Cli.run("backfill", db, "docs", "len", "--plan", "--json", "--where", "id < 10");

    assertThat(text.exit()).as(text.toString()).isZero();
    assertThat(text.out())
        .startsWith(
            "plan for docs.len at version " + version + " (UDF " + TextLength.class.getName())
        .contains("  filter            `len` IS NULL")
        .contains("  rows selected     3000 in 3 fragments, 3 tasks")
        .contains("  from checkpoints  0 tasks, 0 rows")
        .contains("  rows to compute   3000")
        .contains("nothing was computed or written");
    assertThat(json.exit()).as(json.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc.get("column").asText()).isEqualTo("len");
    assertThat(doc.get("filter").asText()).isEqualTo("id < 10");
    assertThat(doc.get("readVersion").asLong()).isEqualTo(version);
    assertThat(doc.get("rowsSelected").asLong()).isEqualTo(10);
    assertThat(doc.get("fragments").asInt()).isEqualTo(1);
    assertThat(doc.get("tasks").asInt()).isEqualTo(1);
    assertThat(doc.get("tasksReusable").asInt()).isZero();
    assertThat(doc.get("rowsToCompute").asLong()).isEqualTo(10);
    assertThat(TextLength.CALLS.get()).isEqualTo(calls);
    try (Connection conn = Geneva.connect(db)) {
      Table t = conn.openTable("docs");
      assertThat(t.version()).isEqualTo(version);
      assertThat(t.countRows("len IS NULL")).isEqualTo(ROWS);
    }
  }

  @Test
  void backfill_whenPlanWithDashboard_exitsWithUsageError() {
    Result r =
        Cli.run(
            "backfill",
            dir.resolve("db").toString(),
            "docs",
            "len",
            "--plan",
            "--dashboard",
            "http://127.0.0.1:1");
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--plan plans here");
  }

  @Test
  void backfill_whenTableMissing_exitsNonZeroWithMessage() {
    Result r = Cli.run("backfill", dir.resolve("db").toString(), "nope", "len");
    assertThat(r.exit()).as(r.toString()).isIn(ExitCodes.USAGE, ExitCodes.ERROR);
    assertThat(r.err()).contains("nope");
  }

  @Test
  void progressBar_whenTerminal_redrawsOneLine() {
    StringWriter s = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(s), true);
    bar.onProgress(new dev.geneva.BackfillProgress("len", 4, 1, 100, 25, 0, Duration.ofSeconds(1)));
    bar.onProgress(
        new dev.geneva.BackfillProgress("len", 4, 4, 100, 100, 4, Duration.ofSeconds(2)));
    bar.finish();
    assertThat(s.toString())
        .startsWith("\r[########                      ] len  25.0%")
        .contains("\r[##############################] len 100.0% 100/100 rows, 4/4 tasks")
        .endsWith(System.lineSeparator())
        .doesNotContain("\n[");
  }
}
