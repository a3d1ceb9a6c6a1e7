package dev.geneva.ray.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.PackageDefinition;
import dev.geneva.StoredPackage;
import dev.geneva.testing.SampleTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named job packages stored in a real Lance database, read back by a new connection. */
class JobPackageDefinitionsTest {
  @TempDir Path dir;

  private static PackageDefinition doc(String kind, String json) {
    return PackageDefinition.of(kind, 1, json);
  }

  @Test
  void define_whenRemoteAndBaked_storesThemBesideTablesAndLoadsThemByName() {
    String uri = dir.resolve("db").toString();
    try (Connection db = Geneva.connect(uri)) {
      SampleTables.create(db, "docs", 10, 10);
      JobPackageDefinitions.define(
          db, "embed-v3", JobPackage.remote("s3://models/geneva/embed-v2.zip"));
      JobPackageDefinitions.define(db, "in-image", JobPackage.baked("/opt/geneva/lib/"));
      JobPackageDefinitions.define(
          db, "embed-v3", JobPackage.remote("s3://models/geneva/embed-v3.zip"));
      JobPackageDefinitions.define(db, "old", JobPackage.baked("/opt/old"));
      assertThat(db.dropPackage("old")).isTrue();
      assertThat(db.dropPackage("never-defined")).isFalse();
    }

    try (Connection db = Geneva.connect(uri)) {
      assertThat(db.tableNames()).containsExactly("docs");
      assertThat(db.clusters()).isEmpty();
      assertThat(JobPackageDefinitions.names(db)).containsExactly("embed-v3", "in-image");
      JobPackage remote = JobPackageDefinitions.load(db, "embed-v3");
      assertThat(remote.kind()).isEqualTo(JobPackage.Kind.REMOTE);
      assertThat(remote.uri()).contains("s3://models/geneva/embed-v3.zip");
      assertThat(remote.workerJarProperties())
          .containsExactly("-Dray.job.runtime-env.jars.0=s3://models/geneva/embed-v3.zip");
      JobPackage baked = JobPackageDefinitions.load(db, "in-image");
      assertThat(baked.kind()).isEqualTo(JobPackage.Kind.IMAGE);
      assertThat(baked.imageDirectory()).contains("/opt/geneva/lib");
      assertThat(baked.driverClasspath()).isEqualTo("/opt/geneva/lib/*");
      StoredPackage stored = db.storedPackage("embed-v3").orElseThrow();
      assertThat(stored.kind()).isEqualTo(JobPackageDefinitions.KIND);
      assertThat(stored.formatVersion()).isEqualTo(JobPackageDefinitions.FORMAT_VERSION);
    }

    // Plain lance-core sees one appended row per define and drop.
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri + "/_geneva/packages.lance", allocator)) {
      assertThat(ds.countRows()).isEqualTo(5);
    }
  }

  @Test
  void define_whenUploadedPackageOrSecretUrl_refusesAndStoresNothing() throws Exception {
    Path jar = Files.write(dir.resolve("udfs.jar"), new byte[] {1});
    JobPackage uploaded = JobPackager.of(List.of(jar)).build();
    try (Connection db = Geneva.connect(dir.resolve("db").toString())) {
      assertThatThrownBy(() -> JobPackageDefinitions.define(db, "local", uploaded))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("cannot be stored")
          .hasMessageContaining("JobPackage.remote(");
      String presigned =
          "https://bucket.s3.amazonaws.com/jobs.zip?X-Amz-Signature=abc123secret&x=y.zip";
      assertThatThrownBy(
              () -> JobPackageDefinitions.define(db, "signed", JobPackage.remote(presigned)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("query string")
          .hasMessageContaining("https://bucket.s3.amazonaws.com/jobs.zip")
          .hasMessageNotContaining("abc123secret");
      assertThatThrownBy(
              () ->
                  JobPackageDefinitions.define(
                      db, "userinfo", JobPackage.remote("https://me:hunter2@host/jobs.zip")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("user info")
          .hasMessageNotContaining("hunter2");
      assertThatThrownBy(
              () -> JobPackageDefinitions.define(db, "Bad_Name", JobPackage.baked("/opt/x")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("invalid job package definition name 'Bad_Name'");
      assertThat(db.packages()).isEmpty();
    }
  }

  @Test
  void load_whenMissingOrAnotherKind_failsNamingWhatExists() {
    try (Connection db = Geneva.connect(dir.resolve("db").toString())) {
      JobPackageDefinitions.define(db, "embed-v3", JobPackage.baked("/opt/geneva/lib"));
      db.definePackage("conda", doc("example/CondaEnv", "{\"env\": \"x\"}"));
      db.definePackage("future", doc(JobPackageDefinitions.KIND, "{\"kind\": \"OCI\"}"));

      assertThatThrownBy(() -> JobPackageDefinitions.load(db, "embed-v4"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("no job package definition named 'embed-v4'")
          .hasMessageContaining("[embed-v3, future]");
      assertThatThrownBy(() -> JobPackageDefinitions.load(db, "conda"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("'conda' is a example/CondaEnv, not a geneva/JobPackage");
      assertThatThrownBy(() -> JobPackageDefinitions.load(db, "future"))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("package kind 'OCI'");
      assertThatThrownBy(() -> db.definePackage("bad", doc("x", "[1]")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("definePackage 'bad': the definition must be a JSON object");
    }
  }
}
