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
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackageDefinitions;
import dev.geneva.ray.jobs.JobPackager;
import dev.geneva.testing.LanceColumns;
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
  void backfill_whenPackageNamed_shipsTheStoredPackageAndUploadsNothing() throws Exception {
    String db = dir.resolve("db").toString();
    String url = "gcs://_ray_pkg_stored-embed.zip";
    List<Path> jars = new ArrayList<>();
    for (int i = 1; i < shipArgs().size(); i += 2) {
      jars.add(Path.of(shipArgs().get(i)));
    }
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", 600, 300);
      t.addColumns(Map.of("len", new TextLength()));
      JobPackageDefinitions.define(conn, "embed-v3", JobPackage.remote(url));
    }
    try (FakeRayDashboard dashboard = new FakeRayDashboard()) {
      // The zip is already in the cluster's package store, as after an earlier upload.
      dashboard.packages.put(url, JobPackager.of(jars).build().zip().orElseThrow());
      dashboard.runner = new InProcessDriver();

      Result r =
          Cli.run(
              "backfill",
              db,
              "docs",
              "len",
              "--dashboard",
              dashboard.url().toString(),
              "--package",
              "embed-v3",
              "--json",
              "--progress",
              "none");

      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(new ObjectMapper().readTree(r.out()).get("rowsProcessed").asLong()).isEqualTo(600);
      assertThat(dashboard.uploads.get()).isZero();
      assertThat(dashboard.jobs.values())
          .singleElement()
          .satisfies(
              j ->
                  assertThat(j.request.path("runtime_env").path("working_dir").asText())
                      .isEqualTo(url));
    }
    Map<Long, Object> len = LanceColumns.byId(db + "/docs.lance", "len");
    assertThat(len).hasSize(600);
    len.forEach(
        (id, v) -> {
          String text = SampleTables.text(id);
          assertThat(v).as("len of id %d", id).isEqualTo(text == null ? null : text.length());
        });
  }

  @Test
  void backfill_whenPackageIsNotDefinedOrNotOnACluster_failsBeforeAnything() throws Exception {
    String db = dir.resolve("db").toString();
    try (Connection conn = Geneva.connect(db)) {
      Table t = SampleTables.create(conn, "docs", 30, 30);
      t.addColumns(Map.of("len", new TextLength()));
      JobPackageDefinitions.define(conn, "in-image", JobPackage.baked("/opt/geneva/lib"));
    }
    try (FakeRayDashboard dashboard = new FakeRayDashboard()) {
      Result missing =
          Cli.run(
              "backfill",
              db,
              "docs",
              "len",
              "--dashboard",
              dashboard.url().toString(),
              "--package",
              "embed-v4");
      assertThat(missing.exit()).as(missing.toString()).isNotZero();
      assertThat(missing.err())
          .contains("no job package definition named 'embed-v4'")
          .contains("[in-image]");
      assertThat(dashboard.jobs).isEmpty();
    }
    Result local = Cli.run("backfill", db, "docs", "len", "--package", "in-image");
    assertThat(local.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(local.err()).contains("--package only applies with --dashboard, --cluster");
    Result both =
        Cli.run(
            "backfill",
            db,
            "docs",
            "len",
            "--detached",
            "--job-package",
            "/opt/x",
            "--package",
            "in-image");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("give one of them");
    try (Connection conn = Geneva.connect(db)) {
      assertThat(conn.openTable("docs").countRows("len IS NULL")).isEqualTo(30);
    }
  }

  @Test
  void backfill_whenShipWithoutDashboard_exitsWithUsageError() {
    Result r = Cli.run("backfill", dir.toString(), "docs", "len", "--ship", "x.jar");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--ship only applies with --dashboard");
  }
}
