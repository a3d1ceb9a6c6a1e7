package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.InvalidInputException;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.Table;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.k8s.testing.FaultProxy;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.k8s.testing.RayJobStatuses;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DetachedBackfills#reconcile} and {@link DetachedBackfill#reconcile}: a detached backfill's
 * record in the job history of a real local Lance database, brought in line with its RayJob on
 * fabric8's mock API server in CRUD mode with KubeRay's RayJob CRD. The test plays the operator (it
 * writes the RayJob's status) and the driver (it appends the driver's reports); assertions read the
 * history back, and count its rows with plain lance-core.
 */
class DetachedBackfillReconcileTest {
  private static final String NS = "geneva";

  @TempDir Path dir;
  private MockKubernetes mock;
  private KubeAuth auth;
  private Connection db;
  private Table table;

  @BeforeEach
  void setUp() {
    start("1.3.2");
  }

  private void start(String kubeRayVersion) {
    mock = new MockKubernetes();
    mock.client()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(KubeRayCrds.rayJobCrd(kubeRayVersion))
        .create();
    auth = KubeAuth.of(mock.client().getConfiguration());
    db = Geneva.connect(dir.resolve("db-" + kubeRayVersion).toString());
    table = SampleTables.create(db, "docs", 100, 50);
    table.addColumns(Map.of("len", new TextLength()));
  }

  @AfterEach
  void tearDown() {
    db.close();
    mock.close();
  }

  private static RayClusterSpec spec() {
    return RayClusterSpec.builder()
        .namespace(NS)
        .workerGroup(
            WorkerGroupSpec.builder().name("cpu").cpus(2).minReplicas(0).maxReplicas(4).build())
        .build();
  }

  /** Submits the backfill of "len" as RayJob {@code name}; returns its pending record. */
  private JobRecord submit(String name) {
    DetachedBackfills.submit(
            auth,
            spec(),
            table,
            "len",
            DetachedBackfillOptions.builder(JobPackage.remote("s3://bucket/jobs/geneva-job.zip"))
                .name(name)
                .pollInterval(Duration.ofMillis(10))
                .build())
        .close();
    return record(name);
  }

  private JobRecord record(String rayJob) {
    return db.jobs().stream()
        .filter(j -> j.cluster().equals(java.util.Optional.of(NS + "/" + rayJob)))
        .findFirst()
        .orElseThrow();
  }

  /** The job's record as the history folds it now. */
  private JobRecord now(JobRecord job) {
    return db.jobHistory().get(job.jobId()).orElseThrow();
  }

  /** Appends a report as the driver on the cluster writes it. */
  private void driverReports(JobRecord pending, JobState state) {
    Instant now = Instant.now();
    db.jobHistory()
        .record(
            pending.toBuilder()
                .state(state)
                .executor("ray-cluster")
                .udfClass(TextLength.class.getName())
                .startedAt(pending.createdAt())
                .endedAt(state.isTerminal() ? now : null)
                .updatedAt(now)
                .metric(JobMetrics.ROWS_COMMITTED, state == JobState.DONE ? 100 : 50)
                .build());
  }

  /** A pending record as the client writes it, made {@code age} ago. */
  private JobRecord pendingRecord(String jobId, String rayJob, Duration age) {
    Instant created = Instant.now().minus(age);
    JobRecord r =
        JobRecord.builder()
            .jobId(jobId)
            .table("docs")
            .column("len")
            .state(JobState.PENDING)
            .createdAt(created)
            .updatedAt(created)
            .executor("rayjob")
            .cluster(NS + "/" + rayJob)
            .build();
    db.jobHistory().record(r);
    return r;
  }

  private void operator(String name, String jobStatus, String deployment, String reason) {
    RayJobStatuses.write(mock.client(), NS, name, jobStatus, deployment, reason);
  }

  private void deleteRayJob(String name) {
    mock.client().resources(RayJobResource.class).inNamespace(NS).withName(name).delete();
  }

