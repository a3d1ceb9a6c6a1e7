package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.PackageDefinition;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayClusterDefinitions;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackageDefinitions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geneva packages list|show|drop} and {@code geneva clusters definitions list|show|drop} on
 * definitions stored in a real database.
 */
class DefinitionsCommandTest {
  @TempDir Path dir;

  private String db() {
    return dir.resolve("db").toString();
  }

  @Test
  void packages_whenDefined_listsShowsAndDropsThem() throws Exception {
    try (Connection conn = Geneva.connect(db())) {
      JobPackageDefinitions.define(conn, "embed-v3", JobPackage.remote("s3://models/embed-v3.zip"));
      JobPackageDefinitions.define(conn, "baked", JobPackage.baked("/opt/geneva/lib"));
    }

    Result list = Cli.run("packages", "list", "--db", db());
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out())
        .startsWith("NAME")
        .containsPattern("baked\\s+image\\s+\\S+\\s+/opt/geneva/lib")
        .containsPattern("embed-v3\\s+remote\\s+\\S+\\s+s3://models/embed-v3.zip");

    Result json = Cli.run("packages", "list", "--db", db(), "--json");
    JsonNode packages = new ObjectMapper().readTree(json.out());
    assertThat(packages).hasSize(2);
    assertThat(packages.findValuesAsText("name")).containsExactly("baked", "embed-v3");

    Result show = Cli.run("packages", "show", "embed-v3", "--db", db());
    assertThat(show.exit()).as(show.toString()).isZero();
    assertThat(show.out()).contains("remote").contains("s3://models/embed-v3.zip");

    Result drop = Cli.run("packages", "drop", "embed-v3", "--db", db());
    assertThat(drop.exit()).as(drop.toString()).isZero();
    assertThat(drop.out()).contains("dropped job package embed-v3");
    try (Connection conn = Geneva.connect(db())) {
      assertThat(JobPackageDefinitions.names(conn)).containsExactly("baked");
    }
  }

  @Test
  void packages_whenNameIsNotDefined_failsNamingTheDefinedOnes() {
    try (Connection conn = Geneva.connect(db())) {
      JobPackageDefinitions.define(conn, "baked", JobPackage.baked("/opt/geneva/lib"));
    }

    Result show = Cli.run("packages", "show", "nope", "--db", db());
    Result drop = Cli.run("packages", "drop", "nope", "--db", db());

    for (Result r : new Result[] {show, drop}) {
      assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
      assertThat(r.err()).contains("no job package definition named 'nope'").contains("[baked]");
    }
  }

  @Test
  void packagesShow_whenAStoredUrlHoldsASecret_printsItMasked() {
    String secret = "X-Amz-Signature=deadbeefcafe";
    try (Connection conn = Geneva.connect(db())) {
      // Written past JobPackageDefinitions' checks, as a raw document could be.
      conn.definePackage(
          "leaky",
          PackageDefinition.of(
              JobPackageDefinitions.KIND,
              JobPackageDefinitions.FORMAT_VERSION,
              "{\"kind\":\"REMOTE\",\"uri\":\"https://alice:hunter2@b.example/jobs.zip?"
                  + secret
                  + "\"}"));
    }

    Result show = Cli.run("packages", "show", "leaky", "--db", db());
    Result list = Cli.run("packages", "list", "--db", db(), "--json");

    for (Result r : new Result[] {show, list}) {
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out() + r.err()).doesNotContain("hunter2").doesNotContain(secret);
    }
    assertThat(show.out()).contains("https://***@b.example/jobs.zip?***");
  }

  @Test
  void clusterDefinitions_whenDefined_listsShowsWithoutEnvValuesAndDrops() throws Exception {
    try (Connection conn = Geneva.connect(db())) {
      RayClusterDefinitions.define(
          conn,
          "gpu-embed",
          RayClusterSpec.builder()
              .name("gpu-embed")
              .namespace("geneva")
              .headGroup(HeadGroupSpec.builder().cpus(1).memoryMiB(2048).build())
              .workerGroup(
                  WorkerGroupSpec.builder()
                      .name("gpu")
                      .minReplicas(0)
                      .maxReplicas(4)
                      .cpus(4)
                      .gpus(1)
                      .memoryMiB(16384)
                      .env("MODEL_ENDPOINT", "https://models.internal/v1/very-private")
                      .build())
              .build());
    }

    Result list = Cli.run("clusters", "definitions", "list", "--db", db());
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).contains("gpu-embed").contains("geneva/gpu-embed").contains("0..4 x 4");

    Result show = Cli.run("clusters", "definitions", "show", "gpu-embed", "--db", db(), "--json");
    assertThat(show.exit()).as(show.toString()).isZero();
    JsonNode d = new ObjectMapper().readTree(show.out());
    assertThat(d.path("cluster").asText()).isEqualTo("geneva/gpu-embed");
    JsonNode gpu = d.path("workerGroups").get(0);
    assertThat(gpu.path("gpus").asInt()).isEqualTo(1);
    assertThat(gpu.path("env").get(0).asText()).isEqualTo("MODEL_ENDPOINT");
    Result text = Cli.run("clusters", "definitions", "show", "gpu-embed", "--db", db());
    assertThat(text.out()).contains("workers:").contains("1 GPU");
    for (Result r : new Result[] {list, show, text}) {
      assertThat(r.out()).doesNotContain("very-private");
    }

    Result missing = Cli.run("clusters", "definitions", "drop", "cpu", "--db", db());
    assertThat(missing.exit()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(missing.err()).contains("no cluster definition named 'cpu'").contains("[gpu-embed]");
    Result drop = Cli.run("clusters", "definitions", "drop", "gpu-embed", "--db", db());
    assertThat(drop.exit()).as(drop.toString()).isZero();
    try (Connection conn = Geneva.connect(db())) {
      assertThat(conn.clusters()).isEmpty();
    }
  }

  @Test
  void packages_whenDbMissing_isAUsageError() {
    Result r = Cli.run("packages", "list");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--db");
  }
}
