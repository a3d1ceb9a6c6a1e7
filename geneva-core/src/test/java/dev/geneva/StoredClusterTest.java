package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.InProcessS3;
import dev.geneva.testing.SampleTables;
import org.junit.jupiter.api.Test;

/** Opaque, versioned cluster documents stored in the database, in S3 served by s3proxy. */
class StoredClusterTest {

  private static ClusterDefinition doc(String json) {
    return new ClusterDefinition() {
      @Override
      public String kind() {
        return "example/Cluster";
      }

      @Override
      public int formatVersion() {
        return 2;
      }

      @Override
      public String toJson() {
        return json;
      }
    };
  }

  @Test
  void defineCluster_whenDatabaseInS3_isStoredBesideTablesAndNotListedAsOne() throws Exception {
    try (InProcessS3 s3 = InProcessS3.start("defs-access", "defs-secret-key", "lake")) {
      try (Connection db =
          Geneva.connect("s3://lake/db", s3.storageOptions("defs-access", "defs-secret-key"))) {
        SampleTables.create(db, "docs", 10, 10);
        db.defineCluster("gpu-embed", doc("{\"workers\": 4}"));
        db.defineCluster("cpu", doc("{\"workers\": 1}"));
        db.defineCluster("gpu-embed", doc("{\"workers\": 8}"));
        assertThat(db.tableNames()).containsExactly("docs");
      }
      try (Connection db =
          Geneva.connect("s3://lake/db", s3.storageOptions("defs-access", "defs-secret-key"))) {
        assertThat(db.clusters())
            .extracting(StoredCluster::name)
            .containsExactly("cpu", "gpu-embed");
        StoredCluster c = db.cluster("gpu-embed").orElseThrow();
        assertThat(c.json()).isEqualTo("{\"workers\": 8}");
        assertThat(c.kind()).isEqualTo("example/Cluster");
        assertThat(c.formatVersion()).isEqualTo(2);
        assertThat(db.dropCluster("cpu")).isTrue();
        assertThat(db.clusters()).extracting(StoredCluster::name).containsExactly("gpu-embed");
      }
      assertThat(
              s3.blobStore()
                  .list(
                      "lake",
                      org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()))
          .anyMatch(b -> b.getName().startsWith("db/_geneva/clusters.lance/"));
    }
  }

  @Test
  void defineCluster_whenNameOrDocumentIsBad_failsNamingTheRule() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("geneva-clusters");
    try (Connection db = Geneva.connect(dir.toString())) {
      assertThatThrownBy(() -> db.defineCluster("GPU", doc("{}")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("lower-case");
      assertThatThrownBy(() -> db.defineCluster("gpu", doc("[1]")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("JSON object");
      assertThat(db.clusters()).isEmpty();
    } finally {
      try (var files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
