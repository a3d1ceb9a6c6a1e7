package dev.geneva.spi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * What a finished {@link BackfillTask} produced.
 *
 * @param taskId the task's number
 * @param fragmentId the fragment
 * @param dataFile the written data file, relative to the table's {@code data/} directory
 * @param rowsComputed rows the UDF computed (including those it returned null for)
 * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
 */
public record TaskResult(
    int taskId, int fragmentId, String dataFile, long rowsComputed, long rowsFailed) {

  /**
   * Checks the values.
   *
   * @param taskId the task's number
   * @param fragmentId the fragment
   * @param dataFile the written data file, relative to the table's {@code data/} directory
   * @param rowsComputed rows the UDF computed (including those it returned null for)
   * @param rowsFailed rows whose UDF call failed and were set to null under a skip policy
   */
  public TaskResult {
    Objects.requireNonNull(dataFile, "dataFile");
  }

  /**
   * Encodes the result for another process.
   *
   * @return the bytes
   */
  public byte[] toBytes() {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(taskId);
      out.writeInt(fragmentId);
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
   */
  public static TaskResult fromBytes(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return new TaskResult(in.readInt(), in.readInt(), in.readUTF(), in.readLong(), in.readLong());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
