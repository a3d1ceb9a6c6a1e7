package dev.geneva.ray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.ray.testing.ThreadRecordingLength;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.testing.SampleTables;
import io.ray.api.Ray;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing the executor with geneva-ray on the class path (where embedded Ray is the default):
 * threads per connection, per backfill, and a per-backfill choice over the connection's.
 */
class ExecutorChoiceTest {
  private static final int ROWS = 600;

  @TempDir Path dir;

  @BeforeAll
  static void listSessionDirs() {
    RayTestSupport.init();
  }

  @BeforeEach
  void forgetThreads() {
    ThreadRecordingLength.THREADS.clear();
  }

  @AfterEach
  void rayIsShutDown() {
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @Test
  void backfill_whenConnectionChoosesThreads_runsOnThreadsNotRay() {
    try (BackfillExecutor threads = BackfillExecutors.threads();
        Connection db =
            Geneva.connect(dir.toString(), ConnectOptions.builder().executor(threads).build())) {
      BackfillResult r = backfill(db, BackfillOptions.defaults());

      assertThat(r.executor()).isEqualTo("threads");
      assertThat(r.rowsProcessed()).isEqualTo(ROWS);
      assertThat(ThreadRecordingLength.THREADS)
          .isNotEmpty()
          .allSatisfy(name -> assertThat(name).startsWith("geneva-len-"));
      assertThat(Ray.isInitialized()).as("Ray started").isFalse();
    }
  }

  @Test
  void backfill_whenBackfillChoosesThreadsOverConnectionsRay_runsOnThreads() {
    try (RayExecutor ray = RayExecutor.local();
        BackfillExecutor threads = BackfillExecutors.threads();
        Connection db =
            Geneva.connect(dir.toString(), ConnectOptions.builder().executor(ray).build())) {
      BackfillResult r = backfill(db, BackfillOptions.builder().executor(threads).build());

      assertThat(r.executor()).isEqualTo("threads");
      assertThat(r.rowsProcessed()).isEqualTo(ROWS);
      assertThat(ThreadRecordingLength.THREADS)
          .isNotEmpty()
          .allSatisfy(name -> assertThat(name).startsWith("geneva-len-"));
    }
  }

  @Test
  void backfill_whenBackfillChoosesRayOverConnectionsThreads_runsOnRay() {
    try (BackfillExecutor threads = BackfillExecutors.threads();
        RayExecutor ray = RayExecutor.local();
        Connection db =
            Geneva.connect(dir.toString(), ConnectOptions.builder().executor(threads).build())) {
      BackfillResult r = backfill(db, BackfillOptions.builder().executor(ray).build());

      assertThat(r.executor()).isEqualTo("ray-local");
      assertThat(r.rowsProcessed()).isEqualTo(ROWS);
      assertThat(ThreadRecordingLength.THREADS)
          .isNotEmpty()
          .noneSatisfy(name -> assertThat(name).startsWith("geneva-len-"));
    }
  }

  @Test
  void backfill_whenNothingChosen_runsOnEmbeddedRay() {
    try (Connection db = Geneva.connect(dir.toString())) {
      BackfillResult r = backfill(db, BackfillOptions.defaults());

      assertThat(r.executor()).isEqualTo("ray-local");
      assertThat(r.rowsProcessed()).isEqualTo(ROWS);
    }
  }

  private static BackfillResult backfill(Connection db, BackfillOptions options) {
    Table t = SampleTables.create(db, "docs", ROWS, 200);
    t.addColumns(Map.of("len", new ThreadRecordingLength()));
    BackfillResult r = t.backfill("len", options.toBuilder().concurrency(2).build());
    assertThat(t.countRows("len IS NULL AND text IS NOT NULL")).isZero();
    return r;
  }
}
