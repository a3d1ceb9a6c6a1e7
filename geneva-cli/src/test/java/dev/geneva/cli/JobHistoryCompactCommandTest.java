package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.JobHistory;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geneva jobs compact --db} and the running-job line of {@code geneva jobs --db}. */
class JobHistoryCompactCommandTest {
  @TempDir Path dir;

  private static final Instant CREATED = Instant.now().minus(Duration.ofHours(2));

  private static JobRecord report(String id, JobState state, Instant at, long ready) {
    return JobRecord.builder()
        .jobId(id)
        .table("docs")
        .column("len")
        .udfClass("com.example.Len")
        .udfVersion("1")
        .state(state)
        .createdAt(CREATED)
        .startedAt(CREATED)
        .endedAt(state.isTerminal() ? at : null)
        .updatedAt(at)
        .executor("threads")
        .metric(JobMetrics.WORKERS, 4)
        .metric(JobMetrics.CNT_GENEVA_WORKERS_ACTIVE, state.isTerminal() ? 0 : 3)
        .metric(JobMetrics.ROWS_READY_FOR_COMMIT, ready)
        .metric(JobMetrics.ROWS_COMMITTED, 1_000)
        .build();
  }

  @Test
  void jobsCompact_whenHeartbeatsPiledUp_deletesThemAndEveryJobReadsTheSame() throws Exception {
    String db = dir.resolve("db").toString();
    Instant now = Instant.now();
    try (Connection conn =
        Geneva.connect(db, ConnectOptions.builder().jobHistoryCompactAfter(0).build())) {
      JobHistory history = conn.jobHistory();
      for (int i = 20; i > 0; i--) {
        history.record(report("done-job", JobState.RUNNING, now.minusSeconds(60L * i + 30), i));
        history.record(report("running-job", JobState.RUNNING, now.minusSeconds(60L * i), i));
      }
      history.record(report("done-job", JobState.DONE, now.minusSeconds(10), 0));
    }
    Result before = Cli.run("jobs", "--db", db, "--json");
    Result text = Cli.run("jobs", "--db", db);
    assertThat(text.out())
        .contains("3 of 4 workers active, 1 rows ready for commit, 1000 committed")
        .doesNotContain("0 of 4 workers active");

    Result compact = Cli.run("jobs", "compact", "--db", db, "--json");
    assertThat(compact.exit()).as(compact.toString()).isZero();
    JsonNode c = new ObjectMapper().readTree(compact.out());
    assertThat(c.path("rowsBefore").asLong()).isEqualTo(41);
    assertThat(c.path("rowsDeleted").asLong()).isEqualTo(41 - 5);
    assertThat(c.path("fragmentsBefore").asInt()).isEqualTo(41);
    assertThat(c.path("fragmentsAfter").asInt()).isEqualTo(1);

    Result after = Cli.run("jobs", "--db", db, "--json");
    assertThat(new ObjectMapper().readTree(after.out()))
        .isEqualTo(new ObjectMapper().readTree(before.out()));

    Result again = Cli.run("jobs", "compact", "--db", db);
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("compacted").contains("0 of 5 reports deleted");
  }

  @Test
  void jobsCompact_whenNothingWasRecorded_saysSoAndCreatesNothing() {
    Path db = dir.resolve("empty");
    Result r = Cli.run("jobs", "compact", "--db", db.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("nothing to compact");
    assertThat(Files.exists(db.resolve("_geneva").resolve("jobs.lance"))).isFalse();
  }
}
