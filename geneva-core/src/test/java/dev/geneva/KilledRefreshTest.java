package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.ChunkEmbedding;
import dev.geneva.testing.RefreshProcess;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowChunker;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refresh whose JVM is killed part-way resumes to the result of a clean refresh. */
class KilledRefreshTest {
  @TempDir Path dir;

  @Test
  void refresh_whenJvmKilledPartWay_nextRefreshEqualsACleanView() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 1_000, 100);
      db.createUdtfView(
          "chunks",
          docs.query().select("id", "text"),
          new SlowChunker(),
          Map.of("embedding", new ChunkEmbedding()));
    }

    Process child = RefreshProcess.start(dir, "chunks");
    long viewRows = 0;
    try (Connection db = Geneva.connect(dir.toString())) {
      Table view = db.openTable("chunks");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (viewRows == 0 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
        viewRows = view.countRows();
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(viewRows).as("the child committed some fragments before it was killed").isPositive();

    try (Connection db = Geneva.connect(dir.toString())) {
      MaterializedView view = db.openMaterializedView("chunks");
      assertThat(view.refreshedVersion()).as("the killed refresh did not finish").isEmpty();
      assertThat(view.planRefresh().resuming()).isTrue();

      view.refresh();

      MaterializedView scratch =
          db.createUdtfView(
              "scratch",
              db.openTable("docs").query().select("id", "text"),
              new SlowChunker(),
              Map.of("embedding", new ChunkEmbedding()));
      scratch.refresh();
      assertThat(MaterializedViewTest.rows(view.table().uri()))
          .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
      assertThat(view.table().countRows("embedding IS NULL")).isZero();
    }
  }
}
