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
 * One unit of backfill work: compute a column for a row range of one fragment, at a pinned table
 * version, and write it as one Lance data file. Tasks are plain data so any JVM with the classpath
 * can run them ({@link #toBytes()} and {@link #fromBytes(byte[])} carry them across process
 * boundaries without Java serialization).
 *
 * @param taskId the task's number within its backfill
 * @param tableUri the table's URI
 * @param storageOptions Lance storage options (may hold credentials; never printed)
 * @param readVersion the table version the task reads
 * @param column the output column
 * @param fieldId the output column's Lance field id
 * @param udfClass the UDF's class name
 * @param udfVersion the UDF's declared version
 * @param filter the SQL predicate selecting the rows to compute within the fragment, row-address
 *     bounds included; empty for every live row of the fragment
 * @param fragmentId the fragment
 * @param rangeStart first row offset in the fragment (inclusive)
 * @param rangeEnd last row offset in the fragment (exclusive), at most the fragment's physical rows
 * @param fileMajorVersion the fragment's data-file format major version
 * @param fileMinorVersion the fragment's data-file format minor version
 * @param carryOverExisting whether rows outside the filter keep the column's existing values
 * @param batchSize rows per UDF batch
 * @param checkpointKey where the task's result is recorded
 * @param outputColumns for a UDF of several columns, the columns it computes, in its output order
 *     ({@code column} then names their group); empty for a UDF of one column
 */
public record BackfillTask(
    int taskId,
    String tableUri,
    Map<String, String> storageOptions,
    long readVersion,
    String column,
    int fieldId,
    String udfClass,
    String udfVersion,
    String filter,
    int fragmentId,
    long rangeStart,
    long rangeEnd,
    int fileMajorVersion,
    int fileMinorVersion,
    boolean carryOverExisting,
    int batchSize,
    String checkpointKey,
    List<String> outputColumns) {

  /**
   * Copies the storage options and checks the ranges.
   *
   * @param taskId the task's number within its backfill
   * @param tableUri the table's URI
   * @param storageOptions Lance storage options (may hold credentials; never printed)
   * @param readVersion the table version the task reads
   * @param column the output column
   * @param fieldId the output column's Lance field id
   * @param udfClass the UDF's class name
   * @param udfVersion the UDF's declared version
   * @param filter the SQL predicate selecting the rows to compute within the fragment, row-address
   *     bounds included; empty for every live row of the fragment
   * @param fragmentId the fragment
   * @param rangeStart first row offset in the fragment (inclusive)
   * @param rangeEnd last row offset in the fragment (exclusive), at most the fragment's physical
   *     rows
   * @param fileMajorVersion the fragment's data-file format major version
   * @param fileMinorVersion the fragment's data-file format minor version
   * @param carryOverExisting whether rows outside the filter keep the column's existing values
   * @param batchSize rows per UDF batch
   * @param checkpointKey where the task's result is recorded
   * @param outputColumns for a UDF of several columns, the columns it computes, in its output
   *     order; empty for a UDF of one column
   */
  public BackfillTask {
    Objects.requireNonNull(tableUri, "tableUri");
    storageOptions = StorageOptionsMap.copyOf(storageOptions);
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(udfClass, "udfClass");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(checkpointKey, "checkpointKey");
    outputColumns = List.copyOf(outputColumns);
    if (rangeStart < 0 || rangeEnd <= rangeStart) {
      throw new IllegalArgumentException("empty or negative range " + rangeStart + ".." + rangeEnd);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
  }

  /**
   * A task computing one column.
   *
   * @param taskId the task's number within its backfill
   * @param tableUri the table's URI
   * @param storageOptions Lance storage options (may hold credentials; never printed)
   * @param readVersion the table version the task reads
   * @param column the output column
   * @param fieldId the output column's Lance field id
   * @param udfClass the UDF's class name
   * @param udfVersion the UDF's declared version
   * @param filter the SQL predicate selecting the rows to compute within the fragment, row-address
   *     bounds included; empty for every live row of the fragment
   * @param fragmentId the fragment
   * @param rangeStart first row offset in the fragment (inclusive)
   * @param rangeEnd last row offset in the fragment (exclusive), at most the fragment's physical
   *     rows
   * @param fileMajorVersion the fragment's data-file format major version
   * @param fileMinorVersion the fragment's data-file format minor version
   * @param carryOverExisting whether rows outside the filter keep the column's existing values
   * @param batchSize rows per UDF batch
   * @param checkpointKey where the task's result is recorded
   */
  public BackfillTask(
      int taskId,
      String tableUri,
      Map<String, String> storageOptions,
      long readVersion,
      String column,
      int fieldId,
      String udfClass,
      String udfVersion,
      String filter,
      int fragmentId,
      long rangeStart,
      long rangeEnd,
      int fileMajorVersion,
      int fileMinorVersion,
      boolean carryOverExisting,
      int batchSize,
      String checkpointKey) {
    this(
        taskId,
        tableUri,
        storageOptions,
        readVersion,
        column,
        fieldId,
        udfClass,
        udfVersion,
        filter,
        fragmentId,
        rangeStart,
        rangeEnd,
        fileMajorVersion,
        fileMinorVersion,
        carryOverExisting,
        batchSize,
        checkpointKey,
        List.of());
  }

  /**
   * The columns the task's data file holds: {@link #outputColumns()} for a UDF of several columns,
   * else {@link #column()}.
   *
   * @return the column names, in the file's order
   */
  public List<String> fileColumns() {
    return outputColumns.isEmpty() ? List.of(column) : outputColumns;
  }

  /**
   * The number of rows the task's data file holds.
   *
   * @return {@code rangeEnd - rangeStart}
   */
  public long rowCount() {
    return rangeEnd - rangeStart;
  }

  /**
   * The same task with other storage options, such as freshly resolved credentials.
   *
   * @param options the options
   * @return a copy of this task
   */
  public BackfillTask withStorageOptions(Map<String, String> options) {
    return new BackfillTask(
        taskId,
        tableUri,
        options,
        readVersion,
        column,
        fieldId,
        udfClass,
        udfVersion,
        filter,
        fragmentId,
        rangeStart,
        rangeEnd,
        fileMajorVersion,
        fileMinorVersion,
        carryOverExisting,
        batchSize,
        checkpointKey,
        outputColumns);
  }

  /**
   * Encodes the task for another process.
   *
   * @return the bytes
   */
  public byte[] toBytes() {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      // Format 1 (no output columns) while a task computes one column, so older workers run it.
      out.writeInt(outputColumns.isEmpty() ? 1 : 2);
      out.writeInt(taskId);
      out.writeUTF(tableUri);
      out.writeInt(storageOptions.size());
      for (var e : new TreeMap<>(storageOptions).entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.writeLong(readVersion);
      out.writeUTF(column);
      out.writeInt(fieldId);
      out.writeUTF(udfClass);
      out.writeUTF(udfVersion);
      out.writeUTF(filter);
      out.writeInt(fragmentId);
      out.writeLong(rangeStart);
      out.writeLong(rangeEnd);
      out.writeInt(fileMajorVersion);
      out.writeInt(fileMinorVersion);
      out.writeBoolean(carryOverExisting);
      out.writeInt(batchSize);
      out.writeUTF(checkpointKey);
      if (!outputColumns.isEmpty()) {
        out.writeInt(outputColumns.size());
        for (String c : outputColumns) {
          out.writeUTF(c);
        }
      }
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
   */
  public static BackfillTask fromBytes(byte[] bytes) {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readInt();
      if (format != 1 && format != 2) {
        throw new IllegalArgumentException(
            "task encoded by an incompatible Geneva version (format " + format + ")");
      }
      int taskId = in.readInt();
      String uri = in.readUTF();
      int n = in.readInt();
      Map<String, String> options = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        options.put(in.readUTF(), in.readUTF());
      }
      long readVersion = in.readLong();
      String column = in.readUTF();
      int fieldId = in.readInt();
      String udfClass = in.readUTF();
      String udfVersion = in.readUTF();
      String filter = in.readUTF();
      int fragmentId = in.readInt();
      long rangeStart = in.readLong();
      long rangeEnd = in.readLong();
      int major = in.readInt();
      int minor = in.readInt();
      boolean carryOver = in.readBoolean();
      int batchSize = in.readInt();
      String key = in.readUTF();
      List<String> outputColumns = new ArrayList<>();
      if (format == 2) {
        int columns = in.readInt();
        for (int i = 0; i < columns; i++) {
          outputColumns.add(in.readUTF());
        }
      }
      return new BackfillTask(
          taskId,
          uri,
          options,
          readVersion,
          column,
          fieldId,
          udfClass,
          udfVersion,
          filter,
          fragmentId,
          rangeStart,
          rangeEnd,
          major,
          minor,
          carryOver,
          batchSize,
          key,
          outputColumns);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Encodes several tasks (the parts of one {@link ExecutorSession#submitAll} call) for another
   * process.
   *
   * @param tasks the tasks
   * @return the bytes
   */
  public static byte[] toBytes(List<BackfillTask> tasks) {
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
  public static List<BackfillTask> listFromBytes(byte[] bytes) {
    return Framing.split(bytes).stream().map(BackfillTask::fromBytes).toList();
  }

  @Override
  public String toString() {
    return "BackfillTask{id="
        + taskId
        + ", table="
        + dev.geneva.internal.lance.UriRedaction.redact(tableUri)
        + ", storageOptions="
        + storageOptions.keySet()
        + ", version="
        + readVersion
        + ", column="
        + column
        + (outputColumns.isEmpty() ? "" : " " + outputColumns)
        + ", fragment="
        + fragmentId
        + ", rows="
        + rangeStart
        + ".."
        + rangeEnd
        + ", udf="
        + udfClass
        + "@"
        + udfVersion
        + "}";
  }
}
