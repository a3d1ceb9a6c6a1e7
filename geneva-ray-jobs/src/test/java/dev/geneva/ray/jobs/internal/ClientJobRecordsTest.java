package dev.geneva.ray.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.Table;
import dev.geneva.testing.GroupUdfs;
import dev.geneva.testing.SampleTables;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the client records of a job it submits, before the driver records more. */
class ClientJobRecordsTest {
  @TempDir Path dir;

  @Test
  void pending_whenColumnIsAGroupMember_recordsTheGroupAndItsUdf() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 10, 10);
      t.addColumns(Map.of("stats", new GroupUdfs.Stats()));

      ClientJobRecords.pending(t, "lang", "job-1", "ray-cluster:geneva/test", null, null);

      JobRecord r = db.jobHistory().get("job-1").orElseThrow();
      assertThat(r.column()).isEqualTo("stats");
      assertThat(r.udfClass()).isEqualTo(GroupUdfs.Stats.class.getName());
      assertThat(r.udfVersion()).isEqualTo("1");
      assertThat(r.state()).isEqualTo(JobState.PENDING);
    }
  }
}
