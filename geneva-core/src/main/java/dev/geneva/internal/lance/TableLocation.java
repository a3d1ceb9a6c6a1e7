package dev.geneva.internal.lance;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import dev.geneva.TableNotFoundException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Where a table lives and how to open it: name, URI, where its storage options come from (they may
 * hold credentials, so they stay out of {@link #toString()}) and the allocator datasets are opened
 * with.
 *
 * @param name the table's name
 * @param uri the table's URI
 * @param storage resolves the storage options current now (credentials may rotate)
 * @param allocator the allocator datasets are opened with
 */
public record TableLocation(
    String name, String uri, Supplier<Map<String, String>> storage, BufferAllocator allocator) {

  /** Checks the components. */
  public TableLocation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(allocator, "allocator");
  }

  /**
   * The storage options to use now.
   *
   * @return the options
   */
  public Map<String, String> storageOptions() {
    return storage.get();
  }

  /**
   * Opens the latest version; the caller closes it.
   *
   * @return the dataset
   */
  public Dataset openLatest() {
    Map<String, String> options = storageOptions();
    try {
      return Dataset.open(
          allocator, uri, new ReadOptions.Builder().setStorageOptions(options).build());
    } catch (Exception e) {
      if (LanceErrors.isNotFound(e)) {
        throw new TableNotFoundException(
            "table '"
                + name
                + "' no longer exists at "
                + shownUri()
                + " (was it dropped by another connection or process?): create it again with"
                + " Connection.createTable, or open another one (Connection.tableNames() lists"
                + " them)",
            e);
      }
      throw LanceErrors.translate("cannot open table '" + name + "' at " + shownUri(), uri, e);
    }
  }

  /**
   * Opens a given version; the caller closes it. (Not {@code checkoutVersion}, whose dataset has no
   * allocator in lance-core 0.39.0.)
   *
   * @param version the version
   * @return the dataset
   */
  public Dataset openVersion(long version) {
    Map<String, String> options = storageOptions();
    try {
      return Dataset.open(
          allocator,
          uri,
          new ReadOptions.Builder()
              .setVersion(Math.toIntExact(version))
              .setStorageOptions(options)
              .build());
    } catch (Exception e) {
      throw LanceErrors.translate(
          "cannot open version " + version + " of table '" + name + "' at " + shownUri(), uri, e);
    }
  }

  /**
   * The URI safe to print: without user info or query values.
   *
   * @return the redacted URI
   */
  public String shownUri() {
    return UriRedaction.redact(uri);
  }

  @Override
  public String toString() {
    return "TableLocation{name=" + name + ", uri=" + shownUri() + "}";
  }
}
