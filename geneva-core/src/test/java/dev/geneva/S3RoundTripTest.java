package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.Columns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Create, backfill and reopen a table in S3, served in-process by s3proxy. */
class S3RoundTripTest {
  private static final String ACCESS_KEY = "geneva-test-access";
  private static final String SECRET_KEY = "geneva-test-secret-key";
  private static BlobStoreContext blobs;
  private static S3Proxy proxy;

  @BeforeAll
  static void startS3() throws Exception {
    blobs =
        ContextBuilder.newBuilder("transient")
            .credentials("unused", "unused")
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
    blobs.getBlobStore().createContainerInLocation(null, "lake");
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
    if (blobs != null) {
      blobs.close();
    }
  }

  private static Map<String, String> storageOptions() {
    return Map.of(
        "aws_access_key_id",
        ACCESS_KEY,
        "aws_secret_access_key",
        SECRET_KEY,
        "aws_region",
        "us-east-1",
        "aws_endpoint",
        "http://127.0.0.1:" + proxy.getPort(),
        "allow_http",
        "true",
        "aws_virtual_hosted_style_request",
        "false");
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
