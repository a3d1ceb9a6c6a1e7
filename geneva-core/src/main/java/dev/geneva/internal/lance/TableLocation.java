package dev.geneva.internal.lance;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Where a table lives and how to open it: name, URI, storage options (kept out of {@link
 * #toString()}, they may hold credentials) and the allocator datasets are opened with.
 */
public record TableLocation(
    String name, String uri, Map<String, String> storageOptions, BufferAllocator allocator) {

  /** Copies the options. */
  public TableLocation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uri, "uri");
    storageOptions = Map.copyOf(storageOptions);
    Objects.requireNonNull(allocator, "allocator");
  }

  /**
   * Opens the latest version; the caller closes it.
   *
   * @return the dataset
   */
  public Dataset openLatest() {
    return Dataset.open(
        allocator, uri, new ReadOptions.Builder().setStorageOptions(storageOptions).build());
  }

  /**
   * Opens a given version; the caller closes it. (Not {@code checkoutVersion}, whose dataset has no
   * allocator in lance-core 0.39.0.)
   *
   * @param version the version
   * @return the dataset
   */
  public Dataset openVersion(long version) {
    return Dataset.open(
        allocator,
        uri,
        new ReadOptions.Builder()
            .setVersion(Math.toIntExact(version))
            .setStorageOptions(storageOptions)
            .build());
  }

  @Override
  public String toString() {
    return "TableLocation{name=" + name + ", uri=" + uri + "}";
  }
}
