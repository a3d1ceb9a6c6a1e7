package dev.geneva.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import java.util.List;

/** Checks of the four times a task measures, as a finished job records them. */
public final class TaskTimes {
  private TaskTimes() {}

  /** The read, UDF, write and checkpoint times. */
  public static final List<String> NAMES =
      List.of(
          JobMetrics.READ_IO_TIME_MS,
          JobMetrics.UDF_PROCESSING_TIME,
          JobMetrics.WRITER_WRITE_TIME,
          JobMetrics.BATCH_CHECKPOINTING_TIME);

  /**
   * Checks a finished job's times: all present and non-negative, the UDF's at least its sleeps, and
   * together within the summed time of the calls to workers (which also covers waiting and moving
   * tasks and results).
   *
   * @param job the job
   * @param minUdfMillis the time the UDF is known to have slept
   */
  public static void assertWithinTaskTime(JobRecord job, long minUdfMillis) {
    long sum = 0;
    for (String m : NAMES) {
      assertThat(job.metrics()).as(m).containsKey(m);
      assertThat(job.metric(m)).as(m).isNotNegative();
      sum += job.metric(m);
    }
    assertThat(job.metric(JobMetrics.UDF_PROCESSING_TIME)).isGreaterThanOrEqualTo(minUdfMillis);
    assertThat(sum)
        .as("read + UDF + write + checkpoint times of %s", job.metrics())
        .isLessThanOrEqualTo(job.metric(JobMetrics.TASK_TIME_MS));
  }
}
