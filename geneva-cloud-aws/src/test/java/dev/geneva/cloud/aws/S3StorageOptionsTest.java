package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillListener;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.CreateTableOptions;
import dev.geneva.Geneva;
import dev.geneva.InvalidInputException;
import dev.geneva.Table;
import dev.geneva.testing.InProcessS3;
import dev.geneva.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class S3StorageOptionsTest {
  private static final String ACCESS_KEY = "aws-test-access";
  private static final String SECRET_KEY = "aws-test-secret-key";
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

  private static S3StorageOptions.Builder options() {
    return S3StorageOptions.builder()
        .credentials(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY))
        .region("us-east-1")
        .endpoint(s3.endpoint())
        .pathStyle(true);
  }

  private static Table createTable(Connection db, int rows) throws Exception {
    return createTable(db, rows, rows);
  }

  private static Table createTable(Connection db, int rows, int rowsPerFragment) throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, db.allocator());
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, ipc)) {
      writer.start();
      BigIntVector id = (BigIntVector) root.getVector("id");
      root.allocateNew();
      for (int i = 0; i < rows; i++) {
        id.setSafe(i, i);
      }
      root.setRowCount(rows);
      writer.writeBatch();
      writer.end();
    }
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), db.allocator())) {
      return db.createTable(
          "numbers", reader, CreateTableOptions.builder().maxRowsPerFile(rowsPerFragment).build());
    }
  }

  @Test
  void toMap_whenBackfillingTableInS3_valuesSurviveReopen() throws Exception {
    ConnectOptions connect =
        ConnectOptions.builder().storageOptions(options().build().toMap()).build();
    try (Connection db = Geneva.connect("s3://lake/db", connect)) {
      Table t = createTable(db, 500);
      t.addColumns(Map.of("twice", new DoubleId()));
      BackfillResult r = t.backfill("twice");
      assertThat(r.rowsProcessed()).isEqualTo(500);
    }

    try (Connection db = Geneva.connect("s3://lake/db", connect)) {
      List<Map<String, Object>> rows = db.openTable("numbers").head(500, "id", "twice");
      assertThat(rows).hasSize(500);
      rows.forEach(row -> assertThat(row.get("twice")).isEqualTo(2 * (Long) row.get("id")));
    }
  }

  @Test
  void resolveStorageOptions_whenRoleSessionExpiresMidBackfill_remainingTasksUseRenewedSession()
      throws Exception {
    try (FakeAws aws = new FakeAws()) {
      MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
      aws.clock = clock;
      EksAuth auth = aws.eksAuth().clock(clock).build();
      // The bucket accepts the role's sessions only, as a bucket policy for the role would.
      s3.allowKey("ASIAFAKEKEY1", "fake-secret-1");
      S3StorageOptions provider = options().credentialsProvider(auth.credentialsProvider()).build();
      ConnectOptions connect = ConnectOptions.builder().storageOptionsProvider(provider).build();
      // After the first commit an hour passes: the first session expires (the bucket refuses it
      // from then on) and STS will issue the second.
      BackfillListener anHourLater =
          new BackfillListener() {
            @Override
            public void onProgress(BackfillProgress progress) {}

            @Override
            public void onCommit(long version, int fragments) {
              if (aws.count("AssumeRole") == 1) {
                clock.advance(Duration.ofMinutes(61));
                s3.revokeKey("ASIAFAKEKEY1");
                s3.allowKey("ASIAFAKEKEY2", "fake-secret-2");
              }
            }
          };

      try (Connection db = Geneva.connect("s3://lake/renewed", connect)) {
        Table t = createTable(db, 300, 100);
        t.addColumns(Map.of("twice", new DoubleId()));
        BackfillResult r =
            t.backfill(
                "twice",
                BackfillOptions.builder()
                    .concurrency(1)
                    .commitEvery(1)
                    .listener(anHourLater)
                    .build());

        assertThat(r.rowsProcessed()).isEqualTo(300);
        assertThat(r.commits()).isEqualTo(3);
        db.openTable("numbers")
            .head(300, "id", "twice")
            .forEach(row -> assertThat(row.get("twice")).isEqualTo(2 * (Long) row.get("id")));
      } finally {
        s3.revokeKey("ASIAFAKEKEY2");
      }

      assertThat(aws.count("AssumeRole")).isEqualTo(2);
      assertThat(provider.resolveStorageOptions())
          .containsEntry("aws_access_key_id", "ASIAFAKEKEY2")
          .containsEntry("aws_session_token", "fake-session-token-2");
      assertThat(s3.rejectedRequests()).isZero();
    }
  }

  @Test
  void toMap_whenPathStyleHttpEndpoint_setsLanceOptions() {
    Map<String, String> m = options().build().toMap();

    assertThat(m)
        .containsEntry("aws_access_key_id", ACCESS_KEY)
        .containsEntry("aws_secret_access_key", SECRET_KEY)
        .containsEntry("aws_region", "us-east-1")
        .containsEntry("aws_endpoint", s3.endpoint().toString())
        .containsEntry("allow_http", "true")
        .containsEntry("aws_virtual_hosted_style_request", "false")
        .doesNotContainKey("aws_session_token");
  }

  @Test
  void toMap_whenSessionCredentialsAndAwsS3_addsTokenAndNoEndpointOptions() {
    Map<String, String> m =
        S3StorageOptions.builder()
            .credentials(AwsSessionCredentials.create("ASIAX", "sess-secret", "sess-token"))
            .region("eu-west-2")
            .build()
            .toMap();

    assertThat(m)
        .containsOnlyKeys(
            "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region")
        .containsEntry("aws_session_token", "sess-token");
    assertThat(m.toString()).doesNotContain("sess-secret", "sess-token", "ASIAX").contains("***");
  }

  @Test
  void build_whenRegionOrCredentialsMissing_namesSetting() {
    assertThatThrownBy(() -> options().region(null).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("S3StorageOptions region is not set");
    assertThatThrownBy(() -> options().credentialsProvider(null).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("S3StorageOptions credentials are not set");
  }
}
