package dev.geneva.internal.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The columns one UDF computes together (a UDF declared with {@code UdfSpec.outputColumns}): the
 * group's name and its member columns, in the order of the UDF's output struct. Stored in every
 * member's field metadata beside the UDF's declaration, so any member (or the group's name) finds
 * the whole group.
 *
 * @param name the group's name (the key given to {@code Table.addColumns})
 * @param members the member columns, in the UDF's output order
 */
public record ColumnGroup(String name, List<String> members) {
  static final String NAME = "geneva.udf.group";
  static final String MEMBERS = "geneva.udf.group.members";

  /**
   * Copies the members.
   *
   * @param name the group's name
   * @param members the member columns
   */
  public ColumnGroup {
    members = List.copyOf(members);
  }

  /**
   * Encodes as Arrow field metadata, for each member.
   *
   * @return the key-value pairs
   */
  public Map<String, String> toFieldMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(NAME, name);
    m.put(MEMBERS, UdfMetadata.encodeNames(members));
    return m;
  }

  /**
   * Reads the group back from a member's field metadata.
   *
   * @param fieldMetadata the field's metadata (may be null)
   * @return the group, or empty for a column computed alone
   */
  public static Optional<ColumnGroup> from(Map<String, String> fieldMetadata) {
    if (fieldMetadata == null || !fieldMetadata.containsKey(NAME)) {
      return Optional.empty();
    }
    return Optional.of(
        new ColumnGroup(
            fieldMetadata.get(NAME),
            UdfMetadata.decodeNames(fieldMetadata.getOrDefault(MEMBERS, ""))));
  }

  /**
   * The group a name refers to in a schema: the group of the column of that name, or else the group
   * of that name.
   *
   * @param schema the table's schema
   * @param name a column or group name
   * @return the group, or empty when the name is a column computed alone or names nothing
   */
  public static Optional<ColumnGroup> find(Schema schema, String name) {
    for (Field f : schema.getFields()) {
      if (f.getName().equals(name)) {
        return from(f.getMetadata());
      }
    }
    return named(schema, name);
  }

  /**
   * The group of a given name in a schema, whatever its members are called.
   *
   * @param schema the table's schema
   * @param name the group's name
   * @return the group, or empty when no column belongs to a group of that name
   */
  public static Optional<ColumnGroup> named(Schema schema, String name) {
    for (Field f : schema.getFields()) {
      Optional<ColumnGroup> g = from(f.getMetadata());
      if (g.isPresent() && g.get().name().equals(name)) {
        return g;
      }
    }
    return Optional.empty();
  }

  /**
   * The field whose metadata holds the UDF a backfill of {@code name} runs: the column of that
   * name, or else the first member of the group of that name.
   *
   * @param schema the table's schema
   * @param name a column or group name
   * @return the field, or empty when the name is neither
   */
  public static Optional<Field> udfField(Schema schema, String name) {
    for (Field f : schema.getFields()) {
      if (f.getName().equals(name)) {
        return Optional.of(f);
      }
    }
    return named(schema, name)
        .flatMap(
            g ->
                schema.getFields().stream()
                    .filter(f -> f.getName().equals(g.members().get(0)))
                    .findFirst());
  }

  /**
   * The filter a default backfill uses: rows where any of the columns is null.
   *
   * @param columns the output columns
   * @return the SQL predicate, unwrapped
   */
  static String anyNull(List<String> columns) {
    return String.join(" OR ", columns.stream().map(m -> SqlNames.quote(m) + " IS NULL").toList());
  }
}
