package dev.geneva.ray.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillOptions;
import dev.geneva.InvalidInputException;
import dev.geneva.LanceLogging;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packaging, the entrypoint command and the submission, without a cluster. */
class JobPackagingTest {
  @TempDir Path dir;

  private Path classesDir() throws IOException {
    Path classes = dir.resolve("app/target/classes");
    Files.createDirectories(classes.resolve("com/acme"));
    Files.writeString(classes.resolve("com/acme/Udf.class"), "not really bytecode");
    Files.writeString(classes.resolve("app.properties"), "x=1");
    return classes;
  }

  @Test
  void isRayJar_whenRayJarOrRayDist_trueElseFalse() {
    assertThat(JobPackager.isRayJar(Path.of("/m2/io/ray/ray-api/2.39.0/ray-api-2.39.0.jar")))
        .isTrue();
    assertThat(JobPackager.isRayJar(Path.of("/opt/lib/ray-runtime-2.39.0.jar"))).isTrue();
    assertThat(JobPackager.isRayJar(Path.of("/opt/lib/ray_dist.jar"))).isTrue();
    assertThat(JobPackager.isRayJar(Path.of("/m2/com/acme/array-utils-1.0.jar"))).isFalse();
  }

  @Test
  void classpath_whenOnlyTheClientModule_hasNoRayRuntimeAndNoDriver() {
    // This module is the client side of remote backfills, without the Ray runtime: its own tests
    // run on its dependencies alone, which hold neither Ray nor the driver (geneva-ray).
    assertThat(System.getProperty("java.class.path")).doesNotContain("/io/ray/");
    assertThatThrownBy(() -> Class.forName("io.ray.api.Ray"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName(EntrypointBuilder.DRIVER_CLASS))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void build_whenThisJvmsClasspathLacksTheDriver_failsNamingGenevaRay() {
    JobPackager packager = JobPackager.fromClasspath();

    assertThat(packager.ships(EntrypointBuilder.DRIVER_CLASS)).isFalse();
    assertThat(packager.ships(JobPackager.class.getName())).isTrue();
    assertThatThrownBy(packager::build)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(EntrypointBuilder.DRIVER_CLASS)
        .hasMessageContaining("dev.geneva:geneva-ray");
  }

  @Test
  void build_whenGivenEntriesLackTheDriver_isNotChecked() throws Exception {
    assertThat(JobPackager.of(List.of(classesDir())).build().kind())
        .isEqualTo(JobPackage.Kind.UPLOAD);
  }

  @Test
  void build_whenSameInputsTwice_identicalBytesAndContentHashUri() throws Exception {
    Path classes = classesDir();
    Path jar = dir.resolve("lib-1.0.jar");
    Files.write(jar, new byte[] {1, 2, 3, 4});

    JobPackage first = JobPackager.of(List.of(classes, jar)).build();
    Files.setLastModifiedTime(
        classes.resolve("app.properties"), java.nio.file.attribute.FileTime.fromMillis(0));
    JobPackage second = JobPackager.of(List.of(classes, jar)).build();

    assertThat(first.zip().orElseThrow()).isEqualTo(second.zip().orElseThrow());
    assertThat(first.uri()).isEqualTo(second.uri());
    assertThat(first.uri().orElseThrow()).matches("gcs://_ray_pkg_[0-9a-f]{32}\\.zip");
    assertThat(first.kind()).isEqualTo(JobPackage.Kind.UPLOAD);
    List<ZipEntry> entries = entries(first.zip().orElseThrow());
    assertThat(entries).extracting(ZipEntry::getName).isSorted().hasSize(2);
    assertThat(entries).extracting(ZipEntry::getName).noneMatch(n -> n.contains("/"));
    assertThat(entries).extracting(ZipEntry::getName).contains("lib-1.0.jar");
    assertThat(first.entries()).anyMatch(n -> n.matches("app-classes-[0-9a-f]{12}\\.jar"));
    assertThat(entries).allMatch(e -> e.getMethod() == ZipEntry.STORED);
    assertThat(entries)
        .extracting(ZipEntry::getTimeLocal)
        .containsOnly(java.time.LocalDateTime.of(2000, 1, 1, 0, 0));
  }

  @Test
  void build_whenDirectoryOnClasspath_zipsItAsJarWithItsClasses() throws Exception {
    JobPackage p = JobPackager.of(List.of(classesDir())).build();

    byte[] innerJar;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(p.zip().orElseThrow()))) {
      zip.getNextEntry();
      innerJar = zip.readAllBytes();
    }

    assertThat(entries(innerJar))
        .extracting(ZipEntry::getName)
        .containsExactly("app.properties", "com/acme/Udf.class");
  }

