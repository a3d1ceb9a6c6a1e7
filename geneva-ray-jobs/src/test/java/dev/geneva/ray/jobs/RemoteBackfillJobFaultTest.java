package dev.geneva.ray.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.ray.jobs.FakeRayDashboard.Fault;
import dev.geneva.ray.jobs.internal.DriverLines;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, defect 6: a remote backfill tolerates a dashboard that fails for a while (by time, not
 * by a count of polls), gives up with a clear error once the contact timeout has passed, and still
 * stops the job afterwards. The fake dashboard's jobs print a result line when the test releases
 * them; no Ray runs here.
 */
class RemoteBackfillJobFaultTest {
  private static final String STATUS = "/api/jobs/geneva-[^/]+";
  private static final String ANY_JOB_CALL = "/api/jobs/geneva-.+";

  private FakeRayDashboard dashboard;
  private RayJobsClient client;
  private final CountDownLatch finish = new CountDownLatch(1);
  private final CountDownLatch running = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    dashboard = new FakeRayDashboard();
    dashboard.runner =
        run -> {
          running.countDown();
          try {
            if (!finish.await(60, TimeUnit.SECONDS)) {
              return 2;
            }
          } catch (InterruptedException e) {
            return 143; // stopped
          }
          run.logs()
              .println(
                  DriverLines.result(
                      new BackfillResult(
                          "/data/docs.lance",
                          "len",
                          "ray-cluster",
                          1_000,
                          0,
                          0,
                          2,
                          2,
                          1,
                          2,
                          1,
                          Duration.ofSeconds(3))));
          return 0;
        };
    client =
        RayJobsClient.builder()
            .dashboardUrl(dashboard.url())
            .retries(2, Duration.ofMillis(20))
            .pollInterval(Duration.ofMillis(50))
            .build();
  }

  @AfterEach
  void stop() {
    finish.countDown();
    dashboard.close();
  }

  private BackfillJob startJob(Duration contactTimeout) throws InterruptedException {
    BackfillJob job =
        RayJobBackfill.builder(client)
            .jobPackage(JobPackage.baked("/opt/geneva/lib"))
            .contactTimeout(contactTimeout)
            .build()
            .start("/data/docs.lance", "len", BackfillOptions.defaults());
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
    return job;
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      Thread.sleep(10);
    }
  }

  @Test
  void start_whenPollsFailWithEveryTransientKind_backfillSucceeds() throws Exception {
    // Eleven failed polls in a row: the old limit was 5 of any kind, or 1 malformed answer.
    dashboard
        .fault("GET", STATUS, Fault.HTTP_500, 3)
        .fault("GET", STATUS, Fault.MALFORMED_JSON, 2)
        .fault("GET", STATUS, Fault.HTML_502, 2)
        .fault("GET", STATUS, Fault.RESET, 2)
        .fault("GET", STATUS, Fault.HTTP_429, 2);
    long t0 = System.nanoTime();
    BackfillJob job = startJob(Duration.ofSeconds(8));

    awaitTrue(() -> dashboard.faultsAnswered.size() == 11, "the scripted faults");
    finish.countDown();
    BackfillResult r = job.join(30, TimeUnit.SECONDS);

    assertThat(r.rowsProcessed()).isEqualTo(1_000);
    assertThat(dashboard.faultsAnswered)
        .anyMatch(f -> f.startsWith("MALFORMED_JSON"))
        .anyMatch(f -> f.startsWith("HTML_502"))
        .anyMatch(f -> f.startsWith("RESET"))
        .anyMatch(f -> f.startsWith("HTTP_429"));
    assertThat(dashboard.stopRequests).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void start_whenFailuresOutlastContactTimeout_lostContactAfterTimeoutAndCancelStillStops()
      throws Exception {
    BackfillJob job = startJob(Duration.ofSeconds(1));
    String id = dashboard.jobIds().get(0);
    long t0 = System.nanoTime();
    dashboard.fault("GET", ANY_JOB_CALL, Fault.HTTP_500, Integer.MAX_VALUE);

    assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            RayJobContactLostException.class,
            e -> {
              assertThat(e.submissionId()).isEqualTo(id);
              assertThat(e.lostFor()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
              assertThat(e.statusCode()).isEqualTo(500);
            })
        .hasMessageContaining("lost contact with Ray job " + id)
        .hasMessageContaining("contact timeout 1.0 s")
        .hasMessageContaining("HTTP 500")
        .hasMessageContaining("ray job status " + id + " --address " + dashboard.url());
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(15));
    assertThat(dashboard.jobs.get(id).status).isEqualTo("RUNNING");

    dashboard.clearFaults();
    boolean stopped = job.cancel();

    assertThat(stopped).isTrue();
    assertThat(dashboard.stopRequests).containsExactly(id);
    awaitTrue(() -> dashboard.jobs.get(id).status.equals("STOPPED"), "the job to stop");
  }

  @Test
  void start_whenDashboardUnreachableBeyondContactTimeout_lostContactNamesConnectionError()
      throws Exception {
    BackfillJob job = startJob(Duration.ofMillis(800));
    long t0 = System.nanoTime();
    dashboard.fault("GET", ANY_JOB_CALL, Fault.RESET, Integer.MAX_VALUE);

    assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            RayJobContactLostException.class, e -> assertThat(e.unreachable()).isTrue())
        .hasMessageContaining("cannot reach the Ray dashboard at " + dashboard.url());
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isBetween(Duration.ofMillis(700), Duration.ofSeconds(15));
  }

  @Test
  void start_whenAnswersHangPastContactTimeout_lostContactWithinBound() throws Exception {
    BackfillJob job = startJob(Duration.ofSeconds(1));
    long t0 = System.nanoTime();
    dashboard.delay("GET", ANY_JOB_CALL, Duration.ofSeconds(40), Integer.MAX_VALUE);

    assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
        .isInstanceOf(RayJobContactLostException.class)
        .hasMessageContaining("lost contact");
    // The client's request timeout is 60 s; a poll waits no longer than the budget left (>= 1 s).
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void start_whenPollAnswers403_failsAtOnceWithServersMessage() throws Exception {
    BackfillJob job = startJob(Duration.ofSeconds(60));
    long t0 = System.nanoTime();
    dashboard.fault("GET", STATUS, Fault.HTTP_403, 1);

    assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            RayDashboardException.class,
            e -> {
              assertThat(e).isNotInstanceOf(RayJobContactLostException.class);
              assertThat(e.statusCode()).isEqualTo(403);
            })
        .hasMessageContaining("HTTP 403")
        .hasMessageContaining("Forbidden: the proxy wants a token");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void start_whenDashboardForgetsJob_failsAtOnceSayingJobIsGone() throws Exception {
    BackfillJob job = startJob(Duration.ofSeconds(60));
    String id = dashboard.jobIds().get(0);
    long t0 = System.nanoTime();
    dashboard.jobs.remove(id); // as after a restart of the head, which ends its jobs

    assertThatThrownBy(() -> job.join(30, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            RayDashboardException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
        .hasMessageContaining("Ray job " + id)
        .hasMessageContaining("is gone")
        .hasMessageContaining("run the backfill again to resume");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(job.cancel()).isFalse();
  }
}
