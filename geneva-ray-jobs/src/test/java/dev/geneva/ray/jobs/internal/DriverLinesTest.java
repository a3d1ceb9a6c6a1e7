package dev.geneva.ray.jobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.BackfillResult;
import dev.geneva.FailedRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
}
