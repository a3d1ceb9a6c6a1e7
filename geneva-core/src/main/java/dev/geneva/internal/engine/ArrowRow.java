package dev.geneva.internal.engine;

import dev.geneva.udf.Row;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** A cursor over the declared input columns of a scanned batch; one object reused for all rows. */
final class ArrowRow implements Row {
  /** The declared input columns by name. */
  private final Map<String, FieldVector> vectors = new HashMap<>();

  /**
   * Every name asked for so far (a column or a struct path), resolved once: the per-row getters
   * then cost one map lookup and no allocation.
   */
  private final Map<String, Path> paths = new HashMap<>();

  private int index;

  private byte[] scratch = new byte[256];

  private String lastName;
  private Path lastPath;

  /** The vectors from a column down to the field a name denotes; the last one holds the value. */
  private record Path(FieldVector[] chain, FieldVector leaf) {
    boolean isNull(int index) {
      for (FieldVector v : chain) {
        if (v.isNull(index)) {
          return true;
        }
      }
      return false;
    }
  }

  ArrowRow(VectorSchemaRoot batch, List<String> inputs) {
    for (String c : inputs) {
      FieldVector v = batch.getVector(c);
      vectors.put(c, v);
      paths.put(c, new Path(new FieldVector[] {v}, v));
    }
  }

  ArrowRow at(int index) {
    this.index = index;
    return this;
  }

  /** The path a name or struct path denotes, resolved on first use. */
  private Path path(String column) {
    // A UDF usually asks for the same literal (one String instance) on every row.
    if (column == lastName) {
      return lastPath;
    }
    Path cached = paths.get(column);
    if (cached != null) {
      lastName = column;
      lastPath = cached;
      return cached;
    }
    String[] parts = column.split("\\.", -1);
    FieldVector root = parts.length > 1 ? vectors.get(parts[0]) : null;
    if (root == null) {
      throw new IllegalArgumentException(
          "column '"
              + column
              + "' is not a declared input of this UDF; declared: "
              + vectors.keySet()
              + (parts.length > 1
                  ? " (a struct path such as \"info.lang\" needs its column, \"info\", declared)"
                  : ""));
    }
    List<FieldVector> chain = new ArrayList<>();
    chain.add(root);
    FieldVector current = root;
    for (int i = 1; i < parts.length; i++) {
      if (!(current instanceof StructVector struct)) {
        throw new IllegalArgumentException(
            "struct path '"
                + column
                + "': '"
                + String.join(".", java.util.Arrays.copyOf(parts, i))
                + "' holds "
                + current.getField().getType()
                + ", not a struct");
      }
      FieldVector child = struct.getChild(parts[i]);
      if (child == null) {
        throw new IllegalArgumentException(
            "struct path '"
                + column
                + "': struct '"
                + String.join(".", java.util.Arrays.copyOf(parts, i))
                + "' has no field '"
                + parts[i]
                + "'; its fields are "
                + struct.getChildrenFromFields().stream().map(FieldVector::getName).toList());
      }
      chain.add(child);
      current = child;
    }
    Path resolved = new Path(chain.toArray(new FieldVector[0]), current);
    paths.put(column, resolved);
    return resolved;
  }

  private FieldVector vector(String column) {
    return path(column).leaf();
  }

  @Override
  public boolean isNull(String column) {
    return path(column).isNull(index);
  }

  /** The vector, or null when the value (or a struct holding it) is null. */
  private FieldVector valueOrNull(String column) {
    Path path = path(column);
    return path.isNull(index) ? null : path.leaf();
  }

  private FieldVector nonNull(String column) {
    Path path = path(column);
    if (path.isNull(index)) {
      throw new NullPointerException(
          "column '"
              + column
              + "' is null in this row: check row.isNull(\""
              + column
              + "\") first");
    }
    return path.leaf();
  }