  /** The history's rows (one per report), read with plain lance-core. */
  private long historyRows() {
    try (BufferAllocator allocator = new RootAllocator()) {
      return LanceColumns.scanAll(allocator, db.jobHistory().uri());
    }
  }

  @Test
  void reconcile_whenDriverDiedAndRayJobFailed_recordsFailedWithKubeRaysMessage() {
    JobRecord pending = submit("oom");
    driverReports(pending, JobState.RUNNING);
    RayJobStatuses.write(
        mock.client(),
        NS,
        "oom",
        "FAILED",
        "Failed",
        "AppFailed",
        "Job entrypoint command failed with exit code 137",
        "2026-11-30T02:00:00Z");

    List<ReconciledJob> result = DetachedBackfills.reconcile(auth, NS, db);

    assertThat(result).singleElement().satisfies(r -> assertThat(r.changed()).isTrue());
    JobRecord failed = now(pending);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.cluster()).contains(NS + "/oom");
    assertThat(failed.endedAt()).contains(Instant.parse("2026-11-30T02:00:00Z"));
    assertThat(failed.startedAt()).contains(pending.createdAt());
    assertThat(failed.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(50);
    assertThat(failed.error().orElseThrow())
        .contains("KubeRay reports RayJob geneva/oom FAILED")
        .contains("reason AppFailed")
        .contains("exit code 137")
        .contains("the job history still says RUNNING")
        .contains("driver died")
        .contains("kubectl describe rayjob oom -n geneva")
        .contains("kubectl logs -n geneva -l ray.io/cluster=oom-raycluster-abcde");
    assertThat(db.jobs()).hasSize(1);
  }

