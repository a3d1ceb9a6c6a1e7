package dev.geneva.ray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobRecord;
import dev.geneva.Table;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import dev.geneva.testing.TaskTimes;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task times measured on Ray workers (embedded, LOCAL mode) travel back with the results. */
class RayTaskTimesTest {
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
  void backfill_whenTasksRunOnRay_recordsReadUdfAndWriteTimesWithinTaskTime() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 2_000, 400);
      t.addColumns(Map.of("len", new SlowLength()));

      BackfillResult result =
          t.backfill("len", BackfillOptions.builder().concurrency(2).batchSize(100).build());

      assertThat(result.executor()).isEqualTo("ray-local");
      JobRecord job = db.jobs().get(0);
      // 20 batches of 100 rows, each sleeping 20 ms in the UDF.
      TaskTimes.assertWithinTaskTime(job, 20 * 20);
      assertThat(result.metrics()).isEqualTo(job.metrics());
    }
  }
}
