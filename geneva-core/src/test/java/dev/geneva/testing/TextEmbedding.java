package dev.geneva.testing;

import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/** A batch UDF making a 4-float "embedding" from text; null text gives null. */
public class TextEmbedding implements BatchUdf {
  public static final int DIM = 4;

  /** The independent computation the tests compare with. */
  public static float[] expected(String text) {
    if (text == null) {
      return null;
    }
    float[] v = new float[DIM];
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      v[i % DIM] += b[i] / 100f;
    }
    return v;
  }

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder().inputs("text").output(UdfTypes.floatVector(DIM)).version("2").build();
  }

  @Override
  public void apply(VectorSchemaRoot input, FieldVector output) {
    VarCharVector text = (VarCharVector) input.getVector(0);
    FixedSizeListVector out = (FixedSizeListVector) output;
    Float4Vector data = (Float4Vector) out.getDataVector();
    for (int i = 0; i < input.getRowCount(); i++) {
      if (text.isNull(i)) {
        out.setNull(i);
        continue;
      }
      float[] v = expected(new String(text.get(i), StandardCharsets.UTF_8));
      int start = out.startNewValue(i);
      for (int k = 0; k < DIM; k++) {
        data.setSafe(start + k, v[k]);
      }
    }
  }
}
