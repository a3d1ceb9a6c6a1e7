package dev.geneva.ray.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.EntrypointBuilder;
import dev.geneva.ray.jobs.JobPackager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver against what geneva-ray-jobs (the client, without Ray) says about it: its class name,
 * its environment and exit codes, and the package of a classpath holding geneva-ray.
 */
class DriverTest {
  @TempDir Path dir;

  @Test
  void driverClass_whenNamedByTheClient_isThisClass() {
    assertThat(EntrypointBuilder.DRIVER_CLASS).isEqualTo(BackfillDriver.class.getName());
  }

  @Test
  void constants_whenComparedWithTheClients_areTheSame() {
    assertThat(BackfillDriver.STORAGE_OPTIONS_ENV).isEqualTo(DriverArgs.STORAGE_OPTIONS_ENV);
    assertThat(BackfillDriver.STORAGE_OPTIONS_FILE_ENV)
        .isEqualTo(DriverArgs.STORAGE_OPTIONS_FILE_ENV);
    assertThat(List.of(BackfillDriver.EXIT_FAILED, BackfillDriver.EXIT_USAGE))
        .containsExactly(DriverArgs.EXIT_FAILED, DriverArgs.EXIT_USAGE);
    assertThat(BackfillDriver.EXIT_STOPPED).isEqualTo(DriverArgs.EXIT_STOPPED);
  }

  @Test
  void fromClasspath_whenGenevaRayPresent_shipsTheDriverButNotRaysJars() {
    JobPackager packager = JobPackager.fromClasspath();
    List<Path> shipped = packager.entriesToShip();

    assertThat(System.getProperty("java.class.path")).contains("ray-runtime-2.39.0.jar");
    assertThat(shipped).isNotEmpty().noneMatch(JobPackager::isRayJar);
    assertThat(shipped.stream().map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.startsWith("ray-api") || n.startsWith("ray-runtime"))
        .anyMatch(n -> n.startsWith("lance-core"));
    assertThat(packager.ships(EntrypointBuilder.DRIVER_CLASS)).isTrue();
  }

  @Test
  void run_whenStorageOptionsFileGiven_readsItAndNeverPrintsValues() throws Exception {
    Path file = dir.resolve("storage.json");
    Files.writeString(
        file, "{\"aws_region\":\"us-east-1\",\"aws_secret_access_key\":\"TOPSECRET\"}");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code =
        BackfillDriver.run(
            new String[] {dir.resolve("missing").toString() + "/docs.lance", "len"},
            Map.of(DriverArgs.STORAGE_OPTIONS_FILE_ENV, file.toString()),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            (address, allocator) -> {
              throw new AssertionError("no executor is needed for a missing table");
            });

    String logs = out.toString(StandardCharsets.UTF_8);
    assertThat(code).isIn(DriverArgs.EXIT_USAGE, DriverArgs.EXIT_FAILED);
    assertThat(logs).contains("storage options [aws_region, aws_secret_access_key]");
    assertThat(logs).doesNotContain("TOPSECRET");
    assertThat(logs).contains("GENEVA_ERROR {\"type\":\"dev.geneva.");
  }

  @Test
  void run_whenArgumentsBad_printsErrorLineAndUsageExitCode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code =
        BackfillDriver.run(
            new String[] {"/db/t.lance", "c", "--concurrency", "many"},
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            BackfillDriver.RAY);

    assertThat(code).isEqualTo(DriverArgs.EXIT_USAGE);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("GENEVA_ERROR")
        .contains("--concurrency needs a number, got 'many'");
  }
}
