package dev.geneva.ray.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillResult;
import dev.geneva.FailedRow;
import dev.geneva.JobMetrics;
import dev.geneva.RefreshResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DriverLinesTest {
  private static BackfillResult result(List<FailedRow> failed, String udfChange) {
    return new BackfillResult(
        "s3://b/db/docs.lance",
        "n",
        "ray",
        10,
        0,
        failed.size(),
        1,
        1,
        3,
        4,
        1,
        Duration.ofMillis(1500),
        failed,
        udfChange);
  }

  @Test
  void findRefreshResult_whenDriverPrintedARefresh_readsItBackWithEachBackfill() {
    BackfillResult len = result(List.of(new FailedRow(7, "java.io.IOException", "no")), null);
    BackfillResult embedding =
        new BackfillResult(
            "s3://b/db/docs.lance",
            "e",
            "ray",
            5,
            1,
            0,
            2,
            2,
            4,
            5,
            1,
            Duration.ofMillis(9),
            List.of(),
            null);
    RefreshResult first =
        new RefreshResult(
            "chunks",
            OptionalLong.empty(),
            3,
            10,
            40,
            0,
            1,
            Map.of("n", len),
            6,
            Duration.ofMillis(2500));
    RefreshResult next =
        new RefreshResult(
            "chunks",
            OptionalLong.of(3),
            5,
            2,
            8,
            4,
            0,
            new LinkedHashMap<>(Map.of("e", embedding)),
            9,
            Duration.ofMillis(700));

    String logs =
        DriverLines.refreshResult(first)
            + "\n"
            + DriverLines.result(embedding)
            + "\n"
            + DriverLines.refreshResult(next)
            + "\n";

    assertThat(DriverLines.findRefreshResult(logs)).contains(next);
    assertThat(DriverLines.findRefreshResult(DriverLines.refreshResult(first))).contains(first);
    assertThat(DriverLines.findResult(logs))
        .as("a backfill line is not a refresh's")
        .contains(embedding);
    assertThat(DriverLines.findRefreshResult(DriverLines.result(embedding))).isEmpty();
  }

  @Test
  void findResult_whenDriverPrintedFailedRowsAndUdfChange_readsThemBack() {
    BackfillResult r =
        result(
            List.of(
                new FailedRow((2L << 32) + 5, "java.io.IOException", "timed out \"quoted\""),
                new FailedRow(7, "java.lang.IllegalStateException", null)),
            "version 1 -> 2");

    String logs = "starting\n" + DriverLines.result(r) + "\nbye\n";

    assertThat(DriverLines.findResult(logs)).contains(r);
  }

  @Test
  void result_whenManyFailedRows_carriesTheFirstHundredAndTheFullCount() {
    List<FailedRow> failed = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      failed.add(new FailedRow(i, "java.lang.RuntimeException", "row " + i));
    }

    BackfillResult back = DriverLines.findResult(DriverLines.result(result(failed, null))).get();

    assertThat(back.rowsFailed()).isEqualTo(250);
    assertThat(back.failedRows()).hasSize(100).isEqualTo(failed.subList(0, 100));
    assertThat(back.udfChange()).isNull();
  }

  @Test
  void findResult_whenDriverPrintedMetrics_readsTheKnownOnesBack() {
    BackfillResult sent =
        new BackfillResult(
            "s3://b/db/docs.lance",
            "n",
            "ray-cluster",
            10,
            0,
            0,
            1,
            1,
            3,
            4,
            1,
            Duration.ofMillis(1500),
            List.of(),
            null,
            java.util.Map.of(
                JobMetrics.UDF_PROCESSING_TIME, 1200L,
                JobMetrics.READ_IO_TIME_MS, 30L,
                JobMetrics.WRITER_WRITE_TIME, 45L));
    String line = DriverLines.result(sent).replace("\"metrics\":{", "\"metrics\":{\"later\":1,");

    BackfillResult back = DriverLines.findResult(line).get();

    assertThat(back.metrics()).isEqualTo(sent.metrics());
    assertThat(back.metric(JobMetrics.UDF_PROCESSING_TIME)).isEqualTo(1200);
  }
}
