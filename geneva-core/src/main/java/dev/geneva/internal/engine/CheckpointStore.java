package dev.geneva.internal.engine;

import dev.geneva.spi.TaskResult;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
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
   * The store for a table: plain files on a local disk, one-row Lance files elsewhere.
   *
   * @param tableUri the table's URI
   * @param storageOptions resolves its Lance storage options, once per read or write
   * @param allocator for the Lance-file store's small batches
   * @return the store
   */
  static CheckpointStore forTable(
      String tableUri, Supplier<Map<String, String>> storageOptions, BufferAllocator allocator) {
    Path local = localPath(tableUri);
    return local != null
        ? new LocalFileCheckpoints(local.resolve(DIRECTORY))
        : new LanceFileCheckpoints(tableUri, storageOptions, allocator);
  }

  private static Path localPath(String uri) {
    if (uri.startsWith("file:")) {
      return Paths.get(URI.create(uri));
    }
    return uri.contains("://") ? null : Paths.get(uri);
  }

  /**
   * Records a finished task.
   *
   * @param key the task's checkpoint key
   * @param result what it produced
   */
  void put(String key, TaskResult result);

  /**
   * Looks up a finished task.
   *
   * @param key the task's checkpoint key
   * @return its result, or empty when it has not finished (or its record is unreadable)
   */
  Optional<TaskResult> get(String key);
}
