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
 * Stored definitions: cluster definitions in {@code <database>/_geneva/clusters.lance}, job package
 * definitions in {@code <database>/_geneva/packages.lance} ({@link #packages}); one appended row
 * per definition or drop (columns {@code name, kind, format_version, definition, defined_at,
 * dropped}); the latest row per name wins.
 */
public final class ClusterStore {
  /** The table's file name under {@code _geneva/}, without {@code .lance}. */
  public static final String TABLE = "clusters";

  /** The file name under {@code _geneva/} of the job package definitions. */
  public static final String PACKAGES_TABLE = "packages";

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
  private final String noun;
  private final String call;

  /**
   * Opens the cluster definitions of a database.
   *
   * @param databaseUri the database
   * @param storage resolves the storage options current now
   * @param allocator for the batches
   */
  public ClusterStore(
      String databaseUri, Supplier<Map<String, String>> storage, BufferAllocator allocator) {
    this(databaseUri, TABLE, "cluster definition", "defineCluster", storage, allocator);
  }

  private ClusterStore(
      String databaseUri,
      String tableName,
      String noun,
      String call,
      Supplier<Map<String, String>> storage,
      BufferAllocator allocator) {
    this.table = new SystemTable(databaseUri, tableName, SCHEMA, storage, allocator);
    this.noun = noun;
    this.call = call;
  }

  /**
   * Opens the job package definitions of a database, stored as cluster definitions are.
   *
   * @param databaseUri the database
   * @param storage resolves the storage options current now
   * @param allocator for the batches
   * @return the store
   */
  public static ClusterStore packages(
      String databaseUri, Supplier<Map<String, String>> storage, BufferAllocator allocator) {
    return new ClusterStore(
        databaseUri, PACKAGES_TABLE, "job package definition", "definePackage", storage, allocator);
  }

  /**
   * Checks a definition's name.
   *
   * @param name the name
   * @throws InvalidInputException naming the rule
   */
  public static void checkName(String name) {
    checkName("cluster definition", name);
  }

  /**
   * Checks a definition's name.
   *
   * @param noun what is named, for the message (e.g. {@code "job package definition"})
   * @param name the name
   * @throws InvalidInputException naming the rule
   */
  public static void checkName(String noun, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "invalid "
              + noun
              + " name '"
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
    if (definition == null) {
      checkName(noun, name);
      throw new InvalidInputException(call + " '" + name + "': the definition is null");
    }
    define(name, definition.kind(), definition.formatVersion(), definition.toJson());
  }

  /**
   * Stores a document under a name, replacing an earlier one.
   *
   * @param name the name
   * @param kind what the document describes
   * @param formatVersion its layout version, at least 1
   * @param json a JSON object
   */
  public void define(String name, String kind, int formatVersion, String json) {
    checkName(noun, name);
    if (kind == null || kind.isBlank()) {
      throw new InvalidInputException(call + " '" + name + "': the definition has no kind");
    }
    if (formatVersion < 1) {
      throw new InvalidInputException(
          call + " '" + name + "': formatVersion must be at least 1, got " + formatVersion);
    }
    if (json == null || !json.strip().startsWith("{")) {
      throw new InvalidInputException(
          call + " '" + name + "': the definition must be a JSON object");
    }
    write(name, kind, formatVersion, json, false);
  }

  /**
   * Drops a definition.
   *
   * @param name the name
   * @return false when no definition had that name
   */
  public boolean drop(String name) {
    checkName(noun, name);
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
    checkKind("cluster definition", c.name(), c.kind(), c.formatVersion(), kind, maxVersion);
  }

  /**
   * Fails for a stored document of another kind than expected, or a newer layout.
   *
   * @param noun what the document is, for messages
   * @param name its name
   * @param found its kind
   * @param formatVersion its layout version
   * @param kind the expected kind
   * @param maxVersion the newest layout the reader knows
   * @throws GenevaException naming what was found and what to do
   */
  public static void checkKind(
      String noun, String name, String found, int formatVersion, String kind, int maxVersion) {
    if (!found.equals(kind)) {
      throw new InvalidInputException(noun + " '" + name + "' is a " + found + ", not a " + kind);
    }
    if (formatVersion > maxVersion) {
      throw new GenevaException(
          noun
              + " '"
              + name
              + "' has layout version "
              + formatVersion
              + ", newer than this Geneva reads ("
              + maxVersion
              + "): upgrade Geneva");
    }
  }
}
