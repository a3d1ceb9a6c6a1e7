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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

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

  /**
   * The metadata key recording, for a column whose UDF reads other UDF columns, which UDFs had
   * computed those inputs when its values were computed ({@link #inputState}).
   */
  public static final String INPUTS_COMPUTED = "geneva.udf.inputs.computed";

  /**
   * Which UDF computed each of a UDF's inputs that is itself a UDF column, as recorded under {@link
   * #INPUTS_COMPUTED}.
   *
   * @param schema the table's schema now
   * @param inputs the UDF's inputs (a struct path counts as its column)
   * @return the state, or null when no input is a UDF column
   */
  static String inputState(Schema schema, List<String> inputs) {
    Map<String, String> state = new TreeMap<>();
    for (String input : inputs) {
      Field f =
          schema.getFields().stream()
              .filter(x -> x.getName().equals(input))
              .findFirst()
              .orElseGet(
                  () -> {
                    int dot = input.indexOf('.');
                    String top = dot < 0 ? input : input.substring(0, dot);
                    return schema.getFields().stream()
                        .filter(x -> x.getName().equals(top))
                        .findFirst()
                        .orElse(null);
                  });
      if (f == null) {
        continue;
      }
      Optional<UdfMetadata> declared = UdfMetadata.from(f.getMetadata());
      declared.ifPresent(d -> state.put(f.getName(), encodeComputed(f.getMetadata(), d)));
    }
    if (state.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    state.forEach(
        (k, v) -> b.append(b.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return b.toString();
  }

  private static Map<String, Identity> decodeState(String state) {
    Map<String, Identity> m = new TreeMap<>();
    if (state == null || state.isEmpty()) {
      return m;
    }
    for (String part : state.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        Identity id = Identity.decode(dec(part.substring(eq + 1)));
        if (id != null) {
          m.put(dec(part.substring(0, eq)), id);
        }
      }
    }
    return m;
  }

  /**
   * How a column's UDF-column inputs changed since its values were computed: an input recomputed by
   * another UDF (a new version, or {@code alterColumns}) leaves values read from the old one.
   *
   * @param fieldMetadata the column's field metadata
   * @param stateNow {@link #inputState} now
   * @return what changed, e.g. {@code "input 'summary' is now computed by ..."}, or empty when
   *     nothing did or nothing was recorded
   */
  static Optional<String> inputChange(Map<String, String> fieldMetadata, String stateNow) {
    String recorded = fieldMetadata == null ? null : fieldMetadata.get(INPUTS_COMPUTED);
    if (recorded == null || stateNow == null || recorded.equals(stateNow)) {
      return Optional.empty();
    }
    Map<String, Identity> before = decodeState(recorded);
    Map<String, Identity> now = decodeState(stateNow);
    List<String> changes = new ArrayList<>();
    now.forEach(
        (input, identity) -> {
          Identity was = before.get(input);
          if (was != null && !was.equals(identity)) {
            changes.add(
                "input '"
                    + input
                    + "' was recomputed by "
                    + identity
                    + " (its values had been computed by "
                    + was
                    + ")");
          }
        });
    return changes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", changes));
  }

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
                                  + table.uri()
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
   * @param inputState {@link #inputState} when the backfill was planned, or null
   * @return the new version
   */
  static long markComputed(
      TableLocation table, List<String> columns, String udfClass, UdfSpec spec, String inputState) {
    Map<String, Map<String, String>> updates = new java.util.LinkedHashMap<>();
    try (Dataset latest = table.openLatest()) {
      for (String column : columns) {
        Map<String, String> update = new java.util.HashMap<>();
        update.put(COMPUTED, encode(udfClass, spec.version(), spec.inputs()));
        if (inputState != null) {
          update.put(INPUTS_COMPUTED, inputState);
        }
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
