package dev.geneva.internal.engine;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Transaction;
import com.lancedb.lance.operation.UpdateConfig;
import com.lancedb.lance.operation.UpdateMap;
import com.lancedb.lance.schema.LanceField;
import dev.geneva.GenevaException;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.udf.UdfSpec;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which UDF (class, version, inputs) computed a column's values, kept in the field's metadata under
 * {@link #COMPUTED}, so a backfill can tell when the UDF changed since (a new version, or {@code
 * Table.alterColumns}) and recompute every row, as Geneva does, instead of only the null ones. A
 * column without the key was computed by the UDF its other keys declare.
 */
public final class UdfVersions {
  private UdfVersions() {}

  /** The metadata key: class, version and inputs of the UDF that computed the values. */
  public static final String COMPUTED = "geneva.udf.computed";

  /** A UDF's identity for this purpose. */
  record Identity(String udfClass, String version, List<String> inputs) {
    String encode() {
      return String.join(
          ";",
          enc(udfClass),
          enc(version),
          String.join(",", inputs.stream().map(UdfVersions::enc).toList()));
    }

    static Identity decode(String s) {
      String[] parts = s.split(";", -1);
      if (parts.length != 3) {
        return null;
      }
      List<String> inputs =
          parts[2].isEmpty()
              ? List.of()
              : java.util.Arrays.stream(parts[2].split(",")).map(UdfVersions::dec).toList();
      return new Identity(dec(parts[0]), dec(parts[1]), inputs);
    }

    @Override
    public String toString() {
      return udfClass + " version " + version + " reading " + inputs;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The UDF that computed the values of a column with this metadata. */
  static Identity computedBy(Map<String, String> fieldMetadata, UdfMetadata declared) {
    String stored = fieldMetadata == null ? null : fieldMetadata.get(COMPUTED);
    Identity computed = stored == null ? null : Identity.decode(stored);
    return computed != null
        ? computed
        : new Identity(declared.udfClass(), declared.version(), declared.inputs());
  }

  /**
   * How the UDF that would run now differs from the one that computed the column's values.
   *
   * @param fieldMetadata the column's field metadata
   * @param declared the declaration stored in it
   * @param spec the declaration of the UDF class now on the classpath
   * @return what changed, e.g. {@code "version 1 -> 2"}, or empty when nothing did
   */
  public static Optional<String> change(
      Map<String, String> fieldMetadata, UdfMetadata declared, UdfSpec spec) {
    Identity before = computedBy(fieldMetadata, declared);
    Identity now = new Identity(declared.udfClass(), spec.version(), spec.inputs());
    if (before.equals(now)) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder();
    if (!before.udfClass().equals(now.udfClass())) {
      b.append("UDF ").append(before.udfClass()).append(" -> ").append(now.udfClass());
    }
    if (!before.version().equals(now.version())) {
      b.append(b.length() == 0 ? "" : ", ")
          .append("version ")
          .append(before.version())
          .append(" -> ")
          .append(now.version());
    }
    if (!before.inputs().equals(now.inputs())) {
      b.append(b.length() == 0 ? "" : ", ")
          .append("inputs ")
          .append(before.inputs())
          .append(" -> ")
          .append(now.inputs());
    }
    return Optional.of(b.toString());
  }

  /**
   * The {@link #COMPUTED} value for a column as it is now: the UDF that computed its values.
   *
   * @param fieldMetadata the column's field metadata
   * @param declared the declaration stored in it
   * @return the value to keep when the declaration changes
   */
  public static String encodeComputed(Map<String, String> fieldMetadata, UdfMetadata declared) {
    return computedBy(fieldMetadata, declared).encode();
  }

  /**
   * The metadata value recording that the values were computed by a declaration.
   *
   * @param udfClass the UDF's class
   * @param version its version
   * @param inputs its inputs
   * @return the value for {@link #COMPUTED}
   */
  static String encode(String udfClass, String version, List<String> inputs) {
    return new Identity(udfClass, version, inputs).encode();
  }

  /**
   * Updates the field metadata of columns in one commit, retrying on commit conflicts; other keys
   * are kept.
   *
   * @param table the table
   * @param updates column name to the keys to set
   * @return the new version
   */
  public static long updateFieldMetadata(
      TableLocation table, Map<String, Map<String, String>> updates) {
    for (int attempt = 1; ; attempt++) {
      try (Dataset latest = table.openLatest()) {
        Map<Integer, UpdateMap> byId = new java.util.HashMap<>();
        for (var u : updates.entrySet()) {
          LanceField field =
              latest.getLanceSchema().fields().stream()
                  .filter(f -> f.getName().equals(u.getKey()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new GenevaException(
                              "column '"
                                  + u.getKey()
                                  + "' of "
                                  + table.shownUri()
                                  + " no longer exists"));
          byId.put(field.getId(), UpdateMap.builder().updates(u.getValue()).replace(false).build());
        }
        Transaction tx =
            latest
                .newTransactionBuilder()
                .readVersion(latest.version())
                .operation(UpdateConfig.builder().fieldMetadataUpdates(byId).build())
                .build();
        try (Dataset committed = tx.commit()) {
          return committed.version();
        }
      } catch (RuntimeException e) {
        if (!LanceErrors.isCommitConflict(e) || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /**
   * Records that columns' values are now computed by a declaration, after a backfill that
   * recomputed every row: one column, or every member of a group, in one commit.
   *
   * @param table the table
   * @param columns the columns
   * @param udfClass the UDF's class
   * @param spec its declaration
   * @return the new version
   */
  static long markComputed(
      TableLocation table, List<String> columns, String udfClass, UdfSpec spec) {
    Map<String, Map<String, String>> updates = new java.util.LinkedHashMap<>();
    try (Dataset latest = table.openLatest()) {
      for (String column : columns) {
        Map<String, String> update = new java.util.HashMap<>();
        update.put(COMPUTED, encode(udfClass, spec.version(), spec.inputs()));
        Optional<UdfMetadata> declared =
            UdfMetadata.from(latest.getSchema().findField(column).getMetadata());
        // The declared version follows the class's, unless alterColumns declared another UDF
        // meanwhile.
        if (declared.isPresent()
            && declared.get().udfClass().equals(udfClass)
            && declared.get().inputs().equals(spec.inputs())) {
          update.put(UdfMetadata.VERSION, spec.version());
        }
        updates.put(column, update);
      }
    }
    return updateFieldMetadata(table, updates);
  }
}
