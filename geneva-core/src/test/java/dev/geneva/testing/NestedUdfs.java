package dev.geneva.testing;

import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.UdfSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.util.Text;

/**
 * Batch UDFs with nested outputs computed from {@code id}, and the values they give, as Arrow's
 * {@code getObject} returns them. Every fifth row (id % 5 == 2) is null. A batch holding one of
 * {@link Faults#FAILING_IDS} throws.
 */
public final class NestedUdfs {
  private NestedUdfs() {}

  /** Whether row {@code id} gets null. */
  public static boolean isNull(long id) {
    return id % 5 == 2;
  }

  /** The list for row {@code id}: id, id+1, ... with id % 4 items (so some are empty). */
  public static List<Long> items(long id) {
    List<Long> items = new ArrayList<>();
    for (int k = 0; k < id % 4; k++) {
      items.add(id + k);
    }
    return items;
  }

  /** {@code list<int32>} of {@link #items}. */
  public static class IntList implements BatchUdf {
    /** The value Arrow reads back for row {@code id}. */
    public static Object expected(long id) {
      return isNull(id) ? null : items(id).stream().map(Long::intValue).toList();
    }

    @Override
    public UdfSpec spec() {
      return UdfSpec.builder()
          .inputs("id")
          .output(list(new ArrowType.List(), new ArrowType.Int(32, true)))
          .build();
    }

    @Override
    public void apply(VectorSchemaRoot input, FieldVector output) {
      BigIntVector ids = (BigIntVector) input.getVector(0);
      ListVector out = (ListVector) output;
      IntVector data = (IntVector) out.getDataVector();
      for (int i = 0; i < input.getRowCount(); i++) {
        long id = ids.get(i);
        Faults.maybeFail(id);
        if (isNull(id)) {
          out.setNull(i);
          continue;
        }
        List<Long> items = items(id);
        int start = out.startNewValue(i);
        for (int k = 0; k < items.size(); k++) {
          data.setSafe(start + k, items.get(k).intValue());
        }
        out.endValue(i, items.size());
      }
    }
  }

  /** {@code large_list<int64>} of {@link #items}. */
  public static class LongLargeList implements BatchUdf {
    /** The value Arrow reads back for row {@code id}. */
    public static Object expected(long id) {
      return isNull(id) ? null : items(id);
    }

    @Override
    public UdfSpec spec() {
      return UdfSpec.builder()
          .inputs("id")
          .output(list(new ArrowType.LargeList(), new ArrowType.Int(64, true)))
          .build();
    }

    @Override
    public void apply(VectorSchemaRoot input, FieldVector output) {
      BigIntVector ids = (BigIntVector) input.getVector(0);
      LargeListVector out = (LargeListVector) output;
      BigIntVector data = (BigIntVector) out.getDataVector();
      for (int i = 0; i < input.getRowCount(); i++) {
        long id = ids.get(i);
        Faults.maybeFail(id);
        if (isNull(id)) {
          out.setNull(i);
          continue;
        }
        List<Long> items = items(id);
        long start = out.startNewValue(i);
        for (int k = 0; k < items.size(); k++) {
          data.setSafe((int) (start + k), items.get(k));
        }
        out.endValue(i, items.size());
      }
    }
  }

  /** {@code fixed_size_list<int32, 3>}: id, 2 id, 3 id. */
  public static class IntTriple implements BatchUdf {
    /** The value Arrow reads back for row {@code id}. */
    public static Object expected(long id) {
      return isNull(id) ? null : List.of((int) id, (int) (2 * id), (int) (3 * id));
    }

    @Override
    public UdfSpec spec() {
      return UdfSpec.builder()
          .inputs("id")
          .output(list(new ArrowType.FixedSizeList(3), new ArrowType.Int(32, true)))
          .build();
    }

    @Override
    public void apply(VectorSchemaRoot input, FieldVector output) {
      BigIntVector ids = (BigIntVector) input.getVector(0);
      FixedSizeListVector out = (FixedSizeListVector) output;
      IntVector data = (IntVector) out.getDataVector();
      for (int i = 0; i < input.getRowCount(); i++) {
        long id = ids.get(i);
        Faults.maybeFail(id);
        if (isNull(id)) {
          out.setNull(i);
          continue;
        }
        int start = out.startNewValue(i);
        for (int k = 0; k < 3; k++) {
          data.setSafe(start + k, (int) ((k + 1) * id));
        }
      }
    }
  }

  /** {@code struct<n: int32, label: utf8>}: n = id, label = "s" + id (null when id % 3 == 0). */
  public static class Pair implements BatchUdf {
    /**
     * The value Arrow reads back for row {@code id}. Lance file format 2.0 does not store a
     * struct's own validity: there a null struct reads back as a struct of null fields.
     */
    public static Object expected(long id, boolean keepsStructNulls) {
      if (isNull(id)) {
        return keepsStructNulls ? null : new LinkedHashMap<String, Object>();
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("n", (int) id);
      if (id % 3 != 0) {
        m.put("label", new Text("s" + id));
      }
      return m;
    }

    /** The output type. */
    public static Field type() {
      return new Field(
          "value",
          FieldType.nullable(ArrowType.Struct.INSTANCE),
          List.of(
              Field.nullable("n", new ArrowType.Int(32, true)),
              Field.nullable("label", ArrowType.Utf8.INSTANCE)));
    }

    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("id").output(type()).build();
    }

    @Override
    public void apply(VectorSchemaRoot input, FieldVector output) {
      BigIntVector ids = (BigIntVector) input.getVector(0);
      StructVector out = (StructVector) output;
      IntVector n = out.getChild("n", IntVector.class);
      VarCharVector label = out.getChild("label", VarCharVector.class);
      for (int i = 0; i < input.getRowCount(); i++) {
        long id = ids.get(i);
        Faults.maybeFail(id);
        if (isNull(id)) {
          out.setNull(i);
          continue;
        }
        out.setIndexDefined(i);
        n.setSafe(i, (int) id);
        if (id % 3 != 0) {
          label.setSafe(i, ("s" + id).getBytes(StandardCharsets.UTF_8));
        } else {
          label.setNull(i);
        }
      }
    }
  }

  /** A list type of the given kind with nullable items of {@code item}. */
  public static Field list(ArrowType kind, ArrowType item) {
    return new Field("value", FieldType.nullable(kind), List.of(Field.nullable("item", item)));
  }
}
