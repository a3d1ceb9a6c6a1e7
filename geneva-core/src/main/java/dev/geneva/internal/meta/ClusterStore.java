package dev.geneva.internal.meta;

import dev.geneva.ClusterDefinition;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.StoredCluster;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Stored cluster definitions: {@code <database>/_geneva/clusters.lance}, one appended row per
 * definition or drop (columns {@code name, kind, format_version, definition, defined_at, dropped});
 * the latest row per name wins.
 */
public final class ClusterStore {
  /** The table's file name under {@code _geneva/}, without {@code .lance}. */
  public static final String TABLE = "clusters";

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("name", ArrowType.Utf8.INSTANCE),
              Field.notNullable("kind", ArrowType.Utf8.INSTANCE),
              Field.notNullable("format_version", new ArrowType.Int(32, true)),
              Field.notNullable("definition", ArrowType.Utf8.INSTANCE),
              Field.notNullable("defined_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.notNullable("dropped", ArrowType.Bool.INSTANCE)));

  private final SystemTable table;

  /**
   * Opens the store of a database.
   *
   * @param databaseUri the database
   * @param storage resolves the storage options current now
   * @param allocator for the batches
   */
  public ClusterStore(
      String databaseUri, Supplier<Map<String, String>> storage, BufferAllocator allocator) {
    this.table = new SystemTable(databaseUri, TABLE, SCHEMA, storage, allocator);
  }

  /**
   * Checks a definition's name.
   *
   * @param name the name
   * @throws InvalidInputException naming the rule
   */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "invalid cluster definition name '"
              + name
              + "': use 1 to 63 lower-case letters, digits and '-', starting and ending with a"
              + " letter or digit (e.g. \"gpu-embed\")");
    }
  }

  /**
   * Stores a definition under a name, replacing an earlier one.
   *
   * @param name the name
   * @param definition the definition
   */
  public void define(String name, ClusterDefinition definition) {
    checkName(name);
    if (definition == null) {
      throw new InvalidInputException("defineCluster '" + name + "': the definition is null");
    }
    String kind = definition.kind();
    String json = definition.toJson();
    if (kind == null || kind.isBlank()) {
      throw new InvalidInputException("defineCluster '" + name + "': the definition has no kind");
    }
    if (definition.formatVersion() < 1) {
      throw new InvalidInputException(
          "defineCluster '"
              + name
              + "': formatVersion must be at least 1, got "
              + definition.formatVersion());
    }
    if (json == null || !json.strip().startsWith("{")) {
      throw new InvalidInputException(
          "defineCluster '" + name + "': the definition must be a JSON object");
    }
    write(name, kind, definition.formatVersion(), json, false);
  }

  /**
   * Drops a definition.
   *
   * @param name the name
   * @return false when no definition had that name
   */
  public boolean drop(String name) {
    checkName(name);
    Optional<StoredCluster> existing = get(name);
    if (existing.isEmpty()) {
      return false;
    }
    StoredCluster c = existing.get();
    write(name, c.kind(), c.formatVersion(), "{}", true);
    return true;
  }

  private void write(String name, String kind, int version, String json, boolean dropped) {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    table.append(
        batch -> {
          set(batch, "name", name);
          set(batch, "kind", kind);
          ((IntVector) batch.getVector("format_version")).setSafe(0, version);
          set(batch, "definition", json);
          ((TimeStampMicroTZVector) batch.getVector("defined_at")).setSafe(0, micros);
          ((BitVector) batch.getVector("dropped")).setSafe(0, dropped ? 1 : 0);
          batch.setRowCount(1);
        });
  }

  /**
   * Every stored definition, by name.
   *
   * @return the definitions
   */
  public List<StoredCluster> list() {
    Map<String, StoredCluster> latest = new HashMap<>();
    Map<String, Boolean> dropped = new HashMap<>();
    table.scan(
        batch -> {
          for (int i = 0; i < batch.getRowCount(); i++) {
            StoredCluster c =
                new StoredCluster(
                    get(batch, "name", i),
                    get(batch, "kind", i),
                    ((IntVector) batch.getVector("format_version")).get(i),
                    get(batch, "definition", i),
                    Instant.EPOCH.plus(
                        ((TimeStampMicroTZVector) batch.getVector("defined_at")).get(i),
                        ChronoUnit.MICROS));
            StoredCluster before = latest.get(c.name());
            if (before == null || !c.definedAt().isBefore(before.definedAt())) {
              latest.put(c.name(), c);
              dropped.put(c.name(), ((BitVector) batch.getVector("dropped")).get(i) == 1);
            }
          }
        });
    return latest.values().stream()
        .filter(c -> !dropped.get(c.name()))
        .sorted(Comparator.comparing(StoredCluster::name))
        .toList();
  }

  /**
   * One definition.
   *
   * @param name the name
   * @return the definition, empty when none has that name
   */
  public Optional<StoredCluster> get(String name) {
    return list().stream().filter(c -> c.name().equals(name)).findFirst();
  }

  private static void set(VectorSchemaRoot batch, String column, String value) {
    ((VarCharVector) batch.getVector(column)).setSafe(0, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String get(VectorSchemaRoot batch, String column, int i) {
    return new String(((VarCharVector) batch.getVector(column)).get(i), StandardCharsets.UTF_8);
  }

  /**
   * Fails for a definition of another kind than expected.
   *
   * @param c the stored definition
   * @param kind the expected kind
   * @param maxVersion the newest layout the reader knows
   * @throws GenevaException naming what was found and what to do
   */
  public static void checkKind(StoredCluster c, String kind, int maxVersion) {
    if (!c.kind().equals(kind)) {
      throw new InvalidInputException(
          "cluster definition '" + c.name() + "' is a " + c.kind() + ", not a " + kind);
    }
    if (c.formatVersion() > maxVersion) {
      throw new GenevaException(
          "cluster definition '"
              + c.name()
              + "' has layout version "
              + c.formatVersion()
              + ", newer than this Geneva reads ("
              + maxVersion
              + "): upgrade Geneva");
    }
  }
}
