package dev.geneva.internal.engine;

import com.lancedb.lance.Dataset;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.internal.lance.TableLocation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops columns after checking, before the table changes, that nothing left behind needs them: a
 * UDF column reading one, or a column group losing some of its members. Then forgets the dropped
 * UDF columns' checkpoints, so a column added again under the same name starts afresh.
 */
public final class ColumnDropper {
  private static final Logger LOG = LoggerFactory.getLogger(ColumnDropper.class);

  private ColumnDropper() {}

  /**
   * Drops columns (a group's name stands for all its members).
   *
   * @param table the table
   * @param columns the columns or group names
   * @return the table's new version
   * @throws InvalidInputException naming what is missing or still needed, before anything changes
   */
  public static long drop(TableLocation table, List<String> columns) {
    if (columns == null || columns.isEmpty() || columns.stream().anyMatch(c -> c == null)) {
      throw new InvalidInputException(
          "dropColumns needs the names of existing columns, e.g. dropColumns(List.of(\"len\"))");
    }
    try (Dataset ds = table.openLatest()) {
      Schema schema = ds.getSchema();
      Set<String> drop = expand(table, schema, columns);
      checkNothingLeftNeedsThem(table, schema, drop);
      if (drop.size() == schema.getFields().size()) {
        throw new InvalidInputException(
            "dropColumns would drop every column of table '"
                + table.name()
                + "', and a Lance table needs at least one: drop the table instead");
      }
      Set<String> checkpointed = new LinkedHashSet<>();
      for (Field f : schema.getFields()) {
        if (drop.contains(f.getName()) && UdfMetadata.from(f.getMetadata()).isPresent()) {
          checkpointed.add(
              ColumnGroup.from(f.getMetadata()).map(ColumnGroup::name).orElse(f.getName()));
        }
      }
      try {
        ds.dropColumns(List.copyOf(drop));
      } catch (RuntimeException e) {
        throw new GenevaException(
            "cannot drop columns " + drop + " of table '" + table.name() + "': " + e.getMessage(),
            e);
      }
      for (String column : checkpointed) {
        try {
          CheckpointStore.forColumn(table.uri(), column, table::storageOptions, table.allocator())
              .clear();
        } catch (RuntimeException e) {
          LOG.warn(
              "dropped column '{}' of table '{}', but could not delete its checkpoints: {}",
              column,
              table.name(),
              e.toString());
        }
      }
      try (Dataset latest = table.openLatest()) {
        return latest.version();
      }
    }
  }

  /** The columns to drop: each named column, and every member of each named group. */
  private static Set<String> expand(TableLocation table, Schema schema, List<String> columns) {
    Set<String> drop = new LinkedHashSet<>();
    List<String> names = schema.getFields().stream().map(Field::getName).toList();
    for (String column : columns) {
      Optional<ColumnGroup> named = ColumnGroup.named(schema, column);
      if (named.isPresent() && !names.contains(column)) {
        drop.addAll(named.get().members());
        continue;
      }
      if (!names.contains(column)) {
        throw new InvalidInputException(
            "dropColumns: table '"
                + table.name()
                + "' has no column '"
                + column
                + "'; its columns are "
                + names
                + ". Nothing was dropped");
      }
      drop.add(column);
    }
    for (String column : List.copyOf(drop)) {
      Optional<ColumnGroup> group = ColumnGroup.find(schema, column);
      if (group.isPresent() && !drop.containsAll(group.get().members())) {
        throw new InvalidInputException(
            "dropColumns: column '"
                + column
                + "' of table '"
                + table.name()
                + "' is one of the columns "
                + group.get().members()
                + " that one UDF computes together (group '"
                + group.get().name()
                + "'): drop them all, e.g. dropColumns(List.of(\""
                + group.get().name()
                + "\")). Nothing was dropped");
      }
    }
    return drop;
  }

  /** Refuses when a UDF column that stays reads a column being dropped. */
  private static void checkNothingLeftNeedsThem(
      TableLocation table, Schema schema, Set<String> drop) {
    List<String> problems = new ArrayList<>();
    for (Field f : schema.getFields()) {
      if (drop.contains(f.getName())) {
        continue;
      }
      Optional<UdfMetadata> meta = UdfMetadata.from(f.getMetadata());
      if (meta.isEmpty()) {
        continue;
      }
      for (String input : meta.get().inputs()) {
        String top = input.contains(".") && !drop.contains(input) ? topLevel(input) : input;
        if (drop.contains(top)) {
          problems.add("'" + f.getName() + "' reads '" + top + "'");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "dropColumns: UDF columns of table '"
              + table.name()
              + "' still need what would be dropped ("
              + String.join(", ", problems)
              + "): drop them too, or give them other inputs with alterColumns first. Nothing was"
              + " dropped");
    }
  }

  private static String topLevel(String path) {
    return path.substring(0, path.indexOf('.'));
  }
}
