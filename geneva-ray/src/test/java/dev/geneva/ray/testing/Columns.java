package dev.geneva.ray.testing;

import dev.geneva.Batches;
import dev.geneva.Table;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Reads a column of a table keyed by {@code id}. */
public final class Columns {
  private Columns() {}

  /** id to value (Arrow's Java object, null kept) for every live row. */
  public static Map<Long, Object> byId(Table table, String column) {
    Map<Long, Object> values = new TreeMap<>();
    try (Batches batches = table.read(List.of("id", column), null)) {
      while (batches.next()) {
        VectorSchemaRoot b = batches.current();
        BigIntVector id = (BigIntVector) b.getVector("id");
        FieldVector v = b.getVector(column);
        for (int i = 0; i < b.getRowCount(); i++) {
          Object o = v.getObject(i);
          values.put(id.get(i), o == null ? null : normalize(o));
        }
      }
    }
    return values;
  }

  private static Object normalize(Object o) {
    if (o instanceof org.apache.arrow.vector.util.Text t) {
      return t.toString();
    }
    return o;
  }
}