  @Test
  void build_whenOnlyRayJars_failsClearly() {
    Path rayJar = dir.resolve("ray-api-2.39.0.jar");

    assertThatThrownBy(() -> JobPackager.of(List.of(rayJar)).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nothing to ship");
  }

  @Test
  void entrypoint_whenWhereHasQuotes_quotesForShellAndRoundTrips() {
    JobPackage pkg = JobPackage.remote("s3://bucket/geneva/job.zip");
    DriverArgs args =
        new DriverArgs(
            "s3://bucket/db/docs.lance",
            "len",
            BackfillOptions.builder()
                .where("lang = 'en' AND id < 10")
                .concurrency(3)
                .commitInterval(Duration.ofSeconds(7))
                .build());

    String cmd = EntrypointBuilder.forPackage(pkg).jvmOptions("-Xmx3g").build(args);
    List<String> words =
        ShellWords.split(cmd, Map.of("RAY_ADDRESS", "10.1.2.3:6379", "RAY_DIST_JAR", "/r.jar"));
    List<String> java = words.subList(words.indexOf("exec") + 1, words.size());
    int main = java.indexOf(EntrypointBuilder.DRIVER_CLASS);
    DriverArgs parsed =
        DriverArgs.parse(java.subList(main + 1, java.size()).toArray(String[]::new));

    assertThat(cmd).startsWith("RAY_DIST_JAR=\"${RAY_DIST_JAR:-$(python -c ");
    assertThat(cmd).contains("\"jars\", \"ray_dist.jar\"");
    assertThat(java).contains("-Xmx3g", "-Dray.address=10.1.2.3:6379");
    assertThat(java).contains("-Dray.job.runtime-env.jars.0=s3://bucket/geneva/job.zip");
    assertThat(java).containsAll(EntrypointBuilder.jvmOpens());
    assertThat(parsed.options().where()).contains("lang = 'en' AND id < 10");
    assertThat(parsed.options().concurrency()).isEqualTo(3);
    assertThat(parsed.options().commitEvery()).isEmpty();
    assertThat(parsed.options().commitInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(parsed.tableName()).isEqualTo("docs");
    assertThat(parsed.databaseUri()).isEqualTo("s3://bucket/db");
  }

  @Test
  void jvmOpens_whenResourceFiltered_matchesRootPomFlags() {
    assertThat(EntrypointBuilder.jvmOpens())
        .contains(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED")
        .allMatch(f -> f.startsWith("--add-opens="));
  }

  @Test
  void entrypoint_whenBakedIntoImage_usesImageDirAndCodeSearchPath() {
    JobPackage pkg = JobPackage.baked("/opt/geneva/lib/");

    String cmd =
        EntrypointBuilder.forPackage(pkg)
            .rayDistJar("/home/ray/ray_dist.jar")
            .build(new DriverArgs("/data/db/t.lance", "c", null));

    assertThat(pkg.runtimeEnv()).isEmpty();
    assertThat(cmd).startsWith("RAY_DIST_JAR=/home/ray/ray_dist.jar && exec java ");
    assertThat(cmd).contains("-cp \"$RAY_DIST_JAR\":'/opt/geneva/lib/*'");
    assertThat(cmd).contains("-Dray.job.code-search-path=/opt/geneva/lib ");
  }

  @Test
  void submission_whenBuilt_passesThisJvmsLanceLogToTheDriver() {
    FakeRayDashboardHolder holder = new FakeRayDashboardHolder();
    try (FakeRayDashboard dashboard = holder.open()) {
      RayJobsClient client = RayJobsClient.builder().dashboardUrl(dashboard.url()).build();
      RayJobBackfill remote =
          RayJobBackfill.builder(client)
              .jobPackage(JobPackage.remote("gs://bucket/pkg.zip"))
              .build();

      JobSubmission s =
          remote.submission("s3://b/db/docs.lance", "len", BackfillOptions.defaults());

      // The build starts tests with the recommended LANCE_LOG, which the job inherits.
      assertThat(System.getenv(LanceLogging.ENV)).isEqualTo(LanceLogging.RECOMMENDED);
      assertThat(s.toJson().path("runtime_env").path("env_vars").path("LANCE_LOG").asText())
          .isEqualTo(LanceLogging.RECOMMENDED);
      assertThat(s.toJson().path("runtime_env").path("env_vars").size()).isEqualTo(1);
    }
  }

  @Test
  void submission_whenStorageOptionsGiven_theyTravelInEnvVarsNotOnCommandLine() {
    FakeRayDashboardHolder holder = new FakeRayDashboardHolder();
    try (FakeRayDashboard dashboard = holder.open()) {
      RayJobsClient client = RayJobsClient.builder().dashboardUrl(dashboard.url()).build();
      RayJobBackfill remote =
          RayJobBackfill.builder(client)
              .jobPackage(JobPackage.remote("gs://bucket/pkg.zip"))
              .storageOptions(Map.of("aws_secret_access_key", "TOPSECRET"))
              .entrypointNumCpus(1)
              .metadata("team", "ml")
              .build();

      JobSubmission s =
          remote.submission("s3://b/db/docs.lance", "len", BackfillOptions.defaults());

      assertThat(s.entrypoint()).doesNotContain("TOPSECRET").doesNotContain("aws_secret");
      assertThat(s.toString()).doesNotContain("TOPSECRET");
      assertThat(s.runtimeEnv()).containsEntry("working_dir", "gs://bucket/pkg.zip");
      assertThat(
              s.toJson()
                  .path("runtime_env")
                  .path("env_vars")
                  .path(DriverArgs.STORAGE_OPTIONS_ENV)
                  .asText())
          .contains("TOPSECRET");
      assertThat(s.metadata())
          .containsEntry("geneva.table", "s3://b/db/docs.lance")
          .containsEntry("geneva.column", "len")
          .containsEntry("team", "ml");
      assertThat(s.toJson().path("entrypoint_num_cpus").asDouble()).isEqualTo(1.0);
      assertThat(s.submissionId()).get().asString().startsWith("geneva-len-");
      assertThat(dashboard.requests).isEmpty();
    }
  }

  private static List<ZipEntry> entries(byte[] zip) throws IOException {
    List<ZipEntry> out = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.add(e);
      }
    }
    return out;
  }

  /** Opens a fake dashboard, wrapping the checked exception. */
  private static final class FakeRayDashboardHolder {
    FakeRayDashboard open() {
      try {
        return new FakeRayDashboard();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  static {
    assertThat(File.pathSeparator).isNotEmpty();
  }
}
