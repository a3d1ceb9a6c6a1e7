package dev.geneva.internal.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Writes a scalar UDF's Java return value (or a Java value of a row given to {@code
 * Table.add(List)}) into a vector. A value is first checked (type, range, length, nullability) and
 * only then written, so a value that fails leaves its row untouched (null) and the error policy
 * decides what happens.
 *
 * <p>Conversions: integer columns take {@code Byte}, {@code Short}, {@code Integer}, {@code Long}
 * or {@code BigInteger} whose value fits exactly; float columns take any {@code Number} (rounded to
 * the nearest float or double, but a finite value too large for a float is an error); lists take a
 * {@code java.util.List} or a primitive array; structs take a {@code Map} from field name to value;
 * timestamps take {@code Instant}, {@code OffsetDateTime} or {@code ZonedDateTime} (with a zone) or
 * {@code LocalDateTime} (without); dates take {@code LocalDate}; decimals take {@code BigDecimal}
 * or an integer, rescaled only when no digit is lost.
 */
abstract class ValueWriter {

  /** A value the column cannot hold; the message names the value and why. */
  static final class BadValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadValueException(String message) {
      super(message);
    }
  }

  /**
   * Checks {@code value} and returns the form {@link #write} takes.
   *
   * @throws BadValueException when the column cannot hold it
   */
  abstract Object check(Object value, String at);

  /** Writes a value returned by {@link #check} (never null) at {@code index}. */
  abstract void write(int index, Object checked);

  /** Writes null at {@code index}. */
  abstract void writeNull(int index);

  /** Checks then writes (null included). */
  final void checkAndWrite(int index, Object value) {
    Object checked = check(value, "");
    if (checked == null) {
      writeNull(index);
    } else {
      write(index, checked);
    }
  }

  /**
   * Builds the writer for an output vector.
   *
   * @param vector the output vector
   * @param column the column (for messages)
   * @param udfClass the UDF's class (for messages)
   * @param nullable whether the column accepts null from the UDF
   * @throws IllegalArgumentException when a scalar UDF cannot produce the vector's type
   */
  static ValueWriter forVector(
      FieldVector vector, String column, String udfClass, boolean nullable) {
    String who = "UDF " + udfClass + " for column '" + column + "'";
    ValueWriter w = of(vector, who + " returned", column);
    if (w == null) {
      throw new IllegalArgumentException(
          who
              + " declares output type "
              + vector.getField().getType()
              + ", which a ScalarUdf cannot return: use a BatchUdf for it");
    }
    return nullable
        ? w
        : new NotNull(
            w, at -> who + " returned null, but the column's output is declared not nullable");
  }

  /**
   * Builds the writer for a table column that rows given as Java values fill ({@code
   * Table.add(List)}), with the same conversions as a scalar UDF's values. A column that is not
   * nullable refuses null.
   *
   * @param vector the column's vector
   * @return the writer, or null when Java values cannot fill the column's type
   */
  static ValueWriter forColumn(FieldVector vector) {
    String who = "column '" + vector.getName() + "'";
    ValueWriter w = of(vector, who + " is", vector.getName());
    if (w == null || vector.getField().isNullable()) {
      return w;
    }
    return new NotNull(w, at -> who + " is null or missing, but the column is not nullable");
  }

  /**
   * The writer of a vector; {@code column} is the top-level column's name, for the messages about
   * nested fields.
   */
  private static ValueWriter of(FieldVector vector, String who, String column) {
    if (vector instanceof TinyIntVector v) {
      return new Integral(vector, who, "int8", Byte.MIN_VALUE, Byte.MAX_VALUE) {
        @Override
        void write(int i, Object o) {
          v.setSafe(i, (byte) ((Number) o).longValue());
        }
      };
    }
    if (vector instanceof SmallIntVector v) {
      return new Integral(vector, who, "int16", Short.MIN_VALUE, Short.MAX_VALUE) {
        @Override
        void write(int i, Object o) {
          v.setSafe(i, (short) ((Number) o).longValue());
        }
      };
    }
    if (vector instanceof IntVector v) {
      return new Integral(vector, who, "int32", Integer.MIN_VALUE, Integer.MAX_VALUE) {
        @Override
        void write(int i, Object o) {
          v.setSafe(i, (int) ((Number) o).longValue());
        }
      };
    }
    if (vector instanceof BigIntVector v) {
      return new Integral(vector, who, "int64", Long.MIN_VALUE, Long.MAX_VALUE) {
        @Override
        void write(int i, Object o) {
          v.setSafe(i, ((Number) o).longValue());
        }
      };
    }
    if (vector instanceof UInt1Vector v) {
      return new Integral(vector, who, "uint8", 0, 0xFF) {
        @Override
        void write(int i, Object o) {
          v.setSafe(i, (int) ((Number) o).longValue());
        }
      };
    }
    if (vector instanceof UInt2Vector v) {
      return new Integral(vector, who, "uint16", 0, 0xFFFF) {
        @Override
        void write(int i, Object o) {
          v.setSafe(i, (char) ((Number) o).longValue());
        }
      };
    }
    if (vector instanceof UInt4Vector v) {
      return new Integral(vector, who, "uint32", 0, 0xFFFFFFFFL) {
        @Override
        void write(int i, Object o) {
          v.setSafe(i, (int) ((Number) o).longValue());
        }
      };
    }
    if (vector instanceof UInt8Vector v) {
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o == null) {
            return null;
          }
          BigInteger value;
          if (o instanceof Long
              || o instanceof Integer
              || o instanceof Short
              || o instanceof Byte) {
            value = BigInteger.valueOf(((Number) o).longValue());
          } else if (o instanceof BigInteger b) {
            value = b;
          } else {
            throw wrongType(who, at, o, "an integer (Byte, Short, Integer, Long or BigInteger)");
          }
          if (value.signum() < 0 || value.bitLength() > 64) {
            throw bad(who, at, o, "does not fit the column's uint64 (0..2^64-1)");
          }
          return value.longValue();
        }

        @Override
        void write(int i, Object o) {
          v.setSafe(i, (Long) o);
        }
      };
    }
    if (vector instanceof TimeStampVector v) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
      return new Timestamps(v, who, type.getUnit(), type.getTimezone() != null);
    }
    if (vector instanceof DateDayVector || vector instanceof DateMilliVector) {
      boolean days = vector instanceof DateDayVector;
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o == null) {
            return null;
          }
          if (!(o instanceof LocalDate d)) {
            throw wrongType(who, at, o, "a java.time.LocalDate");
          }
          long day = d.toEpochDay();
          if (days && day != (int) day) {
            throw bad(who, at, o, "is outside the range of the column's date32");
          }
          if (!days && Math.abs(day) > Long.MAX_VALUE / 86_400_000L) {
            throw bad(who, at, o, "is outside the range of the column's date64");
          }
          return day;
        }

        @Override
        void write(int i, Object o) {
          long day = (Long) o;
          if (vector instanceof DateDayVector d) {
            d.setSafe(i, (int) day);
          } else {
            ((DateMilliVector) vector).setSafe(i, day * 86_400_000L);
          }
        }
      };
    }
    if (vector instanceof DecimalVector || vector instanceof Decimal256Vector) {
      ArrowType.Decimal type = (ArrowType.Decimal) vector.getField().getType();
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o == null) {
            return null;
          }
          BigDecimal value;
          if (o instanceof BigDecimal b) {
            value = b;
          } else if (o instanceof BigInteger b) {
            value = new BigDecimal(b);
          } else if (o instanceof Long
              || o instanceof Integer
              || o instanceof Short
              || o instanceof Byte) {
            value = BigDecimal.valueOf(((Number) o).longValue());
          } else {
            throw wrongType(who, at, o, "a BigDecimal (or an integer)");
          }
          String decimal = "decimal(" + type.getPrecision() + ", " + type.getScale() + ")";
          BigDecimal scaled;
          try {
            scaled = value.setScale(type.getScale(), RoundingMode.UNNECESSARY);
          } catch (ArithmeticException e) {
            throw bad(
                who,
                at,
                o,
                "has more digits after the point than the column's "
                    + decimal
                    + ": round it first, e.g. value.setScale("
                    + type.getScale()
                    + ", RoundingMode.HALF_EVEN)");
          }
          if (scaled.precision() > type.getPrecision()) {
            throw bad(who, at, o, "has more digits than the column's " + decimal);
          }
          return scaled;
        }

        @Override
        void write(int i, Object o) {
          if (vector instanceof DecimalVector d) {
            d.setSafe(i, (BigDecimal) o);
          } else {
            ((Decimal256Vector) vector).setSafe(i, (BigDecimal) o);
          }
        }
      };
    }
    if (vector instanceof Float4Vector v) {
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o == null) {
            return null;
          }
          if (!(o instanceof Number n)) {
            throw wrongType(who, at, o, "a Number (Float)");
          }
          double d = n.doubleValue();
          float f = (float) d;
          if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw bad(who, at, o, "is too large for the column's float32");
          }
          return f;
        }

        @Override
        void write(int i, Object o) {
          v.setSafe(i, (Float) o);
        }
      };
    }
    if (vector instanceof Float8Vector v) {
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o == null) {
            return null;
          }
          if (!(o instanceof Number n)) {
            throw wrongType(who, at, o, "a Number (Double)");
          }
          return n.doubleValue();
        }

        @Override
        void write(int i, Object o) {
          v.setSafe(i, (Double) o);
        }
      };
    }
    if (vector instanceof BitVector v) {
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o != null && !(o instanceof Boolean)) {
            throw wrongType(who, at, o, "a Boolean");
          }
          return o;
        }

        @Override
        void write(int i, Object o) {
          v.setSafe(i, (Boolean) o ? 1 : 0);
        }
      };
    }
    if (vector instanceof VarCharVector || vector instanceof LargeVarCharVector) {
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o == null) {
            return null;
          }
          if (!(o instanceof CharSequence s)) {
            throw wrongType(who, at, o, "a String");
          }
          return s.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        void write(int i, Object o) {
          if (vector instanceof VarCharVector v) {
            v.setSafe(i, (byte[]) o);
          } else {
            ((LargeVarCharVector) vector).setSafe(i, (byte[]) o);
          }
        }
      };
    }
    if (vector instanceof VarBinaryVector || vector instanceof LargeVarBinaryVector) {
      return new Leaf(vector, who) {
        @Override
        Object check(Object o, String at) {
          if (o != null && !(o instanceof byte[])) {
            throw wrongType(who, at, o, "a byte[]");
          }
          return o;
        }

        @Override
        void write(int i, Object o) {
          if (vector instanceof VarBinaryVector v) {
            v.setSafe(i, (byte[]) o);
          } else {
            ((LargeVarBinaryVector) vector).setSafe(i, (byte[]) o);
          }
        }
      };
    }
    if (vector instanceof ListVector v) {
      ValueWriter items = nested(v.getDataVector(), who, column);
      return items == null ? null : new Items(vector, who, items, -1);
    }
    if (vector instanceof LargeListVector v) {
      ValueWriter items = nested(v.getDataVector(), who, column);
      return items == null ? null : new Items(vector, who, items, -1);
    }
    if (vector instanceof FixedSizeListVector v) {
      ValueWriter items = nested(v.getDataVector(), who, column);
      return items == null ? null : new Items(vector, who, items, v.getListSize());
    }
    if (vector instanceof StructVector v) {
      List<String> names = new ArrayList<>();
      List<ValueWriter> fields = new ArrayList<>();
      for (FieldVector child : v.getChildrenFromFields()) {
        ValueWriter w = nested(child, who, column);
        if (w == null) {
          return null;
        }
        names.add(child.getName());
        fields.add(w);
      }
      return new Struct(v, who, names, fields);
    }
    return null;
  }

  /**
   * The writer of a struct field or list item, refusing null where its field is not nullable, named
   * by its path from the column ({@code info.lang}, {@code tags[2]}).
   */
  private static ValueWriter nested(FieldVector vector, String who, String column) {
    ValueWriter w = of(vector, who, column);
    return w == null || vector.getField().isNullable()
        ? w
        : new NotNull(
            w,
            at ->
                who
                    + " missing a value at '"
                    + column
                    + at
                    + "' (null or left out), a field that is not nullable: give it a value");
  }

  /** A primitive column. */
  private abstract static class Leaf extends ValueWriter {
    final FieldVector vector;
    final String who;

    Leaf(FieldVector vector, String who) {
      this.vector = vector;
      this.who = who;
    }

    @Override
    void writeNull(int index) {
      vector.setNull(index);
    }
  }

  /** An integer column: the value must fit exactly. */
  private abstract static class Integral extends Leaf {
    private final String type;
    private final long min;
    private final long max;

    Integral(FieldVector vector, String who, String type, long min, long max) {
      super(vector, who);
      this.type = type;
      this.min = min;
      this.max = max;
    }

    @Override
    Object check(Object o, String at) {
      if (o == null) {
        return null;
      }
      long value;
      if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
        value = ((Number) o).longValue();
      } else if (o instanceof BigInteger b && b.bitLength() < 64) {
        value = b.longValue();
      } else if (o instanceof BigInteger) {
        throw bad(who, at, o, "does not fit the column's " + type + " (" + min + ".." + max + ")");
      } else {
        throw wrongType(who, at, o, "an integer (Byte, Short, Integer, Long or BigInteger)");
      }
      if (value < min || value > max) {
        throw bad(who, at, o, "does not fit the column's " + type + " (" + min + ".." + max + ")");
      }
      // The writers read any boxed integer: return the UDF's own box rather than a new Long.
      return o instanceof BigInteger ? (Object) value : o;
    }
  }

  /** A list, large list or fixed-size list ({@code size} >= 0). */
  private static final class Items extends ValueWriter {
    private final FieldVector vector;
    private final String who;
    private final ValueWriter items;
    private final int size;

    Items(FieldVector vector, String who, ValueWriter items, int size) {
      this.vector = vector;
      this.who = who;
      this.items = items;
      this.size = size;
    }

    @Override
    Object check(Object o, String at) {
      if (o == null) {
        return null;
      }
      List<?> list = asList(o);
      if (list == null) {
        throw wrongType(who, at, o, "a java.util.List or a primitive array");
      }
      if (size >= 0 && list.size() != size) {
        throw bad(
            who, at, o, "has " + list.size() + " items, but the column holds exactly " + size);
      }
      List<Object> checked = new ArrayList<>(list.size());
      for (int k = 0; k < list.size(); k++) {
        checked.add(items.check(list.get(k), at + "[" + k + "]"));
      }
      return checked;
    }

    @Override
    void write(int index, Object checked) {
      List<?> list = (List<?>) checked;
      long start;
      if (vector instanceof ListVector v) {
        start = v.startNewValue(index);
      } else if (vector instanceof LargeListVector v) {
        start = v.startNewValue(index);
      } else {
        start = ((FixedSizeListVector) vector).startNewValue(index);
      }
      for (int k = 0; k < list.size(); k++) {
        Object item = list.get(k);
        int at = Math.toIntExact(start + k);
        if (item == null) {
          items.writeNull(at);
        } else {
          items.write(at, item);
        }
      }
      if (vector instanceof ListVector v) {
        v.endValue(index, list.size());
      } else if (vector instanceof LargeListVector v) {
        v.endValue(index, list.size());
      }
    }

    @Override
    void writeNull(int index) {
      vector.setNull(index);
    }
  }

  /** A struct of primitives, from a {@code Map} of field name to value. */
  private static final class Struct extends ValueWriter {
    private final StructVector vector;
    private final String who;
    private final List<String> names;
    private final List<ValueWriter> fields;

    Struct(StructVector vector, String who, List<String> names, List<ValueWriter> fields) {
      this.vector = vector;
      this.who = who;
      this.names = names;
      this.fields = fields;
    }

    @Override
    Object check(Object o, String at) {
      if (o == null) {
        return null;
      }
      if (!(o instanceof Map<?, ?> map)) {
        throw wrongType(who, at, o, "a java.util.Map of field name to value, fields " + names);
      }
      Set<Object> unknown = new HashSet<>(map.keySet());
      names.forEach(unknown::remove);
      if (!unknown.isEmpty()) {
        throw bad(who, at, o, "has keys " + unknown + " that are not fields of " + names);
      }
      Object[] checked = new Object[names.size()];
      for (int k = 0; k < names.size(); k++) {
        checked[k] = fields.get(k).check(map.get(names.get(k)), at + "." + names.get(k));
      }
      return checked;
    }

    @Override
    void write(int index, Object checked) {
      Object[] values = (Object[]) checked;
      vector.setIndexDefined(index);
      for (int k = 0; k < values.length; k++) {
        if (values[k] == null) {
          fields.get(k).writeNull(index);
        } else {
          fields.get(k).write(index, values[k]);
        }
      }
    }

    @Override
    void writeNull(int index) {
      vector.setNull(index);
    }
  }

  /** A timestamp column: instants when it has a zone, wall-clock times when it has none. */
  private static final class Timestamps extends Leaf {
    private final TimeUnit unit;
    private final boolean zoned;

    Timestamps(TimeStampVector vector, String who, TimeUnit unit, boolean zoned) {
      super(vector, who);
      this.unit = unit;
      this.zoned = zoned;
    }

    @Override
    Object check(Object o, String at) {
      if (o == null) {
        return null;
      }
      Instant instant;
      if (zoned && o instanceof Instant i) {
        instant = i;
      } else if (zoned && o instanceof OffsetDateTime t) {
        instant = t.toInstant();
      } else if (zoned && o instanceof ZonedDateTime t) {
        instant = t.toInstant();
      } else if (!zoned && o instanceof LocalDateTime t) {
        instant = t.toInstant(ZoneOffset.UTC);
      } else {
        throw wrongType(
            who,
            at,
            o,
            zoned
                ? "an Instant, OffsetDateTime or ZonedDateTime (the column has a time zone)"
                : "a LocalDateTime (the column has no time zone; declare one to store instants)");
      }
      try {
        return switch (unit) {
          case SECOND -> instant.getEpochSecond();
          case MILLISECOND -> instant.toEpochMilli();
          case MICROSECOND ->
              Math.addExact(
                  Math.multiplyExact(instant.getEpochSecond(), 1_000_000L),
                  instant.getNano() / 1_000);
          case NANOSECOND ->
              Math.addExact(
                  Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        };
      } catch (ArithmeticException e) {
        throw bad(who, at, o, "is outside the range of the column's timestamp(" + unit + ")");
      }
    }

    @Override
    void write(int i, Object o) {
      ((TimeStampVector) vector).setSafe(i, (Long) o);
    }
  }

  /** A column, struct field or list item declared not nullable: null is a bad value. */
  private static final class NotNull extends ValueWriter {
    private final ValueWriter inner;
    private final java.util.function.UnaryOperator<String> message;

    /** {@code message} says what is wrong, given where in the value ({@code ""} for the column). */
    NotNull(ValueWriter inner, java.util.function.UnaryOperator<String> message) {
      this.inner = inner;
      this.message = message;
    }

    @Override
    Object check(Object value, String at) {
      if (value == null) {
        throw new BadValueException(message.apply(at));
      }
      return inner.check(value, at);
    }

    @Override
    void write(int index, Object checked) {
      inner.write(index, checked);
    }

    @Override
    void writeNull(int index) {
      inner.writeNull(index);
    }
  }

  private static List<?> asList(Object o) {
    if (o instanceof List<?> l) {
      return l;
    }
    if (o instanceof int[] a) {
      return java.util.Arrays.stream(a).boxed().toList();
    }
    if (o instanceof long[] a) {
      return java.util.Arrays.stream(a).boxed().toList();
    }
    if (o instanceof double[] a) {
      return java.util.Arrays.stream(a).boxed().toList();
    }
    if (o instanceof float[] a) {
      List<Float> l = new ArrayList<>(a.length);
      for (float f : a) {
        l.add(f);
      }
      return l;
    }
    if (o instanceof short[] a) {
      List<Short> l = new ArrayList<>(a.length);
      for (short s : a) {
        l.add(s);
      }
      return l;
    }
    if (o instanceof boolean[] a) {
      List<Boolean> l = new ArrayList<>(a.length);
      for (boolean b : a) {
        l.add(b);
      }
      return l;
    }
    return null;
  }

  private static BadValueException wrongType(String who, String at, Object o, String expected) {
    return new BadValueException(
        who + " " + describe(o) + where(at) + ", but the column needs " + expected);
  }

  private static BadValueException bad(String who, String at, Object o, String why) {
    return new BadValueException(who + " " + describe(o) + where(at) + ", which " + why);
  }

  private static String where(String at) {
    return at.isEmpty() ? "" : " at " + at.substring(at.startsWith(".") ? 1 : 0);
  }

  private static String describe(Object o) {
    String text;
    if (o instanceof List<?> l) {
      text = l.size() > 8 ? l.subList(0, 8) + "... (" + l.size() + " items)" : l.toString();
    } else if (o.getClass().isArray()) {
      text =
          o.getClass().getComponentType().getName()
              + "["
              + java.lang.reflect.Array.getLength(o)
              + "]";
    } else {
      text = String.valueOf(o);
      if (text.length() > 80) {
        text = text.substring(0, 80) + "...";
      }
    }
    return text + " (" + o.getClass().getName() + ")";
  }
}
