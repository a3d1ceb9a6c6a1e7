package dev.geneva.ray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.ChunkEmbedding;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextChunker;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views refreshed with the default executor, embedded Ray, computing their UDF columns. */
class RayViewRefreshTest {
  @TempDir Path dir;

  @BeforeAll
  static void listSessionDirs() {
    RayTestSupport.init();
  }

  @AfterEach
  void rayIsShutDownWhenEveryConnectionIsClosed() {
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @Test
  void refresh_whenDefaultExecutorIsRay_backfillsTheViewsUdfColumnsOnRay() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 600, 200);
      MaterializedView lengths =
          db.createMaterializedView(
              "lengths",
              docs.query().select("id", "text").where("id % 2 = 0"),
              Map.of("len", new TextLength()));
      MaterializedView chunks =
          db.createUdtfView(
              "chunks",
              docs.query().select("id", "text"),
              new TextChunker(),
              Map.of("embedding", new ChunkEmbedding()));

      RefreshResult r = lengths.refresh();
      RefreshResult c = chunks.refresh();
      docs.delete("id < 100");
      RefreshResult again = lengths.refresh();

      assertThat(r.backfills().get("len").executor()).isEqualTo("ray-local");
      assertThat(c.backfills().get("embedding").executor()).isEqualTo("ray-local");
      assertThat(again.viewRowsDeleted()).isEqualTo(50);
      Map<Long, Object> len = LanceColumns.byId(db.allocator(), lengths.table().uri(), "len");
      assertThat(len).hasSize(250);
      len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
      assertThat(chunks.table().countRows("embedding IS NULL")).isZero();
      assertThat(chunks.table().countRows()).isEqualTo(c.viewRowsAdded());
    }
  }
}
