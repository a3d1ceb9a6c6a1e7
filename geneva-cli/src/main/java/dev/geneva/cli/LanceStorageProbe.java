package dev.geneva.cli;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.WriteParams;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes, reads and deletes a tiny Lance table under a database URI with the given storage options:
 * exactly the access a backfill needs, through the same client (Lance's object store).
 */
final class LanceStorageProbe {
  private LanceStorageProbe() {}

  /** What the probe found: the step that failed (write, read, delete) and why, or none. */
  record Outcome(String failedStep, String message) {
    boolean ok() {
      return failedStep == null;
    }
  }

  static Outcome run(String databaseUri, Map<String, String> storageOptions) {
    String root = databaseUri.endsWith("/") ? databaseUri : databaseUri + "/";
    String uri = root + "_geneva/probe-" + UUID.randomUUID() + ".lance";
    Schema schema = new Schema(List.of(Field.nullable("probe", new ArrowType.Int(32, true))));
    try (BufferAllocator allocator = new RootAllocator()) {
      try {
        Dataset.create(
                allocator,
                uri,
                schema,
                new WriteParams.Builder().withStorageOptions(storageOptions).build())
            .close();
      } catch (Exception e) { // lance-core also throws checked exceptions from native code
        return new Outcome("write", e.getMessage());
      }
      try (Dataset ds =
          Dataset.open(
              allocator,
              uri,
              new ReadOptions.Builder().setStorageOptions(storageOptions).build())) {
        ds.countRows();
      } catch (Exception e) { // lance-core also throws checked exceptions from native code
        return new Outcome("read", e.getMessage());
      }
      try {
        Dataset.drop(uri, storageOptions);
      } catch (Exception e) { // lance-core also throws checked exceptions from native code
        return new Outcome("delete", e.getMessage() + " (the probe " + uri + " was left behind)");
      }
    }
    return new Outcome(null, "wrote, read and deleted " + uri);
  }
}
