package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.cli.testing.Kubeconfigs;
import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.k8s.testing.RayJobStatuses;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackageDefinitions;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code geneva backfill --detached} and {@code geneva jobs detached} (also {@code --reconcile --db
 * URI}, whose job history is read back) against fabric8's mock API server in CRUD mode with
 * KubeRay's RayJob CRD, on a real Lance table; the test plays the operator by writing the RayJob's
 * status.
 */
class DetachedBackfillCommandTest {
  private static final String NS = "geneva";
  private static final String PACKAGE = "s3://bucket/jobs/geneva-job.zip";

  @TempDir Path dir;
  private MockKubernetes mock;
  private String kubeconfig;
  private String db;

  @BeforeEach
  void setUp() {
    mock = new MockKubernetes();
    kubeconfig = Kubeconfigs.write(dir, mock).toString();
    mock.client()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(KubeRayCrds.rayJobCrd("1.1.1"))
        .create();
    db = dir.resolve("db").toString();
    try (Connection conn = Geneva.connect(db)) {
      SampleTables.create(conn, "docs", 100, 50).addColumns(Map.of("len", new TextLength()));
    }
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  private List<RayJobResource> rayJobs() {
    return mock.client().resources(RayJobResource.class).inNamespace(NS).list().getItems();
  }

  private Result submit(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("backfill", db, "docs", "len", "--kubeconfig", kubeconfig, "-n", NS));
    Collections.addAll(args, extra);
    return Cli.run(args.toArray(String[]::new));
  }

