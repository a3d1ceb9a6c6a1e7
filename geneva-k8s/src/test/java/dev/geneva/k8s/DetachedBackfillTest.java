package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.BackfillOptions;
import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.k8s.testing.FaultProxy;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.k8s.testing.RayJobStatuses;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.EntrypointBuilder;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackager;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link DetachedBackfills} against fabric8's mock API server in CRUD mode with KubeRay's RayJob
 * CRD: the RayJob it creates, input it refuses before any call, the statuses it follows (the test
 * plays the operator by writing the RayJob's status), cancel, and a create whose answer is lost.
 */
class DetachedBackfillTest {
  private static final String NS = "geneva";
  private static final String TABLE = "s3://bucket/db/docs.lance";
  private static final String PACKAGE = "s3://bucket/jobs/geneva-job.zip";
  private static final ObjectMapper JSON = new ObjectMapper();

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
        .labels(Map.of("team", "data"))
        .workerGroup(WorkerGroupSpec.builder().name("cpu").minReplicas(0).maxReplicas(4).build())
        .build();
  }

  private static DetachedBackfillOptions.Builder options() {
    return DetachedBackfillOptions.builder(JobPackage.remote(PACKAGE))
        .pollInterval(Duration.ofMillis(10));
  }

  private List<RayJobResource> rayJobs() {
    return mock.client().resources(RayJobResource.class).inNamespace(NS).list().getItems();
  }

  private void operator(String name, String jobStatus, String deploymentStatus, String reason) {
    RayJobStatuses.write(mock.client(), NS, name, jobStatus, deploymentStatus, reason);
  }

  private DetachedBackfill submit(String name) {
    return DetachedBackfills.submit(auth, spec(), TABLE, "embedding", options().name(name).build());
  }

  @Test
  void submit_whenValid_expectRayJobThatShutsItsClusterDownAndCarriesGenevaLabels()
      throws IOException {
    try (DetachedBackfill job =
        DetachedBackfills.submit(
            auth,
            spec(),
            TABLE,
            "embedding",
            options()
                .name("embed-docs")
                .backfillOptions(BackfillOptions.builder().where("id < 10").concurrency(3).build())
                .jvmOptions("-Xmx2g")
                .build())) {
      assertThat(job.name()).isEqualTo("embed-docs");
      assertThat(job.namespace()).isEqualTo(NS);
    }
    List<RayJobResource> jobs = rayJobs();
    assertThat(jobs).hasSize(1);
    RayJobResource rj = jobs.get(0);
    assertThat(rj.getMetadata().getLabels())
        .containsEntry(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE)
        .containsKeys(
            RayCluster.OWNER_LABEL, RayCluster.SESSION_LABEL, RayCluster.SDK_VERSION_LABEL)
        .containsEntry("team", "data");
    assertThat(rj.getMetadata().getAnnotations())
        .containsEntry("geneva.dev/table", TABLE)
        .containsEntry("geneva.dev/column", "embedding");
    assertThat(rj.getSpec().getShutdownAfterJobFinishes()).isTrue();
    assertThat(rj.getSpec().getTtlSecondsAfterFinished())
        .isEqualTo(DetachedBackfillOptions.DEFAULT_TTL_SECONDS);
    assertThat(rj.getSpec().getActiveDeadlineSeconds()).isNull();
    assertThat(rj.getSpec().getSubmissionMode()).isEqualTo("HTTPMode");
    String entrypoint = rj.getSpec().getEntrypoint();
    assertThat(entrypoint)
        .contains(EntrypointBuilder.DRIVER_CLASS)
        .contains("-Dray.job.runtime-env.jars.0=" + PACKAGE)
        .contains("-Xmx2g")
        .contains("-D" + DriverArgs.CPU_ONLY_RESOURCE_PROPERTY + "=cpu-only")
        .endsWith(
            String.join(
                " ",
                new DriverArgs(
                        TABLE,
                        "embedding",
                        BackfillOptions.builder().where("id < 10").concurrency(3).build())
                    .toArgs().stream().map(EntrypointBuilder::quote).toList()));
    JsonNode env = JSON.readTree(rj.getSpec().getRuntimeEnvYAML());
    assertThat(env.get("working_dir").asText()).isEqualTo(PACKAGE);
    assertThat(env.get("env_vars").has(DriverArgs.STORAGE_OPTIONS_ENV)).isFalse();
    assertThat(rj.getSpec().getMetadata())
        .containsEntry("geneva.table", TABLE)
        .containsEntry("geneva.column", "embedding");
    var cluster = rj.getSpec().getRayClusterSpec();
    assertThat(cluster.getRayVersion()).isEqualTo(RayCluster.DEFAULT_RAY_VERSION);
    assertThat(cluster.getHeadGroupSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE);
    assertThat(cluster.getWorkerGroupSpecs()).hasSize(1);
    // KubeRay 1.3 has per-group idle timeouts; the installed CRD is read for them.
    assertThat(cluster.getWorkerGroupSpecs().get(0).getIdleTimeoutSeconds()).isNotNull();
  }

  @Test
  void submit_whenOptionsSet_expectTtlDeadlineShutdownAndStorageOptionsInRayJob()
      throws IOException {
    try (DetachedBackfill job =
        DetachedBackfills.submit(
            auth,
            spec(),
            TABLE,
            "embedding",
            options()
                .ttlAfterFinished(Duration.ZERO)
                .activeDeadline(Duration.ofHours(6))
                .shutdownAfterJobFinishes(false)
                .storageOptions(Map.of("aws_region", "us-east-1"))
                .build())) {
      assertThat(job.name()).startsWith("geneva-embedding-");
      assertThat(job.toString()).doesNotContain("us-east-1");
    }
    RayJobResource rj = rayJobs().get(0);
    assertThat(rj.getSpec().getTtlSecondsAfterFinished()).isZero();
    assertThat(rj.getSpec().getActiveDeadlineSeconds()).isEqualTo(6 * 3600);
    assertThat(rj.getSpec().getShutdownAfterJobFinishes()).isFalse();
    JsonNode env = JSON.readTree(rj.getSpec().getRuntimeEnvYAML()).get("env_vars");
    assertThat(
            JSON.readTree(env.get(DriverArgs.STORAGE_OPTIONS_ENV).asText())
                .get("aws_region")
                .asText())
        .isEqualTo("us-east-1");
  }

  @Test
  void submit_whenPackageBakedIntoImage_expectNoWorkingDirAndImageClasspath() {
    DetachedBackfills.submit(
            auth,
            spec(),
            TABLE,
            "embedding",
            DetachedBackfillOptions.builder(JobPackage.baked("/opt/geneva/lib")).build())
        .close();
    RayJobResource rj = rayJobs().get(0);
    assertThat(rj.getSpec().getRuntimeEnvYAML()).doesNotContain("working_dir");
    assertThat(rj.getSpec().getEntrypoint())
        .contains("'/opt/geneva/lib/*'")
        .contains("-Dray.job.code-search-path=/opt/geneva/lib");
  }

  @Test
  void options_whenPackageIsToUpload_expectErrorNamingRemoteAndBaked() throws IOException {
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Files.writeString(classes.resolve("a.txt"), "x");
    JobPackage upload = JobPackager.of(List.of(classes)).build();
    assertThatThrownBy(() -> DetachedBackfillOptions.builder(upload))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("JobPackage.remote(")
        .hasMessageContaining("JobPackage.baked(");
  }

  @Test
  void options_whenValuesOutOfRange_expectErrorsNamingTheOption() {
    var b = options();
    assertThatThrownBy(() -> b.name("a-name-that-is-much-too-long-for-a-rayjob-x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("DetachedBackfillOptions.name")
        .hasMessageContaining("at most 36");
    assertThatThrownBy(() -> b.name("9lives"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("starting with a letter");
    assertThatThrownBy(() -> b.name("Upper"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("lower-case");
    assertThatThrownBy(() -> b.ttlAfterFinished(Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("ttlAfterFinished");
    assertThatThrownBy(() -> b.activeDeadline(Duration.ZERO))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("activeDeadline");
    assertThatThrownBy(() -> b.jvmOptions(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("jvmOptions");
  }

  @ParameterizedTest(name = "table={0} column={1}")
  @CsvSource({"s3://bucket/db/docs, embedding", "'', embedding", "s3://bucket/db/docs.lance, ' '"})
  void submit_whenTableOrColumnInvalid_expectInvalidInputAndNoRequest(String table, String column) {
    int before = mock.server().getRequestCount();
    assertThatThrownBy(
            () -> DetachedBackfills.submit(auth, spec(), table, column, options().build()))
        .isInstanceOf(InvalidInputException.class);
    assertThat(mock.server().getRequestCount()).isEqualTo(before);
    assertThat(rayJobs()).isEmpty();
  }

  @Test
  void submit_whenPodTemplateOverrideBreaksTemplate_expectInvalidInputAndNoRequest() {
    RayClusterSpec broken =
        spec().toBuilder()
            .headGroup(HeadGroupSpec.builder().podTemplateOverride(t -> null).build())
            .build();
    int before = mock.server().getRequestCount();
    assertThatThrownBy(
            () -> DetachedBackfills.submit(auth, broken, TABLE, "embedding", options().build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("podTemplateOverride");
    assertThat(mock.server().getRequestCount()).isEqualTo(before);
    assertThat(rayJobs()).isEmpty();
  }

  @Test
  void submit_whenMissingArguments_expectInvalidInputNamingThem() {
    assertThatThrownBy(() -> DetachedBackfills.submit(null, spec(), TABLE, "c", options().build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("KubeAuth");
    assertThatThrownBy(
            () ->
                DetachedBackfills.submit(
                    auth, (RayClusterSpec) null, TABLE, "c", options().build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("RayClusterSpec");
    assertThatThrownBy(() -> DetachedBackfills.submit(auth, spec(), TABLE, "c", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("DetachedBackfillOptions");
    assertThat(rayJobs()).isEmpty();
  }

  @Test
  void submit_whenRayJobCrdMissing_expectErrorSayingInstallKubeRayAndNothingCreated() {
    mock.client()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(RayJobResource.CRD_NAME)
        .delete();
    assertThatThrownBy(
            () -> DetachedBackfills.submit(auth, spec(), TABLE, "embedding", options().build()))
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("rayjobs.ray.io")
        .hasMessageContaining("is not installed")
        .hasMessageContaining("KubeRay operator");
    assertThat(rayJobs()).isEmpty();
  }

  @Test
  void submit_whenNameTaken_expectErrorAndExistingRayJobUntouched() {
    RayJobResource other = new RayJobResource();
    other.setMetadata(new ObjectMetaBuilder().withName("taken").withNamespace(NS).build());
    mock.client().resources(RayJobResource.class).inNamespace(NS).resource(other).create();

    assertThatThrownBy(() -> submit("taken"))
        .isInstanceOf(RayClusterException.class)
        .hasMessageContaining("already exists")
        .hasMessageContaining("kubectl delete rayjob taken -n geneva");
    assertThat(rayJobs()).hasSize(1);
    assertThat(rayJobs().get(0).getSpec()).isNull();
  }

  @Test
  void submit_whenCreateAnswerLost_expectRayJobAdoptedOnce() throws Exception {
    try (FaultProxy proxy =
        new FaultProxy(
            new InetSocketAddress(mock.server().getHostName(), mock.server().getPort()))) {
      proxy.dropAnswerWith504("POST", "/apis/ray.io/v1/namespaces/geneva/rayjobs", 1);
      KubeAuth viaProxy =
          KubeAuth.of(
              new ConfigBuilder(mock.client().getConfiguration())
                  .withMasterUrl(proxy.url())
                  .build());
      try (DetachedBackfill job =
          DetachedBackfills.submit(
              viaProxy, spec(), TABLE, "embedding", options().name("lost").build())) {
        assertThat(job.name()).isEqualTo("lost");
      }
      assertThat(proxy.requests("POST", "/apis/ray.io/v1/namespaces/geneva/rayjobs")).hasSize(2);
    }
    assertThat(rayJobs()).extracting(r -> r.getMetadata().getName()).containsExactly("lost");
  }

  @ParameterizedTest(name = "{0}/{1} reason={2} -> {3}")
  @CsvSource({
    "SUCCEEDED, Complete, '', SUCCEEDED",
    "FAILED, Complete, '', FAILED", // KubeRay 1.1: Complete for every final job status
    "FAILED, Failed, AppFailed, FAILED", // KubeRay 1.2 and newer
    "STOPPED, Complete, '', STOPPED",
    "RUNNING, Failed, DeadlineExceeded, FAILED",
    "'', Failed, SubmissionFailed, FAILED"
  })
  void waitUntilDone_whenOperatorReportsEnd_expectFinalState(
      String jobStatus, String deployment, String reason, DetachedBackfillState expected) {
    try (DetachedBackfill job = submit("j")) {
      List<DetachedBackfillState> seen = new ArrayList<>();
      Consumer<DetachedBackfillStatus> operator =
          s -> {
            seen.add(s.state());
            // Plays the operator: each status the client sees makes the next one happen.
            if (s.jobDeploymentStatus().isEmpty()) {
              operator("j", "", "Initializing", "");
            } else if (s.jobDeploymentStatus().equals("Initializing")) {
              operator("j", "RUNNING", "Running", "");
            } else if (s.state() == DetachedBackfillState.RUNNING) {
              operator("j", jobStatus, deployment, reason);
            }
          };
      DetachedBackfillStatus end = job.waitUntilDone(Duration.ofSeconds(30), operator);

      assertThat(end.state()).isEqualTo(expected);
      assertThat(end.isDone()).isTrue();
      assertThat(end.reason()).isEqualTo(reason);
      assertThat(end.rayClusterName()).isEqualTo("j-raycluster-abcde");
      assertThat(seen)
          .containsExactly(
              DetachedBackfillState.PENDING,
              DetachedBackfillState.PENDING,
              DetachedBackfillState.RUNNING,
              expected);
      assertThat(job.status().state()).isEqualTo(expected);
    }
  }

  @Test
  void waitUntilDone_whenJobDoesNotEndInTime_expectLatestStatusNotDone() {
    try (DetachedBackfill job = submit("slow")) {
      operator("slow", "RUNNING", "Running", "");
      long start = System.nanoTime();
      DetachedBackfillStatus s = job.waitUntilDone(Duration.ofMillis(200));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(s.state()).isEqualTo(DetachedBackfillState.RUNNING);
      assertThat(s.isDone()).isFalse();
    }
  }

  @Test
  void cancel_whenRunning_expectRayJobDeletedAndDeletedState() {
    try (DetachedBackfill job = submit("c")) {
      operator("c", "RUNNING", "Running", "");
      assertThat(job.status().state()).isEqualTo(DetachedBackfillState.RUNNING);

      assertThat(job.cancel()).isTrue();

      assertThat(rayJobs()).isEmpty();
      DetachedBackfillStatus s = job.waitUntilDone(Duration.ofSeconds(5));
      assertThat(s.state()).isEqualTo(DetachedBackfillState.DELETED);
      assertThat(s.message()).contains("deleted");
      assertThat(job.cancel()).isFalse();
    }
  }

  @Test
  void status_whenRayJobDeletedAfterItSucceeded_expectSucceededKept() {
    try (DetachedBackfill job = submit("d")) {
      operator("d", "SUCCEEDED", "Complete", "");
      assertThat(job.status().state()).isEqualTo(DetachedBackfillState.SUCCEEDED);
      mock.client().resources(RayJobResource.class).inNamespace(NS).withName("d").delete();
      assertThat(job.status().state()).isEqualTo(DetachedBackfillState.SUCCEEDED);
    }
  }

  @Test
  void close_whenCalled_expectJobKeepsRunningAndHandleRefusesCalls() {
    DetachedBackfill job = submit("k");
    job.close();
    job.close();
    assertThat(rayJobs()).hasSize(1);
    assertThatThrownBy(job::status)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("DetachedBackfills.find");
  }

  @Test
  void findAndList_whenSdkAndOtherRayJobsExist_expectOnlySdkOnesListedAndFound() {
    RayJobResource other = new RayJobResource();
    other.setMetadata(new ObjectMetaBuilder().withName("not-ours").withNamespace(NS).build());
    mock.client().resources(RayJobResource.class).inNamespace(NS).resource(other).create();
    submit("ours").close();
    operator("ours", "RUNNING", "Running", "");

    List<DetachedBackfillStatus> listed = DetachedBackfills.list(auth, NS);
    assertThat(listed).extracting(DetachedBackfillStatus::name).containsExactly("ours");
    assertThat(listed.get(0).state()).isEqualTo(DetachedBackfillState.RUNNING);
    assertThat(listed.get(0).table()).isEqualTo(TABLE);
    assertThat(listed.get(0).column()).isEqualTo("embedding");
    assertThat(listed.get(0).created()).isPresent();

    try (DetachedBackfill found =
        DetachedBackfills.find(auth, NS, "ours", Duration.ofMillis(10)).orElseThrow()) {
      assertThat(found.status().state()).isEqualTo(DetachedBackfillState.RUNNING);
    }
    assertThat(DetachedBackfills.find(auth, NS, "missing")).isEmpty();
  }
}
