package dev.geneva.ray.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshOptions;
import dev.geneva.Table;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.Columns;
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

/**
 * Stateless Ray tasks of one backfill reuse a runner in this JVM, and none outlives the session.
 */
class RayTasksRunnerReuseTest {
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
  void runTasks_whenOneWorkerGetsSeveralCalls_buildsOneRunnerAndClosesItWithTheSession() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 2_000, 200);
      t.addColumns(Map.of("len", new TextLength()));
      int before = RayTasks.runnersCreated();

      // Concurrency 1: the calls (a quarter of the rows each) run one after another.
      BackfillResult r = t.backfill("len", BackfillOptions.builder().concurrency(1).build());

      assertThat(r.executor()).isEqualTo("ray-local");
      assertThat(r.rowsProcessed()).isEqualTo(2_000);
      assertThat(RayTasks.runnersCreated() - before)
          .as("one runner, reused by every call of the backfill")
          .isEqualTo(1);
      assertThat(RayTasks.idleRunners()).as("closed when the session closed").isZero();
      Columns.byId(t, "len")
          .forEach((id, v) -> assertThat(v).as("len of %d", id).isEqualTo(TextLength.expected(id)));

      t.addColumns(Map.of("len_again", new TextLength()));
      t.backfill("len_again", BackfillOptions.builder().concurrency(2).build());
      assertThat(RayTasks.idleRunners()).isZero();
      Columns.byId(t, "len_again")
          .forEach((id, v) -> assertThat(v).as("len of %d", id).isEqualTo(TextLength.expected(id)));
    }
  }

  @Test
  void runUdtfTasks_whenOneWorkerGetsSeveralCalls_buildsOneRunnerAndClosesItWithTheSession() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 2_000, 200);
      MaterializedView onRay =
          db.createUdtfView("chunks", docs.query().select("id", "text"), new TextChunker());
      MaterializedView onThreads =
          db.createUdtfView("expected", docs.query().select("id", "text"), new TextChunker());
      int before = RayTasks.runnersCreated();

      // Concurrency 1: the expansion's calls run one after another on one Ray worker.
      onRay.refresh(
          RefreshOptions.builder()
              .backfillOptions(BackfillOptions.builder().concurrency(1).build())
              .build());

      assertThat(RayTasks.runnersCreated() - before)
          .as("one runner, reused by every call of the expansion")
          .isEqualTo(1);
      assertThat(RayTasks.idleRunners()).as("closed when the session closed").isZero();
      try (var threads = BackfillExecutors.threads()) {
        onThreads.refresh(
            RefreshOptions.builder()
                .backfillOptions(BackfillOptions.builder().executor(threads).build())
                .build());
      }
      assertThat(LanceColumns.sortedRows(onRay.table().uri()))
          .isNotEmpty()
          .isEqualTo(LanceColumns.sortedRows(onThreads.table().uri()));
    }
  }
}
