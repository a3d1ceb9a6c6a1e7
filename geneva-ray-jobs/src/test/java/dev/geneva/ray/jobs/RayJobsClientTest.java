package dev.geneva.ray.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Jobs REST client against a fake dashboard with Ray's JSON shapes. */
class RayJobsClientTest {
  private static final String TOKEN = "s3cr3t-token-value";

  private FakeRayDashboard dashboard;
  private RayJobsClient client;

  @BeforeEach
  void start() throws Exception {
    dashboard = new FakeRayDashboard();
    client =
        RayJobsClient.builder()
            .dashboardUrl(dashboard.url())
            .bearerToken(TOKEN)
            .retries(3, Duration.ofMillis(20))
            .pollInterval(Duration.ofMillis(20))
            .build();
  }

  @AfterEach
  void stop() {
    dashboard.close();
  }

  @Test
  void version_whenDashboardAddsUnknownFields_parsesKnownOnes() {
    RayVersion v = client.version();

    assertThat(v).isEqualTo(new RayVersion("3", "2.39.0", "abc123"));
  }

  @Test
  void submit_whenAllFieldsSet_sendsRayJsonShapeAndParsesIds() {
    CountDownLatch release = new CountDownLatch(1);
    dashboard.runner =
        run -> {
          run.logs().println("hello from the job");
          awaitQuietly(release);
          return 0;
        };
    JobSubmission s =
        JobSubmission.builder("echo hello")
            .submissionId("my-job-1")
            .runtimeEnv("working_dir", "gcs://_ray_pkg_abc.zip")
            .metadata("owner", "tests")
            .entrypointNumCpus(1.5)
            .entrypointNumGpus(0)
            .entrypointMemory(1024)
            .entrypointResource("custom", 2)
            .build();

    SubmittedJob job = client.submit(s);
    JobDetails running = client.status(job.submissionId());
    release.countDown();
    JobDetails done = client.waitFor(job.submissionId(), Duration.ofSeconds(10));

    assertThat(job).isEqualTo(new SubmittedJob("my-job-1", "my-job-1"));
    JsonNode sent = dashboard.jobs.get("my-job-1").request;
    assertThat(sent.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "entrypoint",
            "submission_id",
            "runtime_env",
            "metadata",
            "entrypoint_num_cpus",
            "entrypoint_num_gpus",
            "entrypoint_memory",
            "entrypoint_resources");
    assertThat(sent.path("runtime_env").path("working_dir").asText())
        .isEqualTo("gcs://_ray_pkg_abc.zip");
    assertThat(sent.path("entrypoint_memory").asLong()).isEqualTo(1024);
    assertThat(sent.path("entrypoint_resources").path("custom").asDouble()).isEqualTo(2.0);
    assertThat(running.status()).isIn(JobStatus.PENDING, JobStatus.RUNNING);
    assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(done.message()).isEqualTo("Job finished successfully.");
    assertThat(done.metadata()).containsEntry("owner", "tests");
    assertThat(done.entrypoint()).isEqualTo("echo hello");
    assertThat(done.driverExitCode()).isZero();
    assertThat(done.endTime()).isNotNull();
    assertThat(client.logs("my-job-1")).contains("hello from the job");
    assertThat(client.logTail("my-job-1", 1)).containsExactly("hello from the job");
    assertThat(dashboard.requests).contains("POST /api/jobs/");
  }

  @Test
  void stopAndDelete_whenJobRuns_stopsThenDeletes() {
    dashboard.runner =
        run -> {
          try {
            Thread.sleep(30_000);
            return 0;
          } catch (InterruptedException e) {
            return 143;
          }
        };
    String id = client.submit(JobSubmission.builder("sleep 30").build()).submissionId();

    boolean stopped = client.stop(id);
    JobDetails done = client.waitFor(id, Duration.ofSeconds(10));
    boolean deleted = client.delete(id);

    assertThat(stopped).isTrue();
    assertThat(done.status()).isEqualTo(JobStatus.STOPPED);
    assertThat(deleted).isTrue();
    assertThat(dashboard.requests)
        .contains("POST /api/jobs/" + id + "/stop", "DELETE /api/jobs/" + id);
  }

  @Test
  void list_whenJobsSubmitted_returnsEachWithItsStatus() {
    String a = client.submit(JobSubmission.builder("true").build()).submissionId();
    String b = client.submit(JobSubmission.builder("echo b").build()).submissionId();

    List<JobDetails> jobs = client.list();

    assertThat(jobs).extracting(JobDetails::submissionId).containsExactlyInAnyOrder(a, b);
    assertThat(jobs).extracting(JobDetails::entrypoint).contains("true", "echo b");
    assertThat(dashboard.requests).contains("GET /api/jobs/");
  }

  @Test
  void packages_whenUploaded_existsAfterwardsAndPathSplitsProtocol() {
    String uri = "gcs://_ray_pkg_0123abcd.zip";

    boolean before = client.packageExists(uri);
    client.uploadPackage(uri, new byte[] {1, 2, 3});
    boolean after = client.packageExists(uri);

    assertThat(before).isFalse();
    assertThat(after).isTrue();
    assertThat(dashboard.packages.get(uri)).containsExactly(1, 2, 3);
    assertThat(dashboard.requests).contains("PUT /api/packages/gcs/_ray_pkg_0123abcd.zip");
  }

