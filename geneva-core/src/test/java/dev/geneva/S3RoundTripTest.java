package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.Columns;
import dev.geneva.testing.InProcessS3;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.util.Map;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Create, backfill and reopen a table in S3, served in-process by s3proxy. */
class S3RoundTripTest {
  private static final String ACCESS_KEY = "geneva-test-access";
  private static final String SECRET_KEY = "geneva-test-secret-key";
  private static InProcessS3 s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = InProcessS3.start(ACCESS_KEY, SECRET_KEY, "lake");
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  private static Map<String, String> storageOptions() {
    return s3.storageOptions(ACCESS_KEY, SECRET_KEY);
  }

  @Test
  void backfill_whenTableInS3_valuesSurviveReopenInANewConnection() {
    try (Connection db = Geneva.connect("s3://lake/db", storageOptions())) {
      Table t = SampleTables.create(db, "docs", 3_000, 1_000);
      t.delete("id % 5 = 0");
      t.addColumns(Map.of("len", new TextLength()));
      BackfillResult r = t.backfill("len", BackfillOptions.builder().concurrency(2).build());
      assertThat(r.rowsProcessed()).isEqualTo(2_400);
      assertThat(db.tableNames()).containsExactly("docs");
    }
    assertThat(s3.blobStore().list("lake", ListContainerOptions.Builder.recursive()))
        .as("checkpoints are deleted once everything is committed")
        .isNotEmpty()
        .noneMatch(blob -> blob.getName().contains("_geneva/checkpoints/"));

    try (Connection db = Geneva.connect("s3://lake/db", storageOptions())) {
      Table t = db.openTable("docs");
      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(2_400);
      len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
      assertThat(t.schema().findField("len").getMetadata())
          .containsEntry("geneva.udf.class", TextLength.class.getName());
    }
  }
}