  @Test
  void reconcile_whenClusterNeverStarted_recordsPendingJobFailedWithTheReason() {
    JobRecord pending = submit("stuck");
    RayJobStatuses.write(
        mock.client(),
        NS,
        "stuck",
        "",
        "Failed",
        "DeadlineExceeded",
        "The RayJob has passed the activeDeadlineSeconds",
        null);

    ReconciledJob r = DetachedBackfills.reconcile(auth, NS, db).get(0);

    assertThat(r.before().state()).isEqualTo(JobState.PENDING);
    assertThat(r.state()).isEqualTo(JobState.FAILED);
    JobRecord failed = now(pending);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.endedAt()).isPresent();
    assertThat(failed.error().orElseThrow())
        .contains("DeadlineExceeded")
        .contains("activeDeadlineSeconds")
        .contains("its driver never started")
        .contains("kubectl describe rayjob stuck -n geneva");
  }

  @Test
  void reconcile_whenRayJobDeletedWhilePending_recordsFailedSayingItIsGone() {
    JobRecord pending = pendingRecord("geneva-len-0000aaaa", "vanished", Duration.ofMinutes(10));

    ReconciledJob r = DetachedBackfills.reconcile(auth, NS, db).get(0);

    assertThat(r.rayJobStatus().state()).isEqualTo(DetachedBackfillState.DELETED);
    JobRecord failed = now(pending);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.error().orElseThrow())
        .contains("RayJob geneva/vanished no longer exists")
        .contains("the job history said PENDING")
        .contains("its driver never ran")
        .contains("kubectl get events -n geneva --field-selector involvedObject.name=vanished");
  }

  @Test
  void reconcile_whenRayJobMissingRightAfterSubmission_leavesThePendingRecord() {
    JobRecord pending = pendingRecord("geneva-len-0000bbbb", "creating", Duration.ofSeconds(5));
    long rows = historyRows();

    ReconciledJob r = DetachedBackfills.reconcile(auth, NS, db).get(0);

    assertThat(r.changed()).isFalse();
    assertThat(r.detail()).contains("may still be creating it");
    assertThat(now(pending).state()).isEqualTo(JobState.PENDING);
    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void reconcile_whenRayJobSucceededAndDriverRecordedDone_changesNothing() {
    JobRecord pending = submit("fine");
    driverReports(pending, JobState.RUNNING);
    driverReports(pending, JobState.DONE);
    RayJobStatuses.write(
        mock.client(), NS, "fine", "SUCCEEDED", "Complete", "", "", "2026-11-30T02:00:00Z");
    long rows = historyRows();

    assertThat(DetachedBackfills.reconcile(auth, NS, db)).isEmpty();

    JobRecord done = now(pending);
    assertThat(done.state()).isEqualTo(JobState.DONE);
    assertThat(done.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(100);
    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void reconcile_whenRayJobSucceededButDriversDoneIsMissing_leavesTheRecordAndSaysWhy() {
    JobRecord pending = submit("late");
    driverReports(pending, JobState.RUNNING);
    operator("late", "SUCCEEDED", "Complete", "");
    long rows = historyRows();

    ReconciledJob r = DetachedBackfills.reconcile(auth, NS, db).get(0);

    assertThat(r.changed()).isFalse();
    assertThat(r.rayJobStatus().state()).isEqualTo(DetachedBackfillState.SUCCEEDED);
    assertThat(r.detail()).contains("SUCCEEDED").contains("in flight").contains("Left as is");
    assertThat(now(pending).state()).isEqualTo(JobState.RUNNING);
    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void reconcile_whenRecordAlreadyEnded_neverWritesIt() {
    JobRecord done = submit("done");
    driverReports(done, JobState.DONE);
    operator("done", "FAILED", "Failed", "AppFailed"); // e.g. the driver crashed after its report
    JobRecord failed = submit("failed");
    driverReports(failed, JobState.FAILED);
    operator("failed", "FAILED", "Failed", "AppFailed");
    JobRecord gone = pendingRecord("geneva-len-0000cccc", "gone", Duration.ofHours(1));
    db.jobHistory()
        .record(gone.toBuilder().state(JobState.CANCELLED).updatedAt(Instant.now()).build());
    long rows = historyRows();

    assertThat(DetachedBackfills.reconcile(auth, NS, db)).isEmpty();

    assertThat(now(done).state()).isEqualTo(JobState.DONE);
    assertThat(now(failed).error()).isEmpty();
    assertThat(now(gone).state()).isEqualTo(JobState.CANCELLED);
    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void reconcile_whenDriversDoneArrivesAfterTheFailedWrittenHere_doneWins() {
    JobRecord pending = submit("race");
    driverReports(pending, JobState.RUNNING);
    operator("race", "FAILED", "Failed", "AppFailed");
    assertThat(DetachedBackfills.reconcile(auth, NS, db).get(0).changed()).isTrue();

    driverReports(pending, JobState.DONE);

    JobRecord folded = now(pending);
    assertThat(folded.state()).isEqualTo(JobState.DONE);
    assertThat(folded.error()).isEmpty();
    assertThat(folded.metric(JobMetrics.ROWS_COMMITTED)).isEqualTo(100);
  }

  @Test
  void reconcile_whenRayJobStillRunningOrPending_leavesTheRecords() {
    JobRecord running = submit("busy");
    driverReports(running, JobState.RUNNING);
    operator("busy", "RUNNING", "Running", "");
    JobRecord pending = submit("queued");
    operator("queued", "", "Initializing", "");
    long rows = historyRows();

    List<ReconciledJob> result = DetachedBackfills.reconcile(auth, NS, db);

    assertThat(result).hasSize(2).noneMatch(ReconciledJob::changed);
    assertThat(result)
        .extracting(ReconciledJob::detail)
        .allSatisfy(d -> assertThat(d).contains("has not ended"));
    assertThat(now(running).state()).isEqualTo(JobState.RUNNING);
    assertThat(now(pending).state()).isEqualTo(JobState.PENDING);
    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void reconcile_whenRayJobStopped_recordsCancelled() {
    JobRecord pending = submit("halted");
    driverReports(pending, JobState.RUNNING);
    operator("halted", "STOPPED", "Complete", "");

    DetachedBackfills.reconcile(auth, NS, db);

    JobRecord cancelled = now(pending);
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.error().orElseThrow()).contains("STOPPED").contains("was stopped");
  }

  @Test
  void reconcile_whenTheRayJobsNameNowRunsAnotherBackfill_recordsTheOldJobFailed() {
    JobRecord old = submit("reused");
    driverReports(old, JobState.RUNNING);
    deleteRayJob("reused");
    JobRecord current = submit("reused");
    operator("reused", "RUNNING", "Running", "");

    List<ReconciledJob> result = DetachedBackfills.reconcile(auth, NS, db);

    assertThat(result).hasSize(2);
    JobRecord failed = now(old);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.error().orElseThrow())
        .contains("now runs another backfill (job " + current.jobId() + ")");
    assertThat(now(current).state()).isEqualTo(JobState.PENDING);
  }

  @Test
  void reconcile_whenRecordIsAnAttachedClustersBackfill_leavesIt() {
    Instant now = Instant.now().minus(Duration.ofHours(1));
    JobRecord attached =
        JobRecord.builder()
            .jobId("geneva-len-attached")
            .table("docs")
            .column("len")
            .state(JobState.RUNNING)
            .createdAt(now)
            .updatedAt(now)
            .executor("ray-cluster")
            .cluster(NS + "/my-ray-cluster")
            .build();
    db.jobHistory().record(attached);
    long rows = historyRows();

    assertThat(DetachedBackfills.reconcile(auth, NS, db)).isEmpty();

    assertThat(db.jobHistory().get("geneva-len-attached").orElseThrow().state())
        .isEqualTo(JobState.RUNNING);
    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void reconcile_whenRunTwice_writesNothingTheSecondTime() {
    JobRecord a = submit("first");
    driverReports(a, JobState.RUNNING);
    operator("first", "FAILED", "Failed", "AppFailed");
    pendingRecord("geneva-len-0000dddd", "deleted", Duration.ofMinutes(30));

    assertThat(DetachedBackfills.reconcile(auth, NS, db)).allMatch(ReconciledJob::changed);
    long rows = historyRows();
    List<JobRecord> after = db.jobs();

    assertThat(DetachedBackfills.reconcile(auth, NS, db)).isEmpty();
    assertThat(historyRows()).isEqualTo(rows);
    assertThat(db.jobs()).isEqualTo(after);
  }

  @Test
  void reconcile_whenApiServerAnswers503AFewTimes_retriesAndRecords() throws Exception {
    JobRecord pending = submit("flaky");
    operator("flaky", "FAILED", "Failed", "AppFailed");
    try (FaultProxy proxy =
        new FaultProxy(
            new InetSocketAddress(mock.server().getHostName(), mock.server().getPort()))) {
      proxy.answer("GET", "/apis/ray.io/v1/namespaces/geneva/rayjobs.*", 2, 503, Map.of());

      DetachedBackfills.reconcile(viaProxy(proxy), NS, db);

      assertThat(proxy.requests("GET", "/apis/ray.io/v1/namespaces/geneva/rayjobs.*")).hasSize(3);
    }
    assertThat(now(pending).state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void reconcile_whenApiServerKeepsFailing_reportsItAndWritesNothing() throws Exception {
    JobRecord pending = submit("down");
    operator("down", "FAILED", "Failed", "AppFailed");
    long rows = historyRows();
    try (FaultProxy proxy =
        new FaultProxy(
            new InetSocketAddress(mock.server().getHostName(), mock.server().getPort()))) {
      proxy.answer(
          "GET", "/apis/ray.io/v1/namespaces/geneva/rayjobs.*", FaultProxy.ALWAYS, 503, Map.of());

      assertThatThrownBy(
              () -> DetachedBackfills.reconcile(viaProxy(proxy), NS, db, Duration.ofSeconds(1)))
          .isInstanceOf(RayClusterException.class)
          .hasMessageContaining("Could not list the RayJobs in namespace geneva")
          .hasMessageContaining("HTTP 503")
          .hasMessageContaining("nothing was recorded");
      assertThat(proxy.requests("GET", "/apis/ray.io/v1/namespaces/geneva/rayjobs.*").size())
          .isGreaterThan(1);
    }
    assertThat(now(pending).state()).isEqualTo(JobState.PENDING);
    assertThat(historyRows()).isEqualTo(rows);
  }

  @Test
  void reconcile_whenNothingIsOpen_makesNoApiCall() {
    KubeAuth unreachable =
        KubeAuth.of(new ConfigBuilder().withMasterUrl("http://127.0.0.1:1/").build());
    assertThat(DetachedBackfills.reconcile(unreachable, NS, db)).isEmpty();
  }

  @Test
  void reconcile_whenArgumentsMissing_failsNamingThem() {
    assertThatThrownBy(() -> DetachedBackfills.reconcile(null, NS, db))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("KubeAuth");
    assertThatThrownBy(() -> DetachedBackfills.reconcile(auth, " ", db))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("namespace");
  }

  @ParameterizedTest(name = "KubeRay {0}")
  @ValueSource(strings = {"1.1.1", "1.7.0"})
  void reconcile_whenOlderOrNewerKubeRayReportsTheFailure_recordsFailed(String version) {
    tearDown();
    start(version);
    JobRecord pending = submit("v");
    driverReports(pending, JobState.RUNNING);
    // KubeRay 1.1 ends every job with jobDeploymentStatus Complete; 1.2 and newer say Failed.
    operator("v", "FAILED", version.equals("1.1.1") ? "Complete" : "Failed", "");

    DetachedBackfills.reconcile(auth, NS, db);

    assertThat(now(pending).state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void handleReconcile_whenRayJobDeletedWhilePending_recordsFailedAtOnce() {
    submit("h");
    try (DetachedBackfill job = DetachedBackfills.find(auth, NS, "h").orElseThrow()) {
      deleteRayJob("h");

      ReconciledJob r = job.reconcile(db).get(0);

      assertThat(r.state()).isEqualTo(JobState.FAILED);
      assertThat(r.detail()).contains("no longer exists");
      assertThat(job.reconcile(db)).isEmpty();
    }
  }

  @Test
  void handleReconcile_whenTheHandleCancelledIt_recordsCancelled() {
    JobRecord pending = submit("c");
    try (DetachedBackfill job = DetachedBackfills.find(auth, NS, "c").orElseThrow()) {
      assertThat(job.cancel()).isTrue();

      job.reconcile(db);
    }
    JobRecord cancelled = now(pending);
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.error().orElseThrow()).contains("DetachedBackfill.cancel()");
  }

  @Test
  void waitUntilDone_whenSubmittedWithTheTableAndTheDriverDied_recordsFailed() {
    try (DetachedBackfill job =
        DetachedBackfills.submit(
            auth,
            spec(),
            table,
            "len",
            DetachedBackfillOptions.builder(JobPackage.remote("s3://bucket/jobs/geneva-job.zip"))
                .name("w")
                .pollInterval(Duration.ofMillis(10))
                .build())) {
      driverReports(record("w"), JobState.RUNNING);
      operator("w", "FAILED", "Failed", "AppFailed");

      assertThat(job.waitUntilDone(Duration.ofSeconds(30)).state())
          .isEqualTo(DetachedBackfillState.FAILED);
    }
    JobRecord failed = record("w");
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.error().orElseThrow()).contains("kubectl describe rayjob w -n geneva");
  }

  private KubeAuth viaProxy(FaultProxy proxy) {
    return KubeAuth.of(
        new ConfigBuilder(mock.client().getConfiguration()).withMasterUrl(proxy.url()).build());
  }
}
