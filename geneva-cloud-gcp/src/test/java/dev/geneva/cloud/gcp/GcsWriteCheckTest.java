package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.cloud.gcp.testing.FakeGcs;
import dev.geneva.cloud.gcp.testing.FakeGoogle;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GcsWriteCheck} through google-cloud-storage's HTTP client against a fake JSON API. */
class GcsWriteCheckTest {
  FakeGoogle google;
  FakeGcs gcs;

  @BeforeEach
  void start() throws IOException {
    google = new FakeGoogle();
    gcs = new FakeGcs();
  }

  @AfterEach
  void stop() {
    gcs.close();
    google.close();
  }

  private GcsWriteCheck.Builder check(String uri) {
    return GcsWriteCheck.builder().tableUri(uri).credentials(google.credentials()).host(gcs.host());
  }

  @Test
  void run_whenBucketWritable_writesReadsAndDeletesProbeUnderTable() {
    gcs.bucket("lake", FakeGcs.Mode.ALLOW_ALL);

    GcsCheckReport report = check("gs://lake/db").build().run();

    assertThat(report.ok()).as(report.message()).isTrue();
    assertThat(report.failedStep()).isEmpty();
    assertThat(report.bucket()).isEqualTo("lake");
    assertThat(report.objectName()).matches("db/_geneva/probe-[0-9a-f\\-]{36}");
    assertThat(report.principal()).isEqualTo("serviceAccount:" + FakeGoogle.SA_EMAIL);
    assertThat(gcs.objects()).isEmpty();
    assertThat(gcs.requests())
        .hasSize(3)
        .satisfiesExactly(
            r ->
                assertThat(r)
                    .startsWith("POST /upload/storage/v1/b/lake/o?")
                    .contains("uploadType=multipart"),
            r ->
                assertThat(r)
                    .startsWith("GET /download/storage/v1/b/lake/o/db%2F_geneva%2Fprobe-")
                    .contains("alt=media"),
            r -> assertThat(r).startsWith("DELETE /storage/v1/b/lake/o/db%2F_geneva%2Fprobe-"));
    assertThat(gcs.authorizations()).containsOnly("Bearer " + google.issuedTokens().get(0));
    assertThat(report.throwIfFailed()).isSameAs(report);
  }

  @Test
  void run_whenServiceAccountKeyFile_checksAsItsServiceAccount(@TempDir Path dir)
      throws IOException {
    gcs.bucket("lake", FakeGcs.Mode.ALLOW_ALL);
    Path key = google.writeServiceAccountKey(dir.resolve("key.json"));

    GcsCheckReport report =
        GcsWriteCheck.builder()
            .tableUri("gs://lake/db")
            .serviceAccountKeyFile(key)
            .host(gcs.host())
            .build()
            .run();

    assertThat(report.ok()).as(report.message()).isTrue();
    assertThat(report.principal()).isEqualTo("serviceAccount:" + FakeGoogle.SA_EMAIL);
    assertThat(google.issuedTokens()).hasSize(1);
    assertThat(gcs.authorizations()).containsOnly("Bearer " + google.issuedTokens().get(0));
  }

  @Test
  void run_whenTokenEndpointRefusesKey_saysCredentialsRejectedNotNetwork() {
    gcs.bucket("lake", FakeGcs.Mode.ALLOW_ALL);
    google.rejectGrant(true);

    GcsCheckReport report = check("gs://lake/db").build().run();

    assertThat(report.ok()).isFalse();
    assertThat(report.failedStep()).contains(GcsCheckReport.Step.WRITE);
    assertThat(report.httpStatus()).isEqualTo(401);
    assertThat(report.message())
        .contains("Google rejected the credentials of serviceAccount:" + FakeGoogle.SA_EMAIL)
        .contains("a new key")
        .doesNotContain("network access");
  }

