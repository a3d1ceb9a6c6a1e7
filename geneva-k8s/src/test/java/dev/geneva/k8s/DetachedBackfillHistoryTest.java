package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.InvalidInputException;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.Table;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.EntrypointBuilder;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Udf;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DetachedBackfills#submit(KubeAuth, RayClusterSpec, Table, String,
 * DetachedBackfillOptions)} does what an attached cluster backfill does first: the admission check,
 * and a {@code PENDING} record in the job history under the id the driver records with. Fabric8's
 * mock API server in CRUD mode with KubeRay's RayJob CRD; real Lance tables.
 */
class DetachedBackfillHistoryTest {
  private static final String NS = "geneva";

  @TempDir Path dir;
  private MockKubernetes mock;
  private KubeAuth auth;

  @BeforeEach
  void setUp() {
    mock = new MockKubernetes();
    mock.client()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(KubeRayCrds.rayJobCrd("1.3.2"))
        .create();
    auth = KubeAuth.of(mock.client().getConfiguration());
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  private static RayClusterSpec spec() {
    return RayClusterSpec.builder()
        .namespace(NS)
        .workerGroup(
            WorkerGroupSpec.builder().name("cpu").cpus(2).minReplicas(0).maxReplicas(4).build())
        .build();
  }

  private static DetachedBackfillOptions.Builder options() {
    return DetachedBackfillOptions.builder(JobPackage.remote("s3://bucket/jobs/geneva-job.zip"))
        .pollInterval(Duration.ofMillis(10));
  }

  private Table table(Connection db, Udf udf) {
    Table t = SampleTables.create(db, "docs", 300, 100);
    t.addColumns(Map.of("len", udf));
    return t;
  }

  private List<RayJobResource> rayJobs() {
    return mock.client().resources(RayJobResource.class).inNamespace(NS).list().getItems();
  }

  @Test
  void submit_whenGivenTheTable_recordsThePendingJobUnderTheIdTheDriverGets() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, new TextLength());

      try (DetachedBackfill job =
          DetachedBackfills.submit(
              auth,
              spec(),
              t,
              "len",
              options()
                  .name("embed-docs")
                  .backfillOptions(BackfillOptions.builder().concurrency(3).build())
                  .build())) {
        assertThat(job.name()).isEqualTo("embed-docs");
      }

      JobRecord pending = db.jobs().get(0);
      assertThat(pending.state()).isEqualTo(JobState.PENDING);
      assertThat(pending.table()).isEqualTo("docs");
      assertThat(pending.column()).isEqualTo("len");
      assertThat(pending.udfClass()).isEqualTo(TextLength.class.getName());
      assertThat(pending.executor()).isEqualTo("rayjob");
      assertThat(pending.cluster()).contains(NS + "/embed-docs");
      assertThat(pending.jobId()).startsWith("geneva-len-");

      String entrypoint = rayJobs().get(0).getSpec().getEntrypoint();
      BackfillOptions driverGets =
          BackfillOptions.builder()
              .concurrency(3)
              .jobId(pending.jobId())
              .cluster(NS + "/embed-docs")
              .build();
      assertThat(entrypoint)
          .endsWith(
              String.join(
                  " ",
                  new DriverArgs(t.uri(), "len", driverGets)
                      .toArgs().stream().map(EntrypointBuilder::quote).toList()));
      assertThat(t.countRows("len IS NULL")).isEqualTo(300);
    }
  }

  @Test
  void submit_whenTheUdfFitsNoWorkerGroup_failsBeforeCreatingOrRecordingAnything() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, new RayClusterBackfillTest.EightCpuLength());

      assertThatThrownBy(() -> DetachedBackfills.submit(auth, spec(), t, "len", options().build()))
          .isInstanceOf(ResourcesDoNotFitException.class)
          .hasMessageContaining("asks for 8 CPUs")
          .hasMessageContaining("'cpu': 2 CPUs")
          .hasMessageContaining("Nothing was submitted");

      assertThat(rayJobs()).isEmpty();
      assertThat(db.jobs()).isEmpty();
    }
  }

  @Test
  void submit_whenTheColumnHasNoUdf_failsBeforeCreatingOrRecordingAnything() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, new TextLength());

      assertThatThrownBy(() -> DetachedBackfills.submit(auth, spec(), t, "text", options().build()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("no UDF column 'text'");

      assertThat(rayJobs()).isEmpty();
      assertThat(db.jobs()).isEmpty();
    }
  }

  @Test
  void submit_whenTheApiServerRefuses_recordsTheJobFailed() {
    mock.client()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(RayJobResource.CRD_NAME)
        .delete();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = table(db, new TextLength());

      assertThatThrownBy(() -> DetachedBackfills.submit(auth, spec(), t, "len", options().build()))
          .isInstanceOf(RayClusterException.class)
          .hasMessageContaining("is not installed");

      JobRecord failed = db.jobs().get(0);
      assertThat(failed.state()).isEqualTo(JobState.FAILED);
      assertThat(failed.error().orElseThrow())
          .contains("could not be submitted")
          .contains("is not installed");
      assertThat(rayJobs()).isEmpty();
    }
  }
}
