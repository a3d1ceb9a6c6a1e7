package dev.geneva.internal.engine;

import dev.geneva.GenevaException;
import dev.geneva.spi.TaskResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of a table on a local disk: one small file per task, or one per call for the parts of
 * a packed call ({@link #putAll}), each written to a temporary name and renamed, so a reader sees a
 * whole record or none. Fewer files matter: creating and deleting thousands of them was a large
 * part of a backfill of many small fragments.
 */
final class LocalFileCheckpoints implements CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFileCheckpoints.class);

  private static final String BATCH_SUFFIX = ".ckpts";

  private final Path directory;

  /** The records of every batch file, read once on the first key not found as a single file. */
  private Map<String, TaskResult> batches;

  LocalFileCheckpoints(Path directory) {
    this.directory = directory;
  }

  @Override
  public void put(String key, TaskResult result) {
    write(key + ".ckpt", result.toBytes());
  }

  @Override
  public void putAll(Map<String, TaskResult> results) {
    if (results.size() == 1) {
      results.forEach(this::put);
      return;
    }
    if (results.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>(results.keySet());
    List<TaskResult> values = new ArrayList<>(results.values());
    String name = keys.get(0) + "-" + UUID.randomUUID() + BATCH_SUFFIX;
    write(name, encode(keys, values));
  }

  private static byte[] encode(List<String> keys, List<TaskResult> values) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        out.writeUTF(keys.get(i));
        byte[] record = values.get(i).toBytes();
        out.writeInt(record.length);
        out.write(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void decode(byte[] bytes, Map<String, TaskResult> into) throws IOException {
    try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String key = in.readUTF();
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          throw new IOException("truncated checkpoint batch");
        }
        into.put(key, TaskResult.fromBytes(in.readNBytes(length)));
      }
    }
  }

  private void write(String name, byte[] content) {
    Path target = directory.resolve(name);
    try {
      Files.createDirectories(directory);
      Path temp = Files.createTempFile(directory, name, ".tmp");
      Files.write(temp, content);
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
      return Optional.ofNullable(batches().get(key));
    } catch (IOException | RuntimeException e) {
      // An unreadable record is only lost work: the task is computed again.
      LOG.warn("ignoring unreadable checkpoint {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /** Reads every batch file once; an unreadable one is only lost work, like a single record. */
  private synchronized Map<String, TaskResult> batches() {
    if (batches == null) {
      batches = new HashMap<>();
      if (Files.isDirectory(directory)) {
        try (Stream<Path> files = Files.list(directory)) {
          for (Path p : files.filter(f -> f.toString().endsWith(BATCH_SUFFIX)).toList()) {
            try {
              decode(Files.readAllBytes(p), batches);
            } catch (IOException | RuntimeException e) {
              LOG.warn("ignoring unreadable checkpoint batch {}: {}", p, e.toString());
            }
          }
        } catch (IOException e) {
          LOG.warn("cannot list checkpoints under {}: {}", directory, e.toString());
        }
      }
    }
    return batches;
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
