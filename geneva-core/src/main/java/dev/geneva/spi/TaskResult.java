package dev.geneva.spi;

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
 */
public record TaskResult(
    int fragmentId,
    long rangeStart,
    long rangeEnd,
    String dataFile,
    long rowsComputed,
    long rowsFailed) {
  /** Marks the encoding, so a record written by another layout is refused, not misread. */
  private static final int FORMAT = 0x47525232; // "GRR2"

  /**
   * Checks the values.
   *
   * @param fragmentId the fragment
   * @param rangeStart first row offset in the fragment the data file covers (inclusive)
   * @param rangeEnd last row offset in the fragment the data file covers (exclusive)
   * @param dataFile the written data file, relative to the table's {@code data/} directory
   * @param rowsComputed rows the UDF computed (including those it returned null for)
   * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
   */
  public TaskResult {
    Objects.requireNonNull(dataFile, "dataFile");
    if (rangeStart < 0 || rangeEnd <= rangeStart) {
      throw new IllegalArgumentException("empty or negative range " + rangeStart + ".." + rangeEnd);
    }
  }

  /**
   * The result of a task, for the rows the task covers.
   *
   * @param task the finished task
   * @param dataFile the written data file, relative to the table's {@code data/} directory
   * @param rowsComputed rows the UDF computed (including those it returned null for)
   * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
   * @return the result
   */
  public static TaskResult of(
      BackfillTask task, String dataFile, long rowsComputed, long rowsFailed) {
    return new TaskResult(
        task.fragmentId(), task.rangeStart(), task.rangeEnd(), dataFile, rowsComputed, rowsFailed);
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
      if (format != FORMAT) {
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
              in.readLong());
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
}