  /** Decodes UTF-8 bytes of a vector's data buffer through one reused scratch array. */
  private String utf8(BaseVariableWidthVector vector, long start, int length) {
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, 2 * scratch.length)];
    }
    vector.getDataBuffer().getBytes(start, scratch, 0, length);
    return new String(scratch, 0, length, StandardCharsets.UTF_8);
  }

  private static ClassCastException mismatch(String column, FieldVector v, String wanted) {
    return new ClassCastException(
        "column '" + column + "' holds " + v.getField().getType() + ", not " + wanted);
  }

  private long integer(String column, FieldVector v, int at) {
    if (v instanceof UInt8Vector u && u.get(at) < 0) {
      throw new ArithmeticException(
          "column '"
              + column
              + "' value "
              + Long.toUnsignedString(u.get(at))
              + " does not fit a long: use getBigDecimal");
    }
    if (v instanceof BaseIntVector i) {
      return i.getValueAsLong(at);
    }
    throw mismatch(column, v, "an integer");
  }

  @Override
  public int getInt(String column) {
    long value = integer(column, nonNull(column), index);
    if (value != (int) value) {
      throw new ArithmeticException(
          "column '" + column + "' value " + value + " does not fit an int: use getLong");
    }
    return (int) value;
  }

  @Override
  public long getLong(String column) {
    return integer(column, nonNull(column), index);
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
    if (v instanceof BaseIntVector) {
      return integer(column, v, index);
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
    FieldVector v = valueOrNull(column);
    if (v == null) {
      return null;
    }
    if (v instanceof VarCharVector s) {
      return utf8(s, s.getStartOffset(index), s.getValueLength(index));
    }
    if (v instanceof LargeVarCharVector s) {
      return new String(s.get(index), StandardCharsets.UTF_8);
    }
    throw mismatch(column, v, "a string");
  }

  @Override
  public byte[] getBytes(String column) {
    FieldVector v = valueOrNull(column);
    if (v == null) {
      return null;
    }
    if (v instanceof VarBinaryVector b) {
      return b.get(index);
    }
    if (v instanceof LargeVarBinaryVector b) {
      return b.get(index);
    }
    if (v instanceof VarCharVector s) {
      return s.get(index);
    }
    if (v instanceof LargeVarCharVector s) {
      return s.get(index);
    }
    throw mismatch(column, v, "binary");
  }

  /** The items vector and the item range of a list value, or null for a null value. */
  private record Items(FieldVector data, int start, int end) {}

  private Items items(String column, String wanted) {
    FieldVector v = valueOrNull(column);
    if (v == null) {
      return null;
    }
    if (v instanceof BaseListVector list && !(v instanceof StructVector)) {
      FieldVector data = (FieldVector) v.getChildrenFromFields().get(0);
      if (data instanceof FloatingPointVector || data instanceof BaseIntVector) {
        return new Items(data, list.getElementStartIndex(index), list.getElementEndIndex(index));
      }
    }
    throw mismatch(column, v, wanted);
  }

  @Override
  public float[] getFloatArray(String column) {
    Items items = items(column, "a list of numbers");
    if (items == null) {
      return null;
    }
    float[] out = new float[items.end() - items.start()];
    for (int i = items.start(); i < items.end(); i++) {
      out[i - items.start()] = (float) itemAsDouble(items.data(), i);
    }
    return out;
  }

  @Override
  public double[] getDoubleArray(String column) {
    Items items = items(column, "a list of numbers");
    if (items == null) {
      return null;
    }
    double[] out = new double[items.end() - items.start()];
    for (int i = items.start(); i < items.end(); i++) {
      out[i - items.start()] = itemAsDouble(items.data(), i);
    }
    return out;
  }

  private double itemAsDouble(FieldVector data, int i) {
    if (data.isNull(i)) {
      return Double.NaN;
    }
    if (data instanceof FloatingPointVector f) {
      return f.getValueAsDouble(i);
    }
    if (data instanceof UInt8Vector u) {
      return Double.parseDouble(Long.toUnsignedString(u.get(i)));
    }
    return ((BaseIntVector) data).getValueAsLong(i);
  }

  @Override
  public long[] getLongArray(String column) {
    Items items = items(column, "a list of integers");
    if (items == null) {
      return null;
    }
    if (!(items.data() instanceof BaseIntVector)) {
      throw mismatch(column, vector(column), "a list of integers");
    }
    long[] out = new long[items.end() - items.start()];
    for (int i = items.start(); i < items.end(); i++) {
      if (items.data().isNull(i)) {
        throw new NullPointerException(
            "column '" + column + "' has a null item at " + (i - items.start()));
      }
      out[i - items.start()] = integer(column, items.data(), i);
    }
    return out;
  }

  @Override
  public Instant getInstant(String column) {
    FieldVector v = valueOrNull(column);
    if (v == null) {
      return null;
    }
    if (v instanceof TimeStampVector t) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) v.getField().getType();
      if (type.getTimezone() == null) {
        throw new ClassCastException(
            "column '" + column + "' holds a timestamp without a time zone: use getLocalDateTime");
      }
      return instant(t.get(index), type.getUnit());
    }
    if (v instanceof DateDayVector || v instanceof DateMilliVector) {
      return getLocalDate(column).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    throw mismatch(column, v, "a timestamp");
  }

  @Override
  public LocalDateTime getLocalDateTime(String column) {
    FieldVector v = valueOrNull(column);
    if (v == null) {
      return null;
    }
    if (v instanceof TimeStampVector t) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) v.getField().getType();
      if (type.getTimezone() != null) {
        throw new ClassCastException(
            "column '"
                + column
                + "' holds a timestamp with time zone "
                + type.getTimezone()
                + ": use getInstant");
      }
      return LocalDateTime.ofInstant(instant(t.get(index), type.getUnit()), ZoneOffset.UTC);
    }
    throw mismatch(column, v, "a timestamp without a time zone");
  }

  private static Instant instant(long value, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> Instant.ofEpochSecond(value);
      case MILLISECOND -> Instant.ofEpochMilli(value);
      case MICROSECOND ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
      case NANOSECOND ->
          Instant.ofEpochSecond(
              Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    };
  }

  @Override
  public LocalDate getLocalDate(String column) {
    FieldVector v = valueOrNull(column);
    if (v == null) {
      return null;
    }
    if (v instanceof DateDayVector d) {
      return LocalDate.ofEpochDay(d.get(index));
    }
    if (v instanceof DateMilliVector d) {
      return LocalDate.ofEpochDay(Math.floorDiv(d.get(index), 86_400_000L));
    }
    throw mismatch(column, v, "a date");
  }

  @Override
  public BigDecimal getBigDecimal(String column) {
    FieldVector v = valueOrNull(column);
    if (v == null) {
      return null;
    }
    if (v instanceof DecimalVector d) {
      return d.getObject(index);
    }
    if (v instanceof Decimal256Vector d) {
      return d.getObject(index);
    }
    if (v instanceof UInt8Vector u) {
      return new BigDecimal(Long.toUnsignedString(u.get(index)));
    }
    if (v instanceof BaseIntVector i) {
      return BigDecimal.valueOf(i.getValueAsLong(index));
    }
    throw mismatch(column, v, "a decimal or integer");
  }

  @Override
  public Object get(String column) {
    FieldVector v = valueOrNull(column);
    return v == null ? null : v.getObject(index);
  }
}
