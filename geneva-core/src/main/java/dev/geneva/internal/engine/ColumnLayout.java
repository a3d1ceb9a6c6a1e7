package dev.geneva.internal.engine;

import com.lancedb.lance.schema.LanceField;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Which field ids of one column a Lance data file lists, and at which of the file's columns each
 * lives: the {@code fields} and {@code columnIndices} of the {@code DataFile} that holds only that
 * column. A nested column (list, struct) has child fields with ids of their own, and Lance's file
 * formats lay them out differently:
 *
 * <ul>
 *   <li>2.0: every field, parent before children (depth first), has a column of its own, except the
 *       item of a fixed-size list, which is stored with the list;
 *   <li>2.1 and newer: only leaves have columns (a fixed-size list of primitives is a leaf);
 *       parents live in the leaves' repetition and definition levels and are not listed.
 * </ul>
 *
 * <p>These rules are what lance-core 0.39.0 itself writes for every type Geneva supports ({@code
 * ColumnLayoutTest} compares them with {@code Fragment.create}).
 */
record ColumnLayout(int[] fields, int[] columnIndices) {

  /**
   * The layout of a file holding only {@code column}, written in Lance file format {@code
   * major.minor}.
   *
   * @param column the column's Lance field, children included
   * @param major the file format's major version (2)
   * @param minor its minor version
   * @return the field ids and column indices for the data file
   */
  static ColumnLayout of(LanceField column, int major, int minor) {
    List<Integer> ids = new ArrayList<>();
    if (major == 2 && minor == 0) {
      everyField(column, ids);
    } else {
      leaves(column, ids);
    }
    int[] fields = ids.stream().mapToInt(Integer::intValue).toArray();
    int[] columns = new int[fields.length];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = i;
    }
    return new ColumnLayout(fields, columns);
  }

  /**
   * The layout of one file holding {@code columns} side by side, in that order: each column's field
   * ids as {@link #of} lists them, the file's column indices counting on across columns. This is
   * the data file of a UDF whose output is unpacked into several top-level columns.
   *
   * @param columns the columns' Lance fields, children included, in the file's order
   * @param major the file format's major version (2)
   * @param minor its minor version
   * @return the field ids and column indices for the data file
   */
  static ColumnLayout ofAll(List<LanceField> columns, int major, int minor) {
    List<Integer> ids = new ArrayList<>();
    for (LanceField column : columns) {
      for (int id : of(column, major, minor).fields()) {
        ids.add(id);
      }
    }
    int[] fields = ids.stream().mapToInt(Integer::intValue).toArray();
    int[] indices = new int[fields.length];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    return new ColumnLayout(fields, indices);
  }

  /** The ids of a column and all its descendants, depth first. */
  static List<Integer> allIds(LanceField column) {
    List<Integer> ids = new ArrayList<>();
    ids.add(column.getId());
    for (LanceField child : column.getChildren()) {
      ids.addAll(allIds(child));
    }
    return ids;
  }

  private static void everyField(LanceField f, List<Integer> ids) {
    ids.add(f.getId());
    if (f.getType() instanceof ArrowType.FixedSizeList) {
      return;
    }
    for (LanceField child : f.getChildren()) {
      everyField(child, ids);
    }
  }

  private static void leaves(LanceField f, List<Integer> ids) {
    if (f.getChildren().isEmpty() || f.getType() instanceof ArrowType.FixedSizeList) {
      ids.add(f.getId());
      return;
    }
    for (LanceField child : f.getChildren()) {
      leaves(child, ids);
    }
  }
}
