package dev.geneva.testing;

import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;

/**
 * UDFs of several columns ({@code words: int64}, {@code lang: utf8}, {@code vec:
 * fixed_size_list<float32, 3>}) computed from {@code id} and {@code text}, and one-column UDFs
 * computing each member alone with the same functions, so a test can compare a group's backfill
 * with the per-column one. Rows with {@link #none} get null for every member; each member is also
 * null on rows of its own. Rows in {@link Faults#FAILING_IDS} throw.
 */
public final class GroupUdfs {
  private GroupUdfs() {}

  /** Rows computed by the group UDFs, by every instance in this JVM. */
  public static final AtomicLong CALLS = new AtomicLong();

  /** Whether the UDF returns null (every member null) for row {@code id}. */
  public static boolean none(long id) {
    return id % 11 == 7;
  }

  /** {@code words} of a row: null for null text. */
  public static Long words(long id, String text) {
    return none(id) || text == null ? null : text.split("-").length * 1_000L + id;
  }

  /** {@code lang} of a row. */
  public static String lang(long id) {
    return none(id) || id % 5 == 1 ? null : id % 2 == 0 ? "en" : "fr";
  }

  /** {@code vec} of a row. */
  public static float[] vec(long id) {
    return none(id) || id % 6 == 4 ? null : new float[] {id, id / 2f, -id};
  }

  /** What Arrow reads back for {@code words}. */
  public static Object expectedWords(long id) {
    return words(id, SampleTables.text(id));
  }

  /** What Arrow reads back for {@code lang}. */
  public static Object expectedLang(long id) {
    String l = lang(id);
    return l == null ? null : new Text(l);
  }

  /** What Arrow reads back for {@code vec}. */
  public static Object expectedVec(long id) {
    float[] v = vec(id);
    return v == null ? null : List.of(v[0], v[1], v[2]);
  }

  /** The output columns. */
  public static Field[] columns() {
    return new Field[] {
      UdfTypes.named("words", UdfTypes.int64()),
      UdfTypes.named("lang", UdfTypes.utf8()),
      UdfTypes.named("vec", UdfTypes.fixedSizeList(UdfTypes.float32(), 3))
    };
  }

  /** The scalar UDF of the three columns. */
  public static class Stats implements ScalarUdf<Map<String, Object>> {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("id", "text").outputColumns(columns()).build();
    }

    @Override
    public Map<String, Object> apply(Row row) {
      long id = row.getLong("id");
      Faults.maybeFail(id);
      CALLS.incrementAndGet();
      if (none(id)) {
        return null;
      }
      Map<String, Object> m = new HashMap<>();
      m.put("words", words(id, row.isNull("text") ? null : row.getString("text")));
      m.put("lang", lang(id));
      m.put("vec", vec(id));
      return m;
    }
  }

  /** The same as {@link Stats} at version 2, whose {@code words} are negated. */
  public static class StatsV2 extends Stats {
    @Override
    public UdfSpec spec() {
      return super.spec().toBuilder().version("2").build();
    }

    @Override
    public Map<String, Object> apply(Row row) {
      Map<String, Object> m = super.apply(row);
      if (m != null && m.get("words") != null) {
        m.put("words", -(Long) m.get("words"));
      }
      return m;
    }
  }

  /** The batch UDF of the three columns, filling the struct's vectors. */
  public static class StatsBatch implements BatchUdf {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("id", "text").outputColumns(columns()).build();
    }

    @Override
    public void apply(VectorSchemaRoot input, FieldVector output) {
      BigIntVector ids = (BigIntVector) input.getVector("id");
      VarCharVector texts = (VarCharVector) input.getVector("text");
      StructVector out = (StructVector) output;
      BigIntVector words = out.getChild("words", BigIntVector.class);
      VarCharVector lang = out.getChild("lang", VarCharVector.class);
      FixedSizeListVector vec = out.getChild("vec", FixedSizeListVector.class);
      Float4Vector items = (Float4Vector) vec.getDataVector();
      for (int i = 0; i < input.getRowCount(); i++) {
        long id = ids.get(i);
        Faults.maybeFail(id);
        CALLS.incrementAndGet();
        if (none(id)) {
          // A value under a null struct must not reach the member's column.
          words.setSafe(i, -1);
          out.setNull(i);
          continue;
        }
        out.setIndexDefined(i);
        Long w = words(id, texts.isNull(i) ? null : texts.getObject(i).toString());
        if (w == null) {
          words.setNull(i);
        } else {
          words.setSafe(i, w);
        }
        String l = lang(id);
        if (l == null) {
          lang.setNull(i);
        } else {
          lang.setSafe(i, l.getBytes(StandardCharsets.UTF_8));
        }
        float[] v = vec(id);
        if (v == null) {
          vec.setNull(i);
        } else {
          int start = vec.startNewValue(i);
          for (int k = 0; k < 3; k++) {
            items.setSafe(start + k, v[k]);
          }
        }
      }
    }
  }

  /** {@code words} alone. */
  public static class Words implements ScalarUdf<Long> {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("id", "text").output(UdfTypes.int64()).build();
    }

    @Override
    public Long apply(Row row) {
      return words(row.getLong("id"), row.isNull("text") ? null : row.getString("text"));
    }
  }

  /** {@code lang} alone. */
  public static class Lang implements ScalarUdf<String> {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("id").output(UdfTypes.utf8()).build();
    }

    @Override
    public String apply(Row row) {
      return lang(row.getLong("id"));
    }
  }

  /** {@code vec} alone. */
  public static class Vec implements ScalarUdf<float[]> {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder()
          .inputs("id")
          .output(UdfTypes.fixedSizeList(UdfTypes.float32(), 3))
          .build();
    }

    @Override
    public float[] apply(Row row) {
      return vec(row.getLong("id"));
    }
  }
}
