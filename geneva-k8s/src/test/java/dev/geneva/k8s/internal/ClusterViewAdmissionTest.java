package dev.geneva.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshOptions;
import dev.geneva.Table;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.ResourcesDoNotFitException;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Resources;
import dev.geneva.udf.UdfSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A view refresh whose UDF columns go to a cluster checks them against its worker groups before it
 * writes anything.
 */
class ClusterViewAdmissionTest {
  @TempDir Path dir;

  /** Text length asking for more CPUs than the cluster's workers have. */
  public static final class EightCpuLength extends TextLength {
    @Override
    public UdfSpec spec() {
      return super.spec().toBuilder().resources(Resources.of(8, 0, 0)).build();
    }
  }

  @Test
  void refresh_whenAViewUdfNeedsMoreCpusThanAnyWorker_failsBeforeWritingTheView() {
    RayClusterSpec spec =
        RayClusterSpec.builder()
            .name("embed")
            .namespace("geneva")
            .headGroup(HeadGroupSpec.builder().build())
            .workerGroup(WorkerGroupSpec.builder().name("worker").cpus(2).memory("4Gi").build())
            .build();
    ClusterBackfillTarget cluster =
        new ClusterBackfillTarget(
            "geneva/embed",
            spec,
            null,
            e -> {
              throw new AssertionError("nothing was submitted, so nothing failed", e);
            });
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createMaterializedView(
              "lengths", docs.query().select("id", "text"), Map.of("len", new EightCpuLength()));
      long version = view.table().version();

      assertThatThrownBy(
              () ->
                  view.refresh(
                      RefreshOptions.builder()
                          .backfillOptions(BackfillOptions.builder().target(cluster).build())
                          .build()))
          .isInstanceOf(ResourcesDoNotFitException.class)
          .hasMessageContaining("asks for 8 CPUs")
          .hasMessageContaining("'worker': 2 CPUs");

      assertThat(view.table().version()).as("nothing written").isEqualTo(version);
      assertThat(view.table().countRows()).isZero();
      assertThat(view.planRefresh().resuming()).isFalse();
    }
  }
}
