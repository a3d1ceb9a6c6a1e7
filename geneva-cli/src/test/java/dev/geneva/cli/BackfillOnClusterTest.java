package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.ray.driver.InProcessDriver;
import dev.geneva.ray.jobs.FakeRayDashboard;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geneva backfill --dashboard}: the backfill runs as a Ray job, here on geneva-ray-jobs's
 * fake dashboard, whose jobs run the real driver in this JVM on embedded Ray against a real table.
 */
class BackfillOnClusterTest {
  @TempDir Path dir;

  /** Geneva's jars and the class directories: a small package, quick to zip. */
  private static List<String> shipArgs() {
    List<String> args = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      if (p.toFile().isDirectory() || p.getFileName().toString().startsWith("geneva-")) {
        args.add("--ship");
        args.add(e);
      }
    }
    return args;
  }

  @Test
  void backfill_whenDashboardGiven_runsAsRayJobAndEveryRowIsComputed() throws Exception {
    String db = dir.resolve("db").toString();
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", 1_000, 500);
      t.addColumns(Map.of("len", new TextLength()));
    }
    try (FakeRayDashboard dashboard = new FakeRayDashboard()) {
      InProcessDriver driver = new InProcessDriver();
      dashboard.runner = driver;
      List<String> args =
          new ArrayList<>(
              List.of(
                  "backfill",
                  db,
                  "docs",
                  "len",
                  "--dashboard",
                  dashboard.url().toString(),
                  "--json",
                  "--progress",
                  "none"));
      args.addAll(shipArgs());

      Result r = Cli.run(args.toArray(String[]::new));

      assertThat(r.exit()).as(r.toString()).isZero();
      JsonNode doc = new ObjectMapper().readTree(r.out());
      assertThat(doc.get("rowsProcessed").asLong()).isEqualTo(1_000);
      assertThat(dashboard.jobs).hasSize(1);
      assertThat(dashboard.uploads.get()).isEqualTo(1);
    }
    try (Connection conn = Geneva.connect(db)) {
      for (Map<String, Object> row : conn.openTable("docs").head(1_001, "id", "len")) {
        long id = (Long) row.get("id");
        String text = SampleTables.text(id);
        assertThat(row.get("len")).isEqualTo(text == null ? null : text.length());
      }
    }
  }

  @Test
  void backfill_whenShipWithoutDashboard_exitsWithUsageError() {
    Result r = Cli.run("backfill", dir.toString(), "docs", "len", "--ship", "x.jar");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--ship only applies with --dashboard");
  }
}
