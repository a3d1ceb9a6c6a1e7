package dev.geneva.spi;

/**
 * Where a task's time went on its worker, measured around whole batches (never per row): reading
 * its input columns, calling the UDF, writing its column file, and recording its checkpoint. The
 * backfill sums them into the job's {@link dev.geneva.JobMetrics} ({@code read_io_time_ms}, {@code
 * udf_processing_time}, {@code writer_write_time}, {@code batch_checkpointing_time}).
 *
 * @param readNanos opening the scan and loading input batches
 * @param udfNanos the UDF's calls, retries and backoff included
 * @param writeNanos creating, filling and closing the column's data file (keeping existing values
 *     included)
 * @param checkpointNanos recording the result as a checkpoint
 */
public record TaskTimings(long readNanos, long udfNanos, long writeNanos, long checkpointNanos) {
  /** No time measured: results read back from checkpoints, or written by an older Geneva. */
  public static final TaskTimings NONE = new TaskTimings(0, 0, 0, 0);

  /**
   * Checks the values.
   *
   * @param readNanos opening the scan and loading input batches
   * @param udfNanos the UDF's calls
   * @param writeNanos writing the column's data file
   * @param checkpointNanos recording the checkpoint
   */
  public TaskTimings {
    if (readNanos < 0 || udfNanos < 0 || writeNanos < 0 || checkpointNanos < 0) {
      throw new IllegalArgumentException(
          "negative task time: read "
              + readNanos
              + ", udf "
              + udfNanos
              + ", write "
              + writeNanos
              + ", checkpoint "
              + checkpointNanos
              + " ns");
    }
  }

  /**
   * These timings with checkpoint time added.
   *
   * @param nanos the time to add
   * @return the sum
   */
  public TaskTimings plusCheckpoint(long nanos) {
    return new TaskTimings(readNanos, udfNanos, writeNanos, checkpointNanos + Math.max(0, nanos));
  }
}
