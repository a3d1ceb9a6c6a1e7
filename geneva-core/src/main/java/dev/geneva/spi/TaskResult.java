package dev.geneva.spi;

import dev.geneva.FailedRow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a finished {@link BackfillTask} produced. A result names the rows it covers (fragment and
 * offset range), never a task number: task numbers belong to one plan, while a checkpointed result
 * is reused by later plans, whose numbering differs.
 *
 * @param fragmentId the fragment
 * @param rangeStart first row offset in the fragment the data file covers (inclusive)
 * @param rangeEnd last row offset in the fragment the data file covers (exclusive)
 * @param dataFile the written data file, relative to the table's {@code data/} directory
 * @param rowsComputed rows the UDF computed (including those it returned null for)
 * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
 * @param failures the first of those rows, with their errors (at most 1000 a task)
 * @param timings where the task's time went on its worker ({@link TaskTimings#NONE} for a result
 *     read back from a checkpoint)
 */
public record TaskResult(
    int fragmentId,
    long rangeStart,
    long rangeEnd,
    String dataFile,
    long rowsComputed,
    long rowsFailed,
    List<FailedRow> failures,
    TaskTimings timings) {
  /** Marks the encoding, so a record written by another layout is refused, not misread. */
  private static final int FORMAT = 0x47525234; // "GRR4"

  /** The encoding before timings: still read, so checkpoints survive an upgrade. */
  private static final int FORMAT_3 = 0x47525233; // "GRR3"

  /** The previous encoding, without failures: still read, so checkpoints survive an upgrade. */
  private static final int FORMAT_2 = 0x47525232; // "GRR2"

  /**
   * Checks the values.
   *
   * @param fragmentId the fragment
   * @param rangeStart first row offset in the fragment the data file covers (inclusive)
   * @param rangeEnd last row offset in the fragment the data file covers (exclusive)
   * @param dataFile the written data file, relative to the table's {@code data/} directory
   * @param rowsComputed rows the UDF computed (including those it returned null for)
   * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
   * @param failures the first of those rows, with their errors
   * @param timings where the task's time went on its worker
   */
  public TaskResult {
    Objects.requireNonNull(dataFile, "dataFile");
    Objects.requireNonNull(timings, "timings");
    failures = List.copyOf(failures);
    if (rangeStart < 0 || rangeEnd <= rangeStart) {
      throw new IllegalArgumentException("empty or negative range " + rangeStart + ".." + rangeEnd);
    }
  }

  /**
   * A result without timings (read back from a checkpoint).
   *
   * @param fragmentId the fragment
   * @param rangeStart first row offset in the fragment the data file covers (inclusive)
   * @param rangeEnd last row offset in the fragment the data file covers (exclusive)
   * @param dataFile the written data file, relative to the table's {@code data/} directory
   * @param rowsComputed rows the UDF computed (including those it returned null for)
   * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
   * @param failures the first of those rows, with their errors
   */
  public TaskResult(
      int fragmentId,
      long rangeStart,
      long rangeEnd,
      String dataFile,
      long rowsComputed,
      long rowsFailed,
      List<FailedRow> failures) {
    this(
        fragmentId,
        rangeStart,
        rangeEnd,
        dataFile,
        rowsComputed,
        rowsFailed,
        failures,
        TaskTimings.NONE);
  }

  /**
   * A result without recorded failures.
   *
   * @param fragmentId the fragment
   * @param rangeStart first row offset in the fragment the data file covers (inclusive)
   * @param rangeEnd last row offset in the fragment the data file covers (exclusive)
   * @param dataFile the written data file, relative to the table's {@code data/} directory
   * @param rowsComputed rows the UDF computed (including those it returned null for)
   * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
   */
  public TaskResult(
      int fragmentId,
      long rangeStart,
      long rangeEnd,
      String dataFile,
      long rowsComputed,
      long rowsFailed) {
    this(fragmentId, rangeStart, rangeEnd, dataFile, rowsComputed, rowsFailed, List.of());
  }

  /**
   * The result of a task, for the rows the task covers.
   *
   * @param task the finished task
   * @param dataFile the written data file, relative to the table's {@code data/} directory
   * @param rowsComputed rows the UDF computed (including those it returned null for)
   * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
   * @param failures the first of those rows, with their errors
   * @param timings where the task's time went
   * @return the result
   */
  public static TaskResult of(
      BackfillTask task,
      String dataFile,
      long rowsComputed,
      long rowsFailed,
      List<FailedRow> failures,
      TaskTimings timings) {
    return new TaskResult(
        task.fragmentId(),
        task.rangeStart(),
        task.rangeEnd(),
        dataFile,
        rowsComputed,
        rowsFailed,
        failures,
        timings);
  }

  /**
   * This result with other timings.
   *
   * @param timings the timings
   * @return the result
   */
  public TaskResult withTimings(TaskTimings timings) {
    return new TaskResult(
        fragmentId, rangeStart, rangeEnd, dataFile, rowsComputed, rowsFailed, failures, timings);
  }

  /**
   * Whether this result covers exactly the rows of a task.
   *
   * @param task the task
   * @return true when fragment and range are the task's
   */
  public boolean covers(BackfillTask task) {
    return fragmentId == task.fragmentId()
        && rangeStart == task.rangeStart()
        && rangeEnd == task.rangeEnd();
  }

  /**
   * The number of rows the data file holds.
   *
   * @return {@code rangeEnd - rangeStart}
   */
  public long rowCount() {
    return rangeEnd - rangeStart;
  }

  /**
   * Encodes the result for another process.
   *
   * @return the bytes
   */
  public byte[] toBytes() {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeInt(fragmentId);
      out.writeLong(rangeStart);
      out.writeLong(rangeEnd);
      out.writeUTF(dataFile);
      out.writeLong(rowsComputed);
      out.writeLong(rowsFailed);
      out.write(encodeFailures(failures));
      out.writeLong(timings.readNanos());
      out.writeLong(timings.udfNanos());
      out.writeLong(timings.writeNanos());
      out.writeLong(timings.checkpointNanos());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a result encoded by {@link #toBytes()}.
   *
   * @param bytes the encoded result
   * @return the result
   * @throws IllegalArgumentException when the bytes are not a result in this encoding
   */
  public static TaskResult fromBytes(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format != FORMAT && format != FORMAT_3 && format != FORMAT_2) {
        throw new IllegalArgumentException(
            "not a task result of this Geneva version (format "
                + Integer.toHexString(format)
                + ")");
      }
      TaskResult result =
          new TaskResult(
              in.readInt(),
              in.readLong(),
              in.readLong(),
              in.readUTF(),
              in.readLong(),
              in.readLong(),
              format == FORMAT_2 ? List.of() : readFailures(in),
              format == FORMAT
                  ? new TaskTimings(in.readLong(), in.readLong(), in.readLong(), in.readLong())
                  : TaskTimings.NONE);
      if (in.available() > 0) {
        throw new IllegalArgumentException("task result has " + in.available() + " extra bytes");
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Encodes several results (those of one {@link ExecutorSession#submitAll} call).
   *
   * @param results the results
   * @return the bytes
   */
  public static byte[] toBytes(List<TaskResult> results) {
    List<byte[]> parts = new ArrayList<>(results.size());
    results.forEach(r -> parts.add(r.toBytes()));
    return Framing.join(parts);
  }

  /**
   * Decodes results encoded by {@link #toBytes(List)}.
   *
   * @param bytes the encoded results
   * @return the results, in order
   */
  public static List<TaskResult> listFromBytes(byte[] bytes) {
    return Framing.split(bytes).stream().map(TaskResult::fromBytes).toList();
  }

  /**
   * Encodes failed rows (for checkpoints that store them apart from the other fields).
   *
   * @param failures the rows
   * @return the bytes
   */
  public static byte[] encodeFailures(List<FailedRow> failures) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(failures.size());
      for (FailedRow f : failures) {
        out.writeLong(f.rowAddress());
        out.writeUTF(f.error());
        out.writeUTF(f.message());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes failed rows encoded by {@link #encodeFailures(List)}.
   *
   * @param bytes the encoded rows
   * @return the rows
   */
  public static List<FailedRow> decodeFailures(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return readFailures(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<FailedRow> readFailures(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1_000_000) {
      throw new IllegalArgumentException("task result lists " + n + " failed rows");
    }
    List<FailedRow> rows = new ArrayList<>(Math.min(n, 1_000));
    for (int i = 0; i < n; i++) {
      rows.add(new FailedRow(in.readLong(), in.readUTF(), in.readUTF()));
    }
    return rows;
  }
}
