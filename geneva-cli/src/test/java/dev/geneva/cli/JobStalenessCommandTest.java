package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geneva jobs --db} on a job whose client died: reported stale, with the task times. */
class JobStalenessCommandTest {
  @TempDir Path dir;

  @Test
  void jobs_whenARunningJobStoppedReporting_printsItStaleUnlessTheThresholdIsLonger()
      throws Exception {
    String db = dir.resolve("db").toString();
    Instant lastHeard = Instant.now().minus(Duration.ofHours(1));
    try (Connection conn = Geneva.connect(db)) {
      conn.jobHistory()
          .record(
              JobRecord.builder()
                  .jobId("geneva-len-dead")
                  .table("docs")
                  .column("len")
                  .state(JobState.RUNNING)
                  .createdAt(lastHeard)
                  .startedAt(lastHeard)
                  .updatedAt(lastHeard)
                  .executor("threads")
                  .metric(JobMetrics.READ_IO_TIME_MS, 1_500)
                  .metric(JobMetrics.UDF_PROCESSING_TIME, 42_000)
                  .metric(JobMetrics.WRITER_WRITE_TIME, 800)
                  .build());
    }

    Result text = Cli.run("jobs", "--db", db);
    assertThat(text.exit()).as(text.toString()).isZero();
    assertThat(text.out())
        .contains("RUNNING")
        .contains("stale since " + lastHeard.truncatedTo(java.time.temporal.ChronoUnit.MICROS))
        .contains("no report for over 10 min")
        .contains("1.5/42.0/0.8");

    Result json = Cli.run("jobs", "--db", db, "--json");
    JsonNode job = new ObjectMapper().readTree(json.out()).get(0);
    assertThat(job.path("state").asText()).isEqualTo("RUNNING");
    assertThat(job.path("staleSince").isTextual()).isTrue();

    Result patient = Cli.run("jobs", "--db", db, "--stale-after", "2h", "--json");
    assertThat(new ObjectMapper().readTree(patient.out()).get(0).path("staleSince").isNull())
        .isTrue();
  }
}
