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
 * What a finished {@link UdtfTask} produced: its piece (a Lance file under the view holding the
 * expanded view rows) and counts. Small, so it travels back from a worker cheaply.
 *
 * @param fragmentId the source fragment
 * @param piece the piece's path relative to the view's root, empty when the expansion gave no rows
 * @param sourceRows source rows expanded (including those that gave no view rows)
 * @param viewRows view rows the piece holds
 * @param failedRows source rows whose expansion failed and were skipped under the UDTF's policy
 * @param worker the name of the worker that expanded the rows
 */
public record UdtfTaskResult(
    int fragmentId, String piece, long sourceRows, long viewRows, long failedRows, String worker) {
  private static final int FORMAT = 0x47555231; // "GUR1"

  /**
   * Checks the values.
   *
   * @param fragmentId the source fragment
   * @param piece the piece's path relative to the view's root, empty when there are no rows
   * @param sourceRows source rows expanded
   * @param viewRows view rows the piece holds
   * @param failedRows source rows skipped under the UDTF's policy
   * @param worker the name of the worker that expanded the rows
   */
  public UdtfTaskResult {
    Objects.requireNonNull(piece, "piece");
    Objects.requireNonNull(worker, "worker");
    if (piece.isEmpty() != (viewRows == 0)) {
      throw new IllegalArgumentException(
          "a piece holds view rows and only a result with view rows has a piece: piece '"
              + piece
              + "', "
              + viewRows
              + " view rows");
    }
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
      out.writeUTF(piece);
      out.writeLong(sourceRows);
      out.writeLong(viewRows);
      out.writeLong(failedRows);
      out.writeUTF(worker);
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
  public static UdtfTaskResult fromBytes(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "not a UDTF task result of this Geneva version (format "
                + Integer.toHexString(format)
                + ")");
      }
      UdtfTaskResult r =
          new UdtfTaskResult(
              in.readInt(),
              in.readUTF(),
              in.readLong(),
              in.readLong(),
              in.readLong(),
              in.readUTF());
      if (in.available() > 0) {
        throw new IllegalArgumentException(
            "UDTF task result has " + in.available() + " extra bytes");
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Encodes several results (those of one {@link ExecutorSession#submitUdtf} call).
   *
   * @param results the results
   * @return the bytes
   */
  public static byte[] toBytes(List<UdtfTaskResult> results) {
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
  public static List<UdtfTaskResult> listFromBytes(byte[] bytes) {
    return Framing.split(bytes).stream().map(UdtfTaskResult::fromBytes).toList();
  }
}
