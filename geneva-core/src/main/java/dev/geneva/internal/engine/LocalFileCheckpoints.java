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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

  private static final String SINGLE_SUFFIX = ".ckpt";

  /** What {@link #index()} found: keys of single records, and the batches' records by key. */
  private record Index(Set<String> singles, Map<String, TaskResult> batches) {}

  /** Read on the first lookup; this store's own writes are added to it. */
  private Index index;

  LocalFileCheckpoints(Path directory) {
    this.directory = directory;
  }

  @Override
  public void put(String key, TaskResult result) {
    write(key + SINGLE_SUFFIX, result.toBytes());
    synchronized (this) {
      if (index != null) {
        index.singles().add(key);
      }
    }
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
    synchronized (this) {
      if (index != null) {
        index.batches().putAll(results);
      }
    }
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
    boolean single;
    TaskResult batched;
    synchronized (this) {
      Index index = index();
      single = index.singles().contains(key);
      batched = index.batches().get(key);
    }
    if (!single) {
      return Optional.ofNullable(batched);
    }
    Path file = directory.resolve(key + SINGLE_SUFFIX);
    try {
      return Optional.of(TaskResult.fromBytes(Files.readAllBytes(file)));
    } catch (NoSuchFileException e) {
      return Optional.ofNullable(batched);
    } catch (IOException | RuntimeException e) {
      // An unreadable record is only lost work: the task is computed again.
      LOG.warn("ignoring unreadable checkpoint {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /**
   * The keys of the single records and the contents of every batch, read once (a lookup per key
   * that fails with an exception was a cost per fragment); records another process writes later are
   * not seen, which only costs their recomputation.
   */
  private synchronized Index index() {
    if (index == null) {
      Set<String> singles = new HashSet<>();
      Map<String, TaskResult> batches = new HashMap<>();
      if (Files.isDirectory(directory)) {
        try (Stream<Path> files = Files.list(directory)) {
          for (Path p : files.toList()) {
            String name = p.getFileName().toString();
            if (name.endsWith(SINGLE_SUFFIX)) {
              singles.add(name.substring(0, name.length() - SINGLE_SUFFIX.length()));
            } else if (name.endsWith(BATCH_SUFFIX)) {
              try {
                decode(Files.readAllBytes(p), batches);
              } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring unreadable checkpoint batch {}: {}", p, e.toString());
              }
            }
          }
        } catch (IOException e) {
          LOG.warn("cannot list checkpoints under {}: {}", directory, e.toString());
        }
      }
      index = new Index(singles, batches);
    }
    return index;
  }

  @Override
  public void clear() {
    synchronized (this) {
      index = null;
    }
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
