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
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextChunker;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Resources;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdtfSpec;
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

  /** A chunker asking for more CPUs than the cluster's workers have. */
  public static final class EightCpuChunker extends TextChunker {
    @Override
    public UdtfSpec spec() {
      return super.spec().toBuilder().resources(Resources.of(8, 0, 0)).build();
    }
  }

  /** A chunker asking for as many CPUs as the cluster's workers have. */
  public static final class TwoCpuChunker extends TextChunker {
    @Override
    public UdtfSpec spec() {
      return super.spec().toBuilder().resources(Resources.of(2, 0, 0)).build();
    }
  }

  @Test
  void refresh_whenAViewUdfNeedsMoreCpusThanAnyWorker_failsBeforeWritingTheView() {
    ClusterBackfillTarget cluster = cluster();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createMaterializedView(
              "lengths", docs.query().select("id", "text"), Map.of("len", new EightCpuLength()));
      long version = view.table().version();

      assertThatThrownBy(() -> view.refresh(onCluster(cluster)))
          .isInstanceOf(ResourcesDoNotFitException.class)
          .hasMessageContaining("asks for 8 CPUs")
          .hasMessageContaining("'worker': 2 CPUs");

      assertThat(view.table().version()).as("nothing written").isEqualTo(version);
      assertThat(view.table().countRows()).isZero();
      assertThat(view.planRefresh().resuming()).isFalse();
    }
  }

  @Test
  void refresh_whenTheUdtfNeedsMoreCpusThanAnyWorker_failsBeforeWritingTheView() {
    ClusterBackfillTarget cluster = cluster();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createUdtfView("chunks", docs.query().select("id", "text"), new EightCpuChunker());
      long version = view.table().version();

      assertThatThrownBy(() -> view.refresh(onCluster(cluster)))
          .isInstanceOf(ResourcesDoNotFitException.class)
          .hasMessageContaining("the UDTF " + EightCpuChunker.class.getName())
          .hasMessageContaining("of view 'chunks' asks for 8 CPUs")
          .hasMessageContaining("'worker': 2 CPUs");

      assertThat(view.table().version()).as("nothing written").isEqualTo(version);
      assertThat(view.table().countRows()).isZero();
      assertThat(view.planRefresh().resuming()).isFalse();
    }
  }

  @Test
  void refresh_whenTheUdtfFitsAWorker_expandsAsWithoutTheCluster() {
    ClusterBackfillTarget cluster = cluster();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createUdtfView("chunks", docs.query().select("id", "text"), new TwoCpuChunker());
      MaterializedView local =
          db.createUdtfView("local", docs.query().select("id", "text"), new TwoCpuChunker());

      view.refresh(onCluster(cluster));
      local.refresh();

      assertThat(view.table().countRows()).isPositive();
      assertThat(LanceColumns.sortedRows(view.table().uri()))
          .isEqualTo(LanceColumns.sortedRows(local.table().uri()));
    }
  }

  private static RefreshOptions onCluster(ClusterBackfillTarget cluster) {
    return RefreshOptions.builder()
        .backfillOptions(BackfillOptions.builder().target(cluster).build())
        .build();
  }

  private static ClusterBackfillTarget cluster() {
    RayClusterSpec spec =
        RayClusterSpec.builder()
            .name("embed")
            .namespace("geneva")
            .headGroup(HeadGroupSpec.builder().build())
            .workerGroup(WorkerGroupSpec.builder().name("worker").cpus(2).memory("4Gi").build())
            .build();
    return new ClusterBackfillTarget(
        "geneva/embed",
        spec,
        null,
        e -> {
          throw new AssertionError("nothing was submitted, so nothing failed", e);
        });
  }
}
