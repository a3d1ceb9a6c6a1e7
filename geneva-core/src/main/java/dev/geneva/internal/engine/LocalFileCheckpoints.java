package dev.geneva.internal.engine;

import dev.geneva.GenevaException;
import dev.geneva.spi.TaskResult;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of a table on a local disk: one small file per task, written to a temporary name and
 * renamed, so a reader sees a whole record or none.
 */
final class LocalFileCheckpoints implements CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFileCheckpoints.class);

  private final Path directory;

  LocalFileCheckpoints(Path directory) {
    this.directory = directory;
  }

  @Override
  public void put(String key, TaskResult result) {
    Path target = directory.resolve(key + ".ckpt");
    try {
      Files.createDirectories(directory);
      Path temp = Files.createTempFile(directory, key, ".tmp");
      Files.write(temp, result.toBytes());
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new GenevaException("cannot write checkpoint " + target + ": " + e, e);
    }
  }

  @Override
  public Optional<TaskResult> get(String key) {
    Path file = directory.resolve(key + ".ckpt");
    try {
      return Optional.of(TaskResult.fromBytes(Files.readAllBytes(file)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      // An unreadable record is only lost work: the task is computed again.
      LOG.warn("ignoring unreadable checkpoint {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  @Override
  public void clear() {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new GenevaException("cannot delete checkpoints under " + directory + ": " + e, e);
    }
  }
}
