package dev.geneva.internal.view;

import dev.geneva.internal.engine.UdfMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a view records about itself in its Lance table's config (kept in every manifest): its
 * source, the query, the UDTF if any, the source version it was last refreshed to and the version a
 * refresh under way is going to.
 *
 * @param sourceName the source table's name
 * @param sourceUri the source table's URI
 * @param columns the source columns the view reads, resolved when the view was created
 * @param filter the query's SQL filter, if any
 * @param udtfClass the UDTF's class name, if it is a UDTF view
 * @param udtfVersion the UDTF's version when the view last expanded rows
 * @param refreshedVersion the source version of the last finished refresh
 * @param refreshingTo the source version a refresh that has not finished was going to
 */
public record ViewMetadata(
    String sourceName,
    String sourceUri,
    List<String> columns,
    Optional<String> filter,
    Optional<String> udtfClass,
    Optional<String> udtfVersion,
    OptionalLong refreshedVersion,
    OptionalLong refreshingTo) {

  /** The view column that holds each row's source row id (its row address in the source). */
  public static final String SOURCE_ROW_ID = "__source_row_id";

  static final String PREFIX = "geneva.view.";
  static final String SOURCE_NAME = PREFIX + "source.name";
  static final String SOURCE_URI = PREFIX + "source.uri";
  static final String COLUMNS = PREFIX + "columns";
  static final String FILTER = PREFIX + "filter";
  static final String UDTF_CLASS = PREFIX + "udtf.class";
  static final String UDTF_VERSION = PREFIX + "udtf.version";
  static final String REFRESHED = PREFIX + "refreshed_version";
  static final String REFRESHING = PREFIX + "refreshing_to";

  /** Every key this record writes, for removal. */
  static final Set<String> OPTIONAL_KEYS =
      Set.of(FILTER, UDTF_CLASS, UDTF_VERSION, REFRESHED, REFRESHING);

  /**
   * Encodes as Lance config entries.
   *
   * @return the entries
   */
  public Map<String, String> toConfig() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(SOURCE_NAME, sourceName);
    m.put(SOURCE_URI, sourceUri);
    m.put(COLUMNS, UdfMetadata.encodeNames(columns));
    filter.ifPresent(f -> m.put(FILTER, f));
    udtfClass.ifPresent(c -> m.put(UDTF_CLASS, c));
    udtfVersion.ifPresent(v -> m.put(UDTF_VERSION, v));
    refreshedVersion.ifPresent(v -> m.put(REFRESHED, Long.toString(v)));
    refreshingTo.ifPresent(v -> m.put(REFRESHING, Long.toString(v)));
    return m;
  }

  /**
   * Reads a view's record from its table's config.
   *
   * @param config the config
   * @return the record, or empty for a table that is not a view
   */
  public static Optional<ViewMetadata> fromConfig(Map<String, String> config) {
    if (config == null || !config.containsKey(SOURCE_URI)) {
      return Optional.empty();
    }
    String cols = config.getOrDefault(COLUMNS, "");
    return Optional.of(
        new ViewMetadata(
            config.getOrDefault(SOURCE_NAME, ""),
            config.get(SOURCE_URI),
            UdfMetadata.decodeNames(cols),
            Optional.ofNullable(config.get(FILTER)),
            Optional.ofNullable(config.get(UDTF_CLASS)),
            Optional.ofNullable(config.get(UDTF_VERSION)),
            version(config.get(REFRESHED)),
            version(config.get(REFRESHING))));
  }

  private static OptionalLong version(String s) {
    return s == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s));
  }

  /**
   * This record with a refresh under way to {@code version}.
   *
   * @param version the source version
   * @return the new record
   */
  public ViewMetadata refreshing(long version) {
    return new ViewMetadata(
        sourceName,
        sourceUri,
        columns,
        filter,
        udtfClass,
        udtfVersion,
        refreshedVersion,
        OptionalLong.of(version));
  }

  /**
   * This record after a finished refresh to {@code version} with the given UDTF version.
   *
   * @param version the source version
   * @param newUdtfVersion the UDTF version used, if a UDTF view
   * @return the new record
   */
  public ViewMetadata refreshed(long version, Optional<String> newUdtfVersion) {
    return new ViewMetadata(
        sourceName,
        sourceUri,
        columns,
        filter,
        udtfClass,
        newUdtfVersion,
        OptionalLong.of(version),
        OptionalLong.empty());
  }
}
