package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.Columns;
import dev.geneva.testing.InProcessS3;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Storage options that change during a run, as short-lived credentials do, on s3proxy. */
class StorageOptionsProviderTest {
  private InProcessS3 s3;

  @BeforeEach
  void startS3() throws Exception {
    s3 = InProcessS3.start("key-0", "secret-0", "lake");
  }

  @AfterEach
  void stopS3() throws Exception {
    s3.close();
  }

  /**
   * Issues a new key pair every few calls, as an STS session renewed before it expires; a key stays
   * valid until the one after its successor is issued (a renewed session's predecessor expires a
   * little later), then the server rejects it.
   */
  private static final class RotatingKeys implements StorageOptionsProvider {
    private final InProcessS3 s3;
    private final int callsPerKey;
    private final List<String> issued = new ArrayList<>(List.of("key-0"));
    private int calls;

    RotatingKeys(InProcessS3 s3, int callsPerKey) {
      this.s3 = s3;
      this.callsPerKey = callsPerKey;
    }

    @Override
    public synchronized Map<String, String> resolveStorageOptions() {
      if (++calls % callsPerKey == 0) {
        int n = issued.size();
        s3.allowKey("key-" + n, "secret-" + n);
        issued.add("key-" + n);
        if (n >= 2) {
          s3.revokeKey("key-" + (n - 2));
        }
      }
      int current = issued.size() - 1;
      return s3.storageOptions("key-" + current, "secret-" + current);
    }

    synchronized List<String> issued() {
      return List.copyOf(issued);
    }

    @Override
    public String toString() {
      return "RotatingKeys";
    }
  }

  @Test
  void backfill_whenCredentialsRotateDuringRun_tasksGetCurrentKeysAndRunFinishes() {
    RotatingKeys keys = new RotatingKeys(s3, 3);
    ConnectOptions options = ConnectOptions.builder().storageOptionsProvider(keys).build();

    try (Connection db = Geneva.connect("s3://lake/db", options)) {
      Table t = SampleTables.create(db, "docs", 2_400, 300);
      t.addColumns(Map.of("len", new TextLength()));
      BackfillResult r =
          t.backfill("len", BackfillOptions.builder().concurrency(1).commitEvery(2).build());

      assertThat(r.rowsProcessed()).isEqualTo(2_400);
      Map<Long, Object> len = Columns.byId(db.openTable("docs"), "len");
      assertThat(len).hasSize(2_400);
      len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
    }

    // The run outlived several keys, and never used one the server had revoked.
    assertThat(keys.issued()).hasSizeGreaterThan(6);
    assertThat(s3.rejectedRequests()).isZero();
    // The first key really is dead: options fixed at connect time would have failed.
    Map<String, String> stale = s3.storageOptions("key-0", "secret-0");
    try (Connection db = Geneva.connect("s3://lake/db", stale)) {
      assertThatThrownBy(() -> db.openTable("docs")).hasMessageContaining("InvalidAccessKeyId");
    }
  }

  @Test
  void backfill_whenProviderFailsMidRun_failsNamingItAndRerunResumes() {
    AtomicBoolean stsDown = new AtomicBoolean();
    StorageOptionsProvider flaky =
        new StorageOptionsProvider() {
          @Override
          public Map<String, String> resolveStorageOptions() {
            if (stsDown.get()) {
              throw new IllegalStateException("STS is unreachable");
            }
            return s3.storageOptions("key-0", "secret-0");
          }

          @Override
          public String toString() {
            return "FlakyProvider";
          }
        };
    BackfillListener downAfterFirstCommit =
        new BackfillListener() {
          @Override
          public void onProgress(BackfillProgress progress) {}

          @Override
          public void onCommit(long version, int fragments) {
            stsDown.set(true);
          }
        };

    try (Connection db =
        Geneva.connect(
            "s3://lake/db", ConnectOptions.builder().storageOptionsProvider(flaky).build())) {
      Table t = SampleTables.create(db, "docs", 1_200, 300);
      t.addColumns(Map.of("len", new TextLength()));
      BackfillOptions sequential = BackfillOptions.builder().concurrency(1).commitEvery(1).build();

      assertThatThrownBy(
              () ->
                  t.backfill("len", sequential.toBuilder().listener(downAfterFirstCommit).build()))
          .isInstanceOf(BackfillFailedException.class)
          .hasMessageContaining("storage options provider FlakyProvider failed: STS is unreachable")
          .hasMessageContaining("run the backfill again");

      stsDown.set(false);
      Table reopened = db.openTable("docs");
      assertThat(reopened.countRows("len IS NOT NULL")).as("the first fragment stays").isPositive();
      BackfillResult rerun = reopened.backfill("len", sequential);
      assertThat(rerun.rowsProcessed()).isLessThan(1_200);
      Map<Long, Object> len = Columns.byId(reopened, "len");
      assertThat(len).hasSize(1_200);
      len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
    }
  }

  @Test
  void tableNames_whenProviderThrows_errorNamesProviderAndCause() {
    StorageOptionsProvider broken =
        new StorageOptionsProvider() {
          @Override
          public Map<String, String> resolveStorageOptions() {
            throw new IllegalStateException("no credentials in the environment");
          }

          @Override
          public String toString() {
            return "BrokenProvider";
          }
        };

    try (Connection db =
        Geneva.connect(
            "s3://lake/db", ConnectOptions.builder().storageOptionsProvider(broken).build())) {
      assertThatThrownBy(db::tableNames)
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("storage options provider BrokenProvider failed")
          .hasMessageContaining("no credentials in the environment");
    }
  }

  @Test
  void resolveStorageOptions_whenProviderSet_layersItsOptionsOverFixedOnes() {
    ConnectOptions options =
        ConnectOptions.builder()
            .storageOption("aws_region", "us-east-1")
            .storageOption("aws_access_key_id", "fixed")
            .storageOptionsProvider(() -> Map.of("aws_access_key_id", "fresh"))
            .build();

    assertThat(options.resolveStorageOptions())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("aws_region", "us-east-1", "aws_access_key_id", "fresh"));
    assertThat(options.storageOptions()).containsEntry("aws_access_key_id", "fixed");
    assertThat(options.toBuilder().build()).isEqualTo(options);
    assertThat(options.toString()).doesNotContain("fresh", "fixed");
    assertThat(options.resolveStorageOptions().toString())
        .isEqualTo("{aws_access_key_id=***, aws_region=***}");
  }

  @Test
  void resolveStorageOptions_whenProviderReturnsNull_saysWhatItMustReturn() {
    ConnectOptions options = ConnectOptions.builder().storageOptionsProvider(() -> null).build();

    assertThatThrownBy(options::resolveStorageOptions)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("returned null");
  }
}
