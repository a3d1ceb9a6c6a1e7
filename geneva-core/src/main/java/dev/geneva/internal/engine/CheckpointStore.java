package dev.geneva.internal.engine;

import dev.geneva.internal.lance.TablePaths;
import dev.geneva.spi.TaskResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Records finished tasks under {@code <table>/_geneva/checkpoints/}, so a rerun reuses them. A
 * checkpoint is written after its data file, so it never points at a partial file.
 */
public interface CheckpointStore {
  /** Where checkpoints live, relative to the table's root. */
  String DIRECTORY = "_geneva/checkpoints";

  /**
   * The store for one column of a table, in a directory of its own under {@link #DIRECTORY}: plain
   * files on a local disk, one-row Lance files elsewhere.
   *
   * @param tableUri the table's URI
   * @param column the column being backfilled
   * @param storageOptions resolves its Lance storage options, once per read or write
   * @param allocator for the Lance-file store's small batches
   * @return the store
   */
  static CheckpointStore forColumn(
      String tableUri,
      String column,
      Supplier<Map<String, String>> storageOptions,
      BufferAllocator allocator) {
    String directory = DIRECTORY + "/" + columnDirectory(column);
    return TablePaths.localPath(tableUri)
        .<CheckpointStore>map(local -> new LocalFileCheckpoints(local.resolve(directory)))
        .orElseGet(() -> new LanceFileCheckpoints(tableUri, directory, storageOptions, allocator));
  }

  /** The most characters of a column's name in its checkpoint directory's name. */
  int MAX_NAME_IN_DIRECTORY = 200;

  /**
   * The directory name of a column's checkpoints: its name made path-safe (and cut to {@value
   * #MAX_NAME_IN_DIRECTORY} characters), and a hash that keeps names that differ only in unsafe or
   * cut characters apart.
   *
   * @param column the column
   * @return e.g. {@code embedding-3f2a9c01}
   */
  static String columnDirectory(String column) {
    try {
      byte[] sha =
          MessageDigest.getInstance("SHA-256").digest(column.getBytes(StandardCharsets.UTF_8));
      String safe = column.replaceAll("[^A-Za-z0-9_-]", "_");
      if (safe.length() > MAX_NAME_IN_DIRECTORY) {
        // File systems allow 255 bytes per name; the hash keeps the shortened names apart.
        safe = safe.substring(0, MAX_NAME_IN_DIRECTORY);
      }
      return safe + "-" + HexFormat.of().formatHex(sha, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Records a finished task.
   *
   * @param key the task's checkpoint key
   * @param result what it produced
   */
  void put(String key, TaskResult result);

  /**
   * Records several finished tasks at once (the parts of one call to a worker). A store may keep
   * them in one record; {@link #get} finds each by its key either way.
   *
   * @param results what each task produced, by checkpoint key
   */
  default void putAll(Map<String, TaskResult> results) {
    results.forEach(this::put);
  }

  /**
   * Looks up a finished task.
   *
   * @param key the task's checkpoint key
   * @return its result, or empty when it has not finished (or its record is unreadable)
   */
  Optional<TaskResult> get(String key);

  /**
   * Deletes every checkpoint of the column, once a backfill of it has committed everything. Losing
   * them costs only recomputation, so a concurrent backfill of the same column stays correct.
   *
   * @throws RuntimeException when the store cannot delete them; callers log it and go on
   */
  void clear();
}