  @Test
  void run_whenBucketNotWritable_reportsBucketPrincipalAndMissingRole() {
    gcs.bucket("lake", FakeGcs.Mode.DENY_WRITE);

    GcsCheckReport report = check("gs://lake/db").build().run();

    assertThat(report.ok()).isFalse();
    assertThat(report.failedStep()).contains(GcsCheckReport.Step.WRITE);
    assertThat(report.httpStatus()).isEqualTo(403);
    assertThat(report.missingRole()).contains("roles/storage.objectAdmin");
    assertThat(report.message())
        .contains("bucket 'lake'")
        .contains("serviceAccount:" + FakeGoogle.SA_EMAIL + " lacks storage.objects.create")
        .contains(
            "gcloud storage buckets add-iam-policy-binding gs://lake --member=serviceAccount:"
                + FakeGoogle.SA_EMAIL
                + " --role=roles/storage.objectAdmin")
        .contains("roles/iam.workloadIdentityUser");
    assertThatThrownBy(report::throwIfFailed)
        .isInstanceOf(GcsAccessException.class)
        .hasMessage(report.message());
  }

  @Test
  void run_whenDeleteDenied_namesDeletePermissionAndLeftoverProbe() {
    gcs.bucket("lake", FakeGcs.Mode.DENY_DELETE);

    GcsCheckReport report = check("gs://lake/db").build().run();

    assertThat(report.failedStep()).contains(GcsCheckReport.Step.DELETE);
    assertThat(report.missingRole()).contains("roles/storage.objectAdmin");
    assertThat(report.message())
        .contains("lacks storage.objects.delete")
        .contains("may be left behind")
        .contains("gs://lake/" + report.objectName());
  }

  @Test
  void run_whenBucketMissing_saysCreateItOrFixUri() {
    GcsCheckReport report = check("gs://nope/db").build().run();

    assertThat(report.failedStep()).contains(GcsCheckReport.Step.WRITE);
    assertThat(report.httpStatus()).isEqualTo(404);
    assertThat(report.missingRole()).isEmpty();
    assertThat(report.message()).contains("Bucket 'nope' does not exist");
  }

  @Test
  void run_whenGivenPrincipal_namesItInGrant() {
    gcs.bucket("lake", FakeGcs.Mode.DENY_WRITE);

    GcsCheckReport report =
        check("gs://lake").principal("ray@p.iam.gserviceaccount.com").build().run();

    assertThat(report.objectName()).startsWith("_geneva/probe-");
    assertThat(report.message()).contains("--member=serviceAccount:ray@p.iam.gserviceaccount.com");
  }

  @Test
  void run_whenNoCredentials_throwsWithFix() {
    GcsWriteCheck check =
        check("gs://lake/db")
            .credentialsSource(
                () -> {
                  throw new IOException("Your default credentials were not found.");
                })
            .build();

    assertThatThrownBy(check::run)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("GCS write check of gs://lake/db")
        .hasMessageContaining("GOOGLE_APPLICATION_CREDENTIALS");
    assertThat(gcs.requests()).isEmpty();
  }

  @Test
  void build_whenNotGsUri_namesFieldAndForm() {
    assertThatThrownBy(() -> GcsWriteCheck.builder().tableUri("s3://lake/db").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tableUri 's3://lake/db' is not a gs:// URI");
  }

  @Test
  void secrets_whenChecking_neverInLogsReportsOrExceptions() {
    gcs.bucket("lake", FakeGcs.Mode.DENY_READ);
    String text;
    try (LogCapture logs = new LogCapture()) {
      GcsCheckReport report = check("gs://lake/db").build().run();
      assertThat(report.failedStep()).contains(GcsCheckReport.Step.READ);
      text =
          report
              + "\n"
              + report.message()
              + "\n"
              + GkeAuthTest.fullText(
                  org.assertj.core.api.Assertions.catchThrowable(report::throwIfFailed))
              + "\n"
              + check("gs://lake/db").build()
              + "\n"
              + logs.text();
    }

    assertThat(google.issuedTokens()).isNotEmpty();
    for (String token : google.issuedTokens()) {
      assertThat(text).doesNotContain(token);
    }
    assertThat(text).doesNotContain("ya29.").doesNotContain("s3cr3t");
  }
}
