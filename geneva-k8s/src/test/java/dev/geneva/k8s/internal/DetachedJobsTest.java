package dev.geneva.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.DetachedBackfillOptions;
import dev.geneva.k8s.DetachedBackfillState;
import dev.geneva.k8s.internal.crd.RayJobStatus;
import dev.geneva.ray.jobs.JobPackage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How KubeRay's two RayJob statuses map to a {@link DetachedBackfillState}, and RayJob names. */
class DetachedJobsTest {
  @ParameterizedTest(name = "jobStatus={0} deployment={1} -> {2}")
  @CsvSource({
    "'', '', PENDING",
    "'', Initializing, PENDING",
    "PENDING, Running, PENDING",
    "RUNNING, Running, RUNNING",
    "RUNNING, Suspending, RUNNING",
    "'', Suspended, PENDING",
    "'', Retrying, PENDING",
    "SUCCEEDED, Running, SUCCEEDED",
    "SUCCEEDED, Complete, SUCCEEDED",
    "FAILED, Complete, FAILED",
    "STOPPED, Complete, STOPPED",
    "RUNNING, Failed, FAILED",
    "'', ValidationFailed, FAILED",
    "'', Complete, FAILED"
  })
  void state_whenStatusesGiven_expectState(
      String jobStatus, String deployment, DetachedBackfillState expected) {
    RayJobStatus s = new RayJobStatus();
    s.setJobStatus(jobStatus);
    s.setJobDeploymentStatus(deployment);
    assertThat(DetachedJobs.state(s)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"embedding", "Embedding_Vector_With_A_Very_Long_Name_Indeed", "___", "9-lives"})
  void name_whenGenerated_expectValidShortRayJobName(String column) {
    DetachedBackfillOptions options =
        DetachedBackfillOptions.builder(JobPackage.remote("s3://b/j.zip")).build();
    String name = DetachedJobs.name(options, column);
    assertThat(name)
        .startsWith("geneva-")
        .matches("[a-z]([-a-z0-9]*[a-z0-9])?")
        .hasSizeLessThanOrEqualTo(DetachedBackfillOptions.MAX_NAME_LENGTH);
    // A generated name is one the options' own check accepts.
    assertThat(options.toBuilder().name(name).build().name()).contains(name);
  }
}
