package dev.geneva.examples.udf;

import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * An "embedding" computed from text by feature hashing of its words into a unit vector: a stand-in
 * for a model that needs no download. Null text gives a null vector.
 */
public class HashingEmbedding implements BatchUdf {
  /** Floats per vector. */
  public static final int DIMENSION = 16;

  @Override
  public UdfSpec spec() {
    return UdfSpec.builder()
        .inputs("text")
        .output(UdfTypes.floatVector(DIMENSION))
        .version("1")
        .build();
  }

  @Override
  public void apply(VectorSchemaRoot input, FieldVector output) {
    VarCharVector text = (VarCharVector) input.getVector("text");
    FixedSizeListVector vectors = (FixedSizeListVector) output;
    Float4Vector values = (Float4Vector) vectors.getDataVector();
    float[] v = new float[DIMENSION];
    for (int row = 0; row < input.getRowCount(); row++) {
      if (text.isNull(row)) {
        vectors.setNull(row);
        continue;
      }
      embed(text.get(row), v);
      int start = vectors.startNewValue(row);
      for (int k = 0; k < DIMENSION; k++) {
        values.setSafe(start + k, v[k]);
      }
    }
  }

  /**
   * Hashes the words of UTF-8 text into {@code out} and normalises it to unit length.
   *
   * @param utf8 the text
   * @param out the vector to fill
   */
  public static void embed(byte[] utf8, float[] out) {
    java.util.Arrays.fill(out, 0f);
    int hash = 0x811c9dc5;
    boolean inWord = false;
    for (int i = 0; i <= utf8.length; i++) {
      boolean boundary = i == utf8.length || utf8[i] == ' ';
      if (!boundary) {
        hash = (hash ^ utf8[i]) * 0x01000193;
        inWord = true;
      } else if (inWord) {
        out[Math.floorMod(hash, DIMENSION)] += (hash & 0x100) == 0 ? 1f : -1f;
        hash = 0x811c9dc5;
        inWord = false;
      }
    }
    double norm = 0;
    for (float f : out) {
      norm += f * f;
    }
    if (norm > 0) {
      float scale = (float) (1 / Math.sqrt(norm));
      for (int k = 0; k < out.length; k++) {
        out[k] *= scale;
      }
    }
  }
}