  @Test
  void status_whenConnectionDropsOnce_retriesAndSucceeds() {
    dashboard.runner = run -> 0;
    String id = client.submit(JobSubmission.builder("true").build()).submissionId();
    dashboard.dropNext.put("GET /api/jobs/" + id, new AtomicInteger(2));

    JobDetails d = client.status(id);

    assertThat(d.submissionId()).isEqualTo(id);
    assertThat(dashboard.requests.stream().filter(r -> r.equals("GET /api/jobs/" + id))).hasSize(3);
  }

  @Test
  void status_whenAnswers500Then200_retriesAndSucceeds() {
    dashboard.runner = run -> 0;
    String id = client.submit(JobSubmission.builder("true").build()).submissionId();
    dashboard.fault("GET", "/api/jobs/" + id, FakeRayDashboard.Fault.HTTP_500, 2);

    JobDetails d = client.status(id);

    assertThat(d.submissionId()).isEqualTo(id);
    assertThat(dashboard.faultsAnswered).hasSize(2);
  }

  @Test
  void status_whenBodyIsNotJson_throwsTransientNamingTheBody() {
    dashboard.runner = run -> 0;
    String id = client.submit(JobSubmission.builder("true").build()).submissionId();
    dashboard.fault("GET", "/api/jobs/" + id, FakeRayDashboard.Fault.MALFORMED_JSON, 1);

    assertThatThrownBy(() -> client.status(id))
        .isInstanceOfSatisfying(
            RayDashboardException.class,
            e -> {
              assertThat(e.isTransient()).isTrue();
              assertThat(e.statusCode()).isEqualTo(200);
            })
        .hasMessageContaining("not the JSON expected")
        .hasMessageContaining("{not json");
  }

  @Test
  void send_whenConnectionFails_reconnectHookGivesUrlUsedFromThenOn() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    URI dead = URI.create("http://127.0.0.1:" + deadPort);
    List<URI> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    RayJobsClient moving =
        RayJobsClient.builder()
            .dashboardUrl(dead)
            .retries(2, Duration.ofMillis(10))
            .reconnect(
                u -> {
                  failed.add(u);
                  return dashboard.url();
                })
            .build();

    RayVersion v = moving.version();

    assertThat(v.rayVersion()).isEqualTo("2.39.0");
    assertThat(failed).containsExactly(dead);
    assertThat(moving.dashboardUrl()).isEqualTo(dashboard.url());
  }

  @Test
  void submit_whenConnectionDrops_isNotRetried() {
    dashboard.dropNext.put("POST /api/jobs/", new AtomicInteger(1));

    assertThatThrownBy(() -> client.submit(JobSubmission.builder("true").build()))
        .isInstanceOf(RayDashboardException.class)
        .hasMessageContaining("1 attempt");
    assertThat(dashboard.requests.stream().filter(r -> r.equals("POST /api/jobs/"))).hasSize(1);
    assertThat(dashboard.jobs).isEmpty();
  }

  @Test
  void status_whenJobUnknown_throwsWith404NamingUrl() {
    assertThatThrownBy(() -> client.status("nope"))
        .isInstanceOfSatisfying(
            RayDashboardException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
        .hasMessageContaining(dashboard.url().toString())
        .hasMessageContaining("GET /api/jobs/nope");
  }

  @Test
  void version_whenDashboardDown_errorNamesUrlAndHint() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + port);
    RayJobsClient down =
        RayJobsClient.builder()
            .dashboardUrl(url)
            .bearerToken(TOKEN)
            .retries(2, Duration.ofMillis(10))
            .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
            .unreachableHint("is the port-forward to pod geneva/my-ray-head-xyz:8265 running?")
            .build();

    assertThatThrownBy(down::version)
        .isInstanceOfSatisfying(
            RayDashboardException.class, e -> assertThat(e.unreachable()).isTrue())
        .hasMessageContaining("cannot reach the Ray dashboard at " + url)
        .hasMessageContaining("GET /api/version")
        .hasMessageContaining("port-forward to pod geneva/my-ray-head-xyz:8265")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void bearerToken_whenSet_isSentAndNeverLoggedOrPrinted() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Throwable failure;
    try {
      dashboard.dropNext.put("GET /api/version", new AtomicInteger(2));
      client.version();
      client.packageExists("gcs://_ray_pkg_x.zip");
      failure = catchThrowable(() -> client.status("missing-job"));
    } finally {
      System.setErr(original);
    }

    assertThat(dashboard.authorizations).isNotEmpty().allMatch(a -> a.equals("Bearer " + TOKEN));
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("retrying")
        .doesNotContain(TOKEN);
    assertThat(client.toString()).contains("****").doesNotContain(TOKEN);
    assertThat(failure).isInstanceOf(RayDashboardException.class);
    assertThat(failure.getMessage()).doesNotContain(TOKEN);
  }

  @Test
  void tail_whenLogsEndWithNewline_returnsLastLinesOldestFirst() {
    assertThat(RayJobsClient.tail("a\nb\nc\n", 2)).isEqualTo(List.of("b", "c"));
    assertThat(RayJobsClient.tail("", 3)).isEqualTo(List.of());
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
