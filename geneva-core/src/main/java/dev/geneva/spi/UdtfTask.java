package dev.geneva.spi;

import dev.geneva.internal.lance.StorageOptionsMap;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One unit of a UDTF view's refresh: expand the wanted rows of one source fragment, at a pinned
 * source version, with the view's UDTF, and write the resulting view rows (each with its source row
 * id) as one Lance file under the view, its <em>piece</em>. The refresh appends the pieces to the
 * view in fragment order. Like a {@link BackfillTask} it is plain data ({@link #toBytes()}), so any
 * JVM with the classpath can run it; a finished task is recorded under its {@link
 * #checkpointKey()}, which covers every input, so a piece is never reused for other rows, another
 * source version or another UDTF version.
 *
 * @param taskId the task's number within its refresh
 * @param viewUri the view table's URI (pieces live under it)
 * @param sourceUri the source table's URI
 * @param storageOptions Lance storage options of both tables (may hold credentials; never printed)
 * @param sourceVersion the source version the task reads
 * @param fragmentId the source fragment
 * @param columns the source columns to read (the view's copied columns and the UDTF's inputs)
 * @param filter the view query's SQL filter, empty for none
 * @param udtfClass the UDTF's class name
 * @param udtfVersion the UDTF's declared version
 * @param batchSize source rows per UDTF batch, 0 for Lance's default
 * @param viewSchema the view's columns the piece holds, as Arrow schema JSON
 * @param rowRanges the source row ids to expand, as sorted {@code [start, end)} pairs
 * @param checkpointKey where the task's piece and result are recorded
 */
public record UdtfTask(
    int taskId,
    String viewUri,
    String sourceUri,
    Map<String, String> storageOptions,
    long sourceVersion,
    int fragmentId,
    List<String> columns,
    String filter,
    String udtfClass,
    String udtfVersion,
    int batchSize,
    String viewSchema,
    List<Long> rowRanges,
    String checkpointKey) {
  private static final int FORMAT = 0x47555431; // "GUT1"

  /**
   * Copies the lists and options and checks the ranges.
   *
   * @param taskId the task's number within its refresh
   * @param viewUri the view table's URI (pieces live under it)
   * @param sourceUri the source table's URI
   * @param storageOptions Lance storage options of both tables (may hold credentials)
   * @param sourceVersion the source version the task reads
   * @param fragmentId the source fragment
   * @param columns the source columns to read
   * @param filter the view query's SQL filter, empty for none
   * @param udtfClass the UDTF's class name
   * @param udtfVersion the UDTF's declared version
   * @param batchSize source rows per UDTF batch, 0 for Lance's default
   * @param viewSchema the view's columns the piece holds, as Arrow schema JSON
   * @param rowRanges the source row ids to expand, as sorted {@code [start, end)} pairs
   * @param checkpointKey where the task's piece and result are recorded
   */
  public UdtfTask {
    Objects.requireNonNull(viewUri, "viewUri");
    Objects.requireNonNull(sourceUri, "sourceUri");
    storageOptions = StorageOptionsMap.copyOf(storageOptions);
    columns = List.copyOf(columns);
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(udtfClass, "udtfClass");
    Objects.requireNonNull(udtfVersion, "udtfVersion");
    Objects.requireNonNull(viewSchema, "viewSchema");
    rowRanges = List.copyOf(rowRanges);
    Objects.requireNonNull(checkpointKey, "checkpointKey");
    if (rowRanges.isEmpty() || rowRanges.size() % 2 != 0) {
      throw new IllegalArgumentException(
          "rowRanges must be non-empty [start, end) pairs, got " + rowRanges.size() + " values");
    }
    for (int i = 0; i < rowRanges.size(); i += 2) {
      if (rowRanges.get(i) >= rowRanges.get(i + 1)
          || (i > 0 && rowRanges.get(i) <= rowRanges.get(i - 1))) {
        throw new IllegalArgumentException("rowRanges must be sorted, non-empty and apart");
      }
    }
    if (batchSize < 0) {
      throw new IllegalArgumentException("batchSize must be 0 or more, got " + batchSize);
    }
  }

  /**
   * Whether a source row id is one the task expands.
   *
   * @param rowId the source row id (row address)
   * @return true when it lies in one of the ranges
   */
  public boolean wants(long rowId) {
    int lo = 0;
    int hi = rowRanges.size() / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (rowId < rowRanges.get(2 * mid)) {
        hi = mid - 1;
      } else if (rowId >= rowRanges.get(2 * mid + 1)) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /**
   * The number of source row ids the task expands.
   *
   * @return the sum of the ranges' lengths
   */
  public long wantedRows() {
    long n = 0;
    for (int i = 0; i < rowRanges.size(); i += 2) {
      n += rowRanges.get(i + 1) - rowRanges.get(i);
    }
    return n;
  }

  /**
   * Encodes the task for another process.
   *
   * @return the bytes
   */
  public byte[] toBytes() {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeInt(taskId);
      out.writeUTF(viewUri);
      out.writeUTF(sourceUri);
      out.writeInt(storageOptions.size());
      for (var e : new TreeMap<>(storageOptions).entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.writeLong(sourceVersion);
      out.writeInt(fragmentId);
      out.writeInt(columns.size());
      for (String c : columns) {
        out.writeUTF(c);
      }
      out.writeUTF(filter);
      out.writeUTF(udtfClass);
      out.writeUTF(udtfVersion);
      out.writeInt(batchSize);
      byte[] schema = viewSchema.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeInt(schema.length);
      out.write(schema);
      out.writeInt(rowRanges.size());
      for (long r : rowRanges) {
        out.writeLong(r);
      }
      out.writeUTF(checkpointKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a task encoded by {@link #toBytes()}.
   *
   * @param bytes the encoded task
   * @return the task
   * @throws IllegalArgumentException when the bytes are not a task in this encoding
   */
  public static UdtfTask fromBytes(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException(
            "not a UDTF task of this Geneva version (format " + Integer.toHexString(format) + ")");
      }
      int taskId = in.readInt();
      String view = in.readUTF();
      String source = in.readUTF();
      int n = in.readInt();
      Map<String, String> options = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        options.put(in.readUTF(), in.readUTF());
      }
      long version = in.readLong();
      int fragment = in.readInt();
      int c = in.readInt();
      List<String> columns = new ArrayList<>(c);
      for (int i = 0; i < c; i++) {
        columns.add(in.readUTF());
      }
      String filter = in.readUTF();
      String udtfClass = in.readUTF();
      String udtfVersion = in.readUTF();
      int batchSize = in.readInt();
      byte[] schema = new byte[in.readInt()];
      in.readFully(schema);
      int r = in.readInt();
      List<Long> ranges = new ArrayList<>(r);
      for (int i = 0; i < r; i++) {
        ranges.add(in.readLong());
      }
      return new UdtfTask(
          taskId,
          view,
          source,
          options,
          version,
          fragment,
          columns,
          filter,
          udtfClass,
          udtfVersion,
          batchSize,
          new String(schema, java.nio.charset.StandardCharsets.UTF_8),
          ranges,
          in.readUTF());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Encodes several tasks (the parts of one {@link ExecutorSession#submitUdtf} call).
   *
   * @param tasks the tasks
   * @return the bytes
   */
  public static byte[] toBytes(List<UdtfTask> tasks) {
    List<byte[]> parts = new ArrayList<>(tasks.size());
    tasks.forEach(t -> parts.add(t.toBytes()));
    return Framing.join(parts);
  }

  /**
   * Decodes tasks encoded by {@link #toBytes(List)}.
   *
   * @param bytes the encoded tasks
   * @return the tasks, in order
   */
  public static List<UdtfTask> listFromBytes(byte[] bytes) {
    return Framing.split(bytes).stream().map(UdtfTask::fromBytes).toList();
  }

  @Override
  public String toString() {
    return "UdtfTask{id="
        + taskId
        + ", view="
        + viewUri
        + ", source="
        + sourceUri
        + "@"
        + sourceVersion
        + ", storageOptions="
        + storageOptions.keySet()
        + ", fragment="
        + fragmentId
        + ", rows="
        + wantedRows()
        + ", udtf="
        + udtfClass
        + "@"
        + udtfVersion
        + "}";
  }
}
