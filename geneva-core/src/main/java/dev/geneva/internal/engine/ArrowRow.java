package dev.geneva.internal.engine;

import dev.geneva.udf.Row;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;

/** A cursor over the declared input columns of a scanned batch; one object reused for all rows. */
final class ArrowRow implements Row {
  private final Map<String, FieldVector> vectors = new HashMap<>();
  private int index;

  ArrowRow(VectorSchemaRoot batch, List<String> inputs) {
    for (String c : inputs) {
      vectors.put(c, batch.getVector(c));
    }
  }

  ArrowRow at(int index) {
    this.index = index;
    return this;
  }

  private FieldVector vector(String column) {
    FieldVector v = vectors.get(column);
    if (v == null) {
      throw new IllegalArgumentException(
          "column '"
              + column
              + "' is not a declared input of this UDF; declared: "
              + vectors.keySet());
    }
    return v;
  }

  private FieldVector nonNull(String column) {
    FieldVector v = vector(column);
    if (v.isNull(index)) {
      throw new NullPointerException(
          "column '"
              + column
              + "' is null in this row: check row.isNull(\""
              + column
              + "\") first");
    }
    return v;
  }

  private static ClassCastException mismatch(String column, FieldVector v, String wanted) {
    return new ClassCastException(
        "column '" + column + "' holds " + v.getField().getType() + ", not " + wanted);
  }

  @Override
  public boolean isNull(String column) {
    return vector(column).isNull(index);
  }

  @Override
  public int getInt(String column) {
    FieldVector v = nonNull(column);
    if (v instanceof BaseIntVector i) {
      long value = i.getValueAsLong(index);
      if (value != (int) value) {
        throw new ArithmeticException(
            "column '" + column + "' value " + value + " does not fit an int: use getLong");
      }
      return (int) value;
    }
    throw mismatch(column, v, "an integer");
  }

  @Override
  public long getLong(String column) {
    FieldVector v = nonNull(column);
    if (v instanceof BaseIntVector i) {
      return i.getValueAsLong(index);
    }
    throw mismatch(column, v, "an integer");
  }

  @Override
  public float getFloat(String column) {
    FieldVector v = nonNull(column);
    if (v instanceof Float4Vector f) {
      return f.get(index);
    }
    throw mismatch(column, v, "a 32-bit float");
  }

  @Override
  public double getDouble(String column) {
    FieldVector v = nonNull(column);
    if (v instanceof FloatingPointVector f) {
      return f.getValueAsDouble(index);
    }
    if (v instanceof BaseIntVector i) {
      return i.getValueAsLong(index);
    }
    throw mismatch(column, v, "a number");
  }

  @Override
  public boolean getBoolean(String column) {
    FieldVector v = nonNull(column);
    if (v instanceof BitVector b) {
      return b.get(index) != 0;
    }
    throw mismatch(column, v, "a boolean");
  }

  @Override
  public String getString(String column) {
    FieldVector v = vector(column);
    if (v.isNull(index)) {
      return null;
    }
    if (v instanceof VarCharVector s) {
      return new String(s.get(index), StandardCharsets.UTF_8);
    }
    throw mismatch(column, v, "a string");
  }

  @Override
  public byte[] getBytes(String column) {
    FieldVector v = vector(column);
    if (v.isNull(index)) {
      return null;
    }
    if (v instanceof VarBinaryVector b) {
      return b.get(index);
    }
    if (v instanceof VarCharVector s) {
      return s.get(index);
    }
    throw mismatch(column, v, "binary");
  }

  @Override
  public float[] getFloatArray(String column) {
    FieldVector v = vector(column);
    if (v.isNull(index)) {
      return null;
    }
    if (v instanceof FixedSizeListVector || v instanceof ListVector) {
      BaseListVector list = (BaseListVector) v;
      FieldVector data = (FieldVector) list.getChildrenFromFields().get(0);
      if (data instanceof Float4Vector f) {
        int start = list.getElementStartIndex(index);
        int end = list.getElementEndIndex(index);
        float[] out = new float[end - start];
        for (int i = start; i < end; i++) {
          out[i - start] = f.get(i);
        }
        return out;
      }
      if (data instanceof Float8Vector d) {
        int start = list.getElementStartIndex(index);
        int end = list.getElementEndIndex(index);
        float[] out = new float[end - start];
        for (int i = start; i < end; i++) {
          out[i - start] = (float) d.get(i);
        }
        return out;
      }
    }
    throw mismatch(column, v, "a list of floats");
  }

  @Override
  public Object get(String column) {
    return vector(column).getObject(index);
  }
}
