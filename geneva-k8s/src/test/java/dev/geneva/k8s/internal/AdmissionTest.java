package dev.geneva.k8s.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.ResourcesDoNotFitException;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.udf.Resources;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a UDF's resources fit some worker group, with the numbers when they do not. */
class AdmissionTest {
  private static final long GIB = 1024L * 1024 * 1024;

  private static RayClusterSpec cluster(WorkerGroupSpec... groups) {
    RayClusterSpec.Builder b =
        RayClusterSpec.builder()
            .name("embed")
            .namespace("geneva")
            .headGroup(HeadGroupSpec.builder().build());
    for (WorkerGroupSpec g : groups) {
      b.workerGroup(g);
    }
    return b.build();
  }

  private static final WorkerGroupSpec CPU =
      WorkerGroupSpec.builder().name("cpu").cpus(4).memory("8Gi").build();
  private static final WorkerGroupSpec GPU =
      WorkerGroupSpec.builder().name("gpu").cpus(8).gpus(1).memory("32Gi").build();

  @Test
  void check_whenSomeGroupOffersEnough_passes() {
    assertThatCode(
            () -> Admission.check(cluster(CPU, GPU), "Embed", "e", Resources.of(8, 1, 16 * GIB)))
        .doesNotThrowAnyException();
    assertThatCode(() -> Admission.check(cluster(CPU), "Len", "len", Resources.of(4, 0, 5 * GIB)))
        .as("8Gi less Ray's 30% object store leaves 5.6 GiB for tasks")
        .doesNotThrowAnyException();
  }

  @Test
  void check_whenGpusAreMissing_failsWithTheNumbersAndTheFix() {
    assertThatThrownBy(
            () -> Admission.check(cluster(CPU), "com.acme.Embed", "e", Resources.of(1, 1, 0)))
        .isInstanceOf(ResourcesDoNotFitException.class)
        .hasMessageContaining("com.acme.Embed")
        .hasMessageContaining("column 'e'")
        .hasMessageContaining("1 CPUs, 1 GPUs")
        .hasMessageContaining("'cpu': 4 CPUs, 0 GPUs, 5734 MiB for tasks (of 8Gi)")
        .hasMessageContaining("geneva/embed")
        .hasMessageContaining("Nothing was submitted")
        .hasMessageContaining("WorkerGroupSpec.builder()");
  }

  @Test
  void check_whenMemoryFitsTheContainerButNotWhatRayLeavesTasks_fails() {
    assertThatThrownBy(() -> Admission.check(cluster(CPU), "Big", "b", Resources.of(1, 0, 7 * GIB)))
        .isInstanceOf(ResourcesDoNotFitException.class)
        .hasMessageContaining("7168 MiB per task")
        .hasMessageContaining("object store");
    WorkerGroupSpec tuned =
        CPU.toBuilder().rayStartParam("object-store-memory", Long.toString(GIB)).build();
    assertThatCode(() -> Admission.check(cluster(tuned), "Big", "b", Resources.of(1, 0, 7 * GIB)))
        .doesNotThrowAnyException();
  }

  @Test
  void check_whenOnlyGpuWorkersCouldHoldACpuTask_failsBecauseCpuTasksStayOffThem() {
    WorkerGroupSpec smallCpu = WorkerGroupSpec.builder().name("small").cpus(1).build();
    assertThatThrownBy(
            () -> Admission.check(cluster(smallCpu, GPU), "Len", "len", Resources.of(4, 0, 0)))
        .isInstanceOf(ResourcesDoNotFitException.class)
        .hasMessageContaining("'small': 1 CPUs")
        .hasMessageContaining("'gpu': 8 CPUs, 1 GPUs")
        .hasMessageContaining("tasks without GPUs stay off it");
  }

  @Test
  void check_whenTableColumnIsAGroupOrItsMember_checksTheGroupsUdf(@TempDir Path dir) {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .outputColumns(
                UdfTypes.named("n", UdfTypes.int64()), UdfTypes.named("label", UdfTypes.utf8()))
            .resources(Resources.of(16, 0, 0))
            .build();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 10, 10);
      t.addColumns(Map.of("pair", new Scripted()));

      for (String name : List.of("pair", "label")) {
        assertThatThrownBy(() -> Admission.check(cluster(CPU), t, name))
            .as("admission of %s", name)
            .isInstanceOf(ResourcesDoNotFitException.class)
            .hasMessageContaining(Scripted.class.getName());
      }
    } finally {
      Scripted.spec = null;
    }
  }
}
