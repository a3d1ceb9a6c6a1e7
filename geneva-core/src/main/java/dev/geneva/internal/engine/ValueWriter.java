package dev.geneva.internal.engine;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/** Writes a scalar UDF's Java return value into the output vector, checking its type. */
@FunctionalInterface
interface ValueWriter {

  /**
   * Writes a non-null value at {@code index}.
   *
   * @throws IllegalArgumentException when the value's type does not match the column's
   */
  void write(int index, Object value);

  static ValueWriter forVector(FieldVector vector, String column, String udfClass) {
    String where = "UDF " + udfClass + " for column '" + column + "'";
    if (vector instanceof IntVector v) {
      return (i, o) -> v.setSafe(i, number(o, where, "Integer").intValue());
    }
    if (vector instanceof BigIntVector v) {
      return (i, o) -> v.setSafe(i, number(o, where, "Long").longValue());
    }
    if (vector instanceof SmallIntVector v) {
      return (i, o) -> v.setSafe(i, number(o, where, "Short").shortValue());
    }
    if (vector instanceof TinyIntVector v) {
      return (i, o) -> v.setSafe(i, number(o, where, "Byte").byteValue());
    }
    if (vector instanceof Float4Vector v) {
      return (i, o) -> v.setSafe(i, number(o, where, "Float").floatValue());
    }
    if (vector instanceof Float8Vector v) {
      return (i, o) -> v.setSafe(i, number(o, where, "Double").doubleValue());
    }
    if (vector instanceof BitVector v) {
      return (i, o) -> {
        if (!(o instanceof Boolean b)) {
          throw wrongType(where, "Boolean", o);
        }
        v.setSafe(i, b ? 1 : 0);
      };
    }
    if (vector instanceof VarCharVector v) {
      return (i, o) -> {
        if (!(o instanceof CharSequence s)) {
          throw wrongType(where, "String", o);
        }
        v.setSafe(i, s.toString().getBytes(StandardCharsets.UTF_8));
      };
    }
    if (vector instanceof VarBinaryVector v) {
      return (i, o) -> {
        if (!(o instanceof byte[] b)) {
          throw wrongType(where, "byte[]", o);
        }
        v.setSafe(i, b);
      };
    }
    if (vector instanceof FixedSizeListVector v && v.getDataVector() instanceof Float4Vector data) {
      int dim = v.getListSize();
      return (i, o) -> {
        if (!(o instanceof float[] f)) {
          throw wrongType(where, "float[" + dim + "]", o);
        }
        if (f.length != dim) {
          throw new IllegalArgumentException(
              where
                  + " returned "
                  + f.length
                  + " floats, but the column holds vectors of "
                  + dim
                  + ": return exactly "
                  + dim);
        }
        int start = v.startNewValue(i);
        for (int k = 0; k < dim; k++) {
          data.setSafe(start + k, f[k]);
        }
      };
    }
    throw new IllegalArgumentException(
        where
            + " declares output type "
            + vector.getField().getType()
            + ", which a ScalarUdf cannot return: use a BatchUdf for it");
  }

  private static Number number(Object o, String where, String expected) {
    if (o instanceof Number n) {
      return n;
    }
    throw wrongType(where, expected, o);
  }

  private static IllegalArgumentException wrongType(String where, String expected, Object o) {
    return new IllegalArgumentException(
        where + " returned a " + o.getClass().getName() + " but the column needs " + expected);
  }
}
