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
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code geneva jobs detached --reconcile --db URI}: backfills submitted with {@code geneva
 * backfill --detached} to fabric8's mock API server in CRUD mode with KubeRay 1.1's RayJob CRD, the
 * test playing the operator; the job history of a real Lance database is read back after each run.
 */
class DetachedJobsReconcileCommandTest {
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

  private void submit(String name) {
    Result r =
        Cli.run(
            "backfill",
            db,
            "docs",
            "len",
            "--kubeconfig",
            kubeconfig,
            "-n",
            NS,
            "--detached",
            "--job-package",
            PACKAGE,
            "--job-name",
            name);
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  private Result jobs(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("jobs", "detached", "--kubeconfig", kubeconfig, "-n", NS));
    Collections.addAll(args, extra);
    return Cli.run(args.toArray(String[]::new));
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
    submit("dead");
    submit("alive");
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
    submit("gone");
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
    submit("x");
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
