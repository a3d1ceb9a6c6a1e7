package dev.geneva.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.spi.TaskResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir Path dir;

  @Test
  void forColumn_whenLocalPathOrFileUri_usesPlainFilesThatRoundTrip() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      CheckpointStore byPath = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      CheckpointStore byUri =
          CheckpointStore.forColumn(dir.toUri().toString(), "len", Map::of, allocator);
      TaskResult result = new TaskResult(7, 500, 1_000, "geneva-x.lance", 120, 2);

      byPath.put("k1", result);

      assertThat(byPath).isInstanceOf(LocalFileCheckpoints.class);
      assertThat(byUri.get("k1")).contains(result);
      assertThat(byUri.get("missing")).isEmpty();
      assertThat(
              dir.resolve(CheckpointStore.DIRECTORY)
                  .resolve(CheckpointStore.columnDirectory("len"))
                  .resolve("k1.ckpt"))
          .exists();
    }
  }

  @Test
  void putAll_whenSeveralParts_writesOneRecordThatAnotherStoreFindsByKey() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      CheckpointStore worker = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      TaskResult a = new TaskResult(1, 0, 10, "geneva-a.lance", 10, 0);
      TaskResult b = new TaskResult(2, 0, 20, "geneva-b.lance", 19, 1);
      Map<String, TaskResult> parts = new java.util.LinkedHashMap<>();
      parts.put("ka", a);
      parts.put("kb", b);

      worker.putAll(parts);
      worker.put("kc", new TaskResult(3, 0, 5, "geneva-c.lance", 5, 0));

      CheckpointStore driver = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      assertThat(driver.get("ka")).contains(a);
      assertThat(driver.get("kb")).contains(b);
      assertThat(driver.get("kc")).isPresent();
      assertThat(driver.get("kd")).isEmpty();
      try (var files = Files.list(lenCheckpointsDirectory())) {
        assertThat(files.map(p -> p.getFileName().toString()).toList())
            .hasSize(2)
            .anyMatch(n -> n.endsWith(".ckpts"))
            .contains("kc.ckpt");
      }
      driver.clear();
      assertThat(CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator).get("ka"))
          .isEmpty();
    }
  }

  @Test
  void get_whenBatchRecordCorrupt_returnsEmptySoThePartsAreRecomputed() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      CheckpointStore store = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      Files.write(lenCheckpointsDirectory().resolve("x.ckpts"), new byte[] {0, 0, 0, 9, 1});

      assertThat(store.get("x")).isEmpty();
    }
  }

  @Test
  void get_whenRecordCorrupt_returnsEmptySoTheTaskIsRecomputed() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      CheckpointStore store = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      Path checkpoints = lenCheckpointsDirectory();
      Files.write(checkpoints.resolve("bad.ckpt"), new byte[] {1, 2});

      assertThat(store.get("bad")).isEmpty();
    }
  }

  @Test
  void get_whenRecordFromLayoutKeyedByTaskNumber_returnsEmptySoTheTaskIsRecomputed()
      throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      CheckpointStore store = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      Path checkpoints = lenCheckpointsDirectory();
      // The earlier layout: task number, fragment, file, rows computed, rows failed.
      var bytes = new java.io.ByteArrayOutputStream();
      try (var out = new java.io.DataOutputStream(bytes)) {
        out.writeInt(6);
        out.writeInt(3);
        out.writeUTF("geneva-old.lance");
        out.writeLong(500);
        out.writeLong(0);
      }
      Files.write(checkpoints.resolve("old.ckpt"), bytes.toByteArray());

      assertThat(store.get("old")).isEmpty();
    }
  }

  @Test
  void lanceFileCheckpoints_whenPutThenGet_roundTripsAndMissingIsEmpty() {
    try (BufferAllocator allocator = new RootAllocator()) {
      var store = new LanceFileCheckpoints(dir.toString(), "ckpt/len", Map::of, allocator);
      TaskResult result = new TaskResult(2, 0, 10, "geneva-y.lance", 10, 0);

      store.put("k2", result);

      assertThat(store.get("k2")).contains(result);
      assertThat(store.get("nothing")).isEmpty();
    }
  }

  @Test
  void put_whenResultRecordsFailedRows_bothStoresKeepAddressesAndMessages() {
    try (BufferAllocator allocator = new RootAllocator()) {
      TaskResult result =
          new TaskResult(
              3,
              0,
              10,
              "geneva-z.lance",
              10,
              2,
              java.util.List.of(
                  new dev.geneva.FailedRow((3L << 32) + 4, "java.io.IOException", "timed out"),
                  new dev.geneva.FailedRow(
                      (3L << 32) + 9, "java.lang.IllegalStateException", null)));
      CheckpointStore files = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      var lance = new LanceFileCheckpoints(dir.toString(), "ckpt/len", Map::of, allocator);

      files.put("k", result);
      lance.put("k", result);

      assertThat(files.get("k")).contains(result);
      assertThat(lance.get("k")).contains(result);
      assertThat(TaskResult.fromBytes(result.toBytes())).isEqualTo(result);
      assertThat(lance.get("k").orElseThrow().failures().get(0).rowOffset()).isEqualTo(4);
      assertThat(lance.get("k").orElseThrow().failures().get(1).message()).isEmpty();
    }
  }

  @Test
  void clear_whenEitherStore_deletesThatColumnsRecordsOnly() {
    try (BufferAllocator allocator = new RootAllocator()) {
      TaskResult result = new TaskResult(2, 0, 10, "geneva-y.lance", 10, 0);
      CheckpointStore files = CheckpointStore.forColumn(dir.toString(), "len", Map::of, allocator);
      CheckpointStore other = CheckpointStore.forColumn(dir.toString(), "emb", Map::of, allocator);
      var lance = new LanceFileCheckpoints(dir.toString(), "ckpt/len", Map::of, allocator);
      files.put("k", result);
      other.put("k", result);
      lance.put("k", result);

      files.clear();
      lance.clear();

      assertThat(files.get("k")).isEmpty();
      assertThat(lance.get("k")).isEmpty();
      assertThat(other.get("k")).contains(result);
      assertThat(dir.resolve("ckpt/len")).doesNotExist();
    }
  }

  @Test
  void columnDirectory_whenNameLongerThanAFileNameAllows_isCutAndStillDistinct() {
    String a = CheckpointStore.columnDirectory("z".repeat(300) + "a");
    String b = CheckpointStore.columnDirectory("z".repeat(300) + "b");

    assertThat(a).hasSize(CheckpointStore.MAX_NAME_IN_DIRECTORY + 9).isNotEqualTo(b);
    assertThat(CheckpointStore.columnDirectory("z".repeat(200)))
        .as("names up to the limit keep their directory")
        .startsWith("z".repeat(200) + "-");
  }

  @Test
  void columnDirectory_whenNamesDifferOnlyInUnsafeCharacters_staysPathSafeAndDistinct() {
    String slash = CheckpointStore.columnDirectory("a/b");
    String underscore = CheckpointStore.columnDirectory("a_b");

    assertThat(slash).matches("a_b-[0-9a-f]{8}");
    assertThat(underscore).matches("a_b-[0-9a-f]{8}").isNotEqualTo(slash);
  }

  private Path lenCheckpointsDirectory() throws java.io.IOException {
    return Files.createDirectories(
        dir.resolve(CheckpointStore.DIRECTORY).resolve(CheckpointStore.columnDirectory("len")));
  }
}
