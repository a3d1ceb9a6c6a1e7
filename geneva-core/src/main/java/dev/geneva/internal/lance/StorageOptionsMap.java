package dev.geneva.internal.lance;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An immutable copy of Lance storage options whose {@link #toString()} shows the keys and hides
 * every value, since any of them may be a credential. Equal to any map with the same entries.
 */
public final class StorageOptionsMap extends AbstractMap<String, String> {
  private final Map<String, String> options;

  private StorageOptionsMap(Map<String, String> options) {
    this.options = Map.copyOf(options);
  }

  /**
   * Copies options.
   *
   * @param options the options; no null keys or values
   * @return the immutable copy
   */
  public static Map<String, String> copyOf(Map<String, String> options) {
    return options instanceof StorageOptionsMap same ? same : new StorageOptionsMap(options);
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return options.entrySet();
  }

  @Override
  public String get(Object key) {
    return options.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return options.containsKey(key);
  }

  @Override
  public String toString() {
    return options.keySet().stream()
        .sorted()
        .map(k -> k + "=***")
        .collect(Collectors.joining(", ", "{", "}"));
  }
}