  private Result jobs(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("jobs", "detached", "--kubeconfig", kubeconfig, "-n", NS));
    Collections.addAll(args, extra);
    return Cli.run(args.toArray(String[]::new));
  }

  private void operator(String name, String jobStatus, String deploymentStatus) {
    RayJobStatuses.write(mock.client(), NS, name, jobStatus, deploymentStatus, "");
  }

  @Test
  void backfillDetached_whenValid_expectRayJobCreatedAndItsNamePrinted() throws Exception {
    Result r =
        submit(
            "--detached",
            "--job-package",
            PACKAGE,
            "--job-name",
            "embed-docs",
            "--ttl",
            "10m",
            "--active-deadline",
            "2h",
            "--max-workers",
            "3",
            "--where",
            "id < 10",
            "--json");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("name").asText()).isEqualTo("embed-docs");
    assertThat(doc.get("namespace").asText()).isEqualTo(NS);
    assertThat(doc.get("table").asText()).endsWith("docs.lance");
    List<RayJobResource> jobs = rayJobs();
    assertThat(jobs).hasSize(1);
    RayJobResource rj = jobs.get(0);
    assertThat(rj.getMetadata().getName()).isEqualTo("embed-docs");
    assertThat(rj.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
    assertThat(rj.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200);
    assertThat(rj.getSpec().getShutdownAfterJobFinishes()).isTrue();
    assertThat(rj.getSpec().getEntrypoint()).contains("'id < 10'").contains(" len ");
    assertThat(rj.getSpec().getRayClusterSpec().getWorkerGroupSpecs().get(0).getMaxReplicas())
        .isEqualTo(3);

    Result plain = submit("--detached", "--job-package", "/opt/geneva/lib", "--keep-cluster");
    assertThat(plain.exit()).as(plain.toString()).isZero();
    String name = plain.out().strip();
    assertThat(name).startsWith("geneva-len-");
    assertThat(plain.err()).contains("geneva jobs detached " + name + " -n geneva --follow");
    RayJobResource kept =
        mock.client().resources(RayJobResource.class).inNamespace(NS).withName(name).get();
    assertThat(kept.getSpec().getShutdownAfterJobFinishes()).isFalse();
  }

  @Test
  void backfillDetached_whenStoredPackageNamed_expectRayJobShipsIt() {
    String url = "s3://models/geneva/embed-v3.zip";
    try (Connection conn = Geneva.connect(db)) {
      JobPackageDefinitions.define(conn, "embed-v3", JobPackage.remote(url));
    }

    Result r = submit("--detached", "--package", "embed-v3", "--job-name", "stored");

    assertThat(r.exit()).as(r.toString()).isZero();
    RayJobResource rj =
        mock.client().resources(RayJobResource.class).inNamespace(NS).withName("stored").get();
    assertThat(rj.getSpec().getEntrypoint()).contains("-Dray.job.runtime-env.jars.0=" + url);

    Result missing = submit("--detached", "--package", "embed-v4", "--job-name", "missing");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("no job package definition named 'embed-v4'");
    assertThat(rayJobs()).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--detached|needs --job-package",
        "--job-package s3://bucket/j.zip|only applies with --detached",
        "--detached --job-package s3://bucket/j.zip --plan|leave out --plan",
        "--detached --job-package s3://bucket/j.jar|.zip",
        "--detached --job-package s3://bucket/j.zip --job-name Bad_Name|--job-name",
      })
  void backfillDetached_whenOptionsWrong_expectUsageErrorAndNoRayJob(String args, String message) {
    Result r = submit(args.split(" "));
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(message);
    assertThat(rayJobs()).isEmpty();
  }

  @Test
  void backfillDetached_whenTableMissing_expectErrorAndNoRayJob() {
    Result r =
        Cli.run(
            "backfill",
            db,
            "nope",
            "len",
            "--kubeconfig",
            kubeconfig,
            "--detached",
            "--job-package",
            PACKAGE);
    assertThat(r.exit()).as(r.toString()).isNotZero();
    assertThat(r.err()).contains("nope");
    assertThat(rayJobs()).isEmpty();
  }

  @Test
  void jobsDetached_whenListed_expectSdkRayJobsWithState() {
    assertThat(submit("--detached", "--job-package", PACKAGE, "--job-name", "one").exit()).isZero();
    operator("one", "RUNNING", "Running");

    Result r = jobs();
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("NAME").contains("one").contains("RUNNING").contains("len");

    Result status = jobs("one");
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out()).contains("state:             RUNNING");
  }

  @ParameterizedTest(name = "{0}/{1} -> exit {2}")
  @CsvSource({"SUCCEEDED, Complete, 0", "FAILED, Failed, 1", "STOPPED, Complete, 4"})
  void jobsDetachedFollow_whenJobEnds_expectStatusLinesAndExitCodeOfFinalState(
      String jobStatus, String deployment, int exit) throws Exception {
    assertThat(submit("--detached", "--job-package", PACKAGE, "--job-name", "f").exit()).isZero();
    operator("f", "RUNNING", "Running");
    int before = mock.server().getRequestCount();
    // The operator ends the job once the CLI read its status twice (find, then the first poll).
    CompletableFuture<Void> end =
        CompletableFuture.runAsync(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
              while (mock.server().getRequestCount() < before + 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
              }
              operator("f", jobStatus, deployment);
            });

    Result r = jobs("f", "--follow", "--poll", "PT0.01S");
    end.get(60, TimeUnit.SECONDS);

    assertThat(r.exit()).as(r.toString()).isEqualTo(exit);
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).contains(" f RUNNING");
    assertThat(lines.get(lines.size() - 1)).contains(" f " + jobStatus);
  }

  @Test
  void jobsDetachedFollow_whenTimeoutPasses_expectExit5AndJobLeftRunning() {
    assertThat(submit("--detached", "--job-package", PACKAGE, "--job-name", "t").exit()).isZero();
    operator("t", "RUNNING", "Running");

    Result r = jobs("t", "--follow", "--timeout", "PT0.3S", "--poll", "PT0.05S");

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(r.err()).contains("had not ended");
    assertThat(rayJobs()).hasSize(1);
  }

  @Test
  void jobsDetachedCancel_whenJobExists_expectRayJobDeletedThenNotFound() {
    assertThat(submit("--detached", "--job-package", PACKAGE, "--job-name", "c").exit()).isZero();

    Result r = jobs("c", "--cancel");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("deleted RayJob geneva/c");
    assertThat(rayJobs()).isEmpty();

    Result again = jobs("c");
    assertThat(again.exit()).as(again.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(again.err()).contains("no RayJob geneva/c");
  }

  @Test
  void jobsDetached_whenFollowWithoutName_expectUsageError() {
    Result r = jobs("--follow");
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("need the RayJob's NAME");
  }

  private void submitNamed(String name) {
    Result r = submit("--detached", "--job-package", PACKAGE, "--job-name", name);
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  private JobRecord record(String rayJob) {
    try (Connection conn = Geneva.connect(db)) {
      return conn.jobs().stream()
          .filter(j -> j.cluster().orElse("").equals(NS + "/" + rayJob))
          .findFirst()
          .orElseThrow();
    }
  }

  @Test
  void jobsDetachedReconcile_whenDriverDied_expectRecordedFailedAndPrinted() {
    submitNamed("dead");
    submitNamed("alive");
    RayJobStatuses.write(
        mock.client(),
        NS,
        "dead",
        "FAILED",
        "Complete", // KubeRay 1.1 completes every RayJob whose Ray job ended
        "",
        "Job entrypoint command failed with exit code 137",
        "2026-11-30T02:00:00Z");
    RayJobStatuses.write(mock.client(), NS, "alive", "RUNNING", "Running", "");

    Result r = jobs("--reconcile", "--db", db);

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains(
            "recorded   " + record("dead").jobId() + " (RayJob geneva/dead): PENDING -> FAILED")
        .contains("unchanged  " + record("alive").jobId() + " (RayJob geneva/alive): PENDING")
        .contains("1 of 2 open detached backfill(s) of namespace geneva recorded as ended");
    JobRecord failed = record("dead");
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.endedAt()).contains(Instant.parse("2026-11-30T02:00:00Z"));
    assertThat(failed.error().orElseThrow())
        .contains("exit code 137")
        .contains("kubectl describe rayjob dead -n geneva");
    assertThat(record("alive").state()).isEqualTo(JobState.PENDING);

    Result history = Cli.run("jobs", "--db", db, "--state", "FAILED");
    assertThat(history.out()).contains(failed.jobId()).contains("KubeRay reports RayJob");

    Result again = jobs("--reconcile", "--db", db);
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).contains("0 of 1 open detached backfill(s)");
  }

  @Test
  void jobsDetachedReconcile_whenJsonAndRayJobGone_expectOneObjectPerOpenBackfill()
      throws Exception {
    submitNamed("gone");
    // Deleted right after its submission: for two minutes after the pending record, a missing
    // RayJob may be one its client is still creating, so the record is left (and said why).
    mock.client().resources(RayJobResource.class).inNamespace(NS).withName("gone").delete();

    Result r = jobs("--reconcile", "--db", db, "--json");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc).hasSize(1);
    assertThat(doc.get(0).get("rayJob").asText()).isEqualTo("geneva/gone");
    assertThat(doc.get(0).get("before").asText()).isEqualTo("PENDING");
    assertThat(doc.get(0).get("changed").asBoolean()).isFalse();
    assertThat(doc.get(0).get("rayJobState").asText()).isEqualTo("DELETED");
    assertThat(doc.get(0).get("detail").asText()).contains("may still be creating it");
    assertThat(record("gone").state()).isEqualTo(JobState.PENDING);
  }

  @Test
  void jobsDetachedReconcile_whenApiServerUnreachable_expectErrorAndNothingRecorded() {
    submitNamed("x");
    String unreachable = Kubeconfigs.write(dir.resolve("down"), "http://127.0.0.1:1").toString();

    Result r =
        Cli.run(
            "jobs", "detached", "--kubeconfig", unreachable, "-n", NS, "--reconcile", "--db", db);

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err()).contains("Cannot reach the API server").contains("nothing was recorded");
    assertThat(record("x").state()).isEqualTo(JobState.PENDING);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--reconcile|needs --db",
        "--db /tmp/x|only with --reconcile",
        "--reconcile --db /tmp/x some-job|leave out NAME",
        "--reconcile --db /tmp/x --follow|leave out NAME, --follow and --cancel",
      })
  void jobsDetachedReconcile_whenOptionsWrong_expectUsageError(String args, String message) {
    Result r = jobs(args.split(" "));
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains(message);
  }
}
