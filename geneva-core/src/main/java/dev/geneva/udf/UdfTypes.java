package dev.geneva.udf;

import dev.geneva.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The output types a UDF can declare, as Arrow fields (the name is replaced by the column's). Every
 * type here can be backfilled; {@code Table.addColumns} refuses any other before the table changes.
 * Types are nullable unless wrapped in {@link #notNull(Field)}.
 */
public final class UdfTypes {
  private UdfTypes() {}

  /**
   * 8-bit signed integers ({@code Byte}, or any integer that fits).
   *
   * @return the type
   */
  public static Field int8() {
    return of(new ArrowType.Int(8, true));
  }

  /**
   * 16-bit signed integers ({@code Short}, or any integer that fits).
   *
   * @return the type
   */
  public static Field int16() {
    return of(new ArrowType.Int(16, true));
  }

  /**
   * 32-bit signed integers ({@code Integer}).
   *
   * @return the type
   */
  public static Field int32() {
    return of(new ArrowType.Int(32, true));
  }

  /**
   * 64-bit signed integers ({@code Long}).
   *
   * @return the type
   */
  public static Field int64() {
    return of(new ArrowType.Int(64, true));
  }

  /**
   * 32-bit floats ({@code Float}).
   *
   * @return the type
   */
  public static Field float32() {
    return of(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
  }

  /**
   * 64-bit floats ({@code Double}).
   *
   * @return the type
   */
  public static Field float64() {
    return of(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
  }

  /**
   * Booleans ({@code Boolean}).
   *
   * @return the type
   */
  public static Field bool() {
    return of(ArrowType.Bool.INSTANCE);
  }

  /**
   * UTF-8 strings ({@code String}).
   *
   * @return the type
   */
  public static Field utf8() {
    return of(ArrowType.Utf8.INSTANCE);
  }

  /**
   * Binary values ({@code byte[]}).
   *
   * @return the type
   */
  public static Field binary() {
    return of(ArrowType.Binary.INSTANCE);
  }

  /**
   * UTF-8 strings with 64-bit offsets ({@code String}).
   *
   * @return the type
   */
  public static Field largeUtf8() {
    return of(ArrowType.LargeUtf8.INSTANCE);
  }

  /**
   * Binary values with 64-bit offsets ({@code byte[]}).
   *
   * @return the type
   */
  public static Field largeBinary() {
    return of(ArrowType.LargeBinary.INSTANCE);
  }

  /**
   * 8-bit unsigned integers (any integer from 0 to 255).
   *
   * @return the type
   */
  public static Field uint8() {
    return of(new ArrowType.Int(8, false));
  }

  /**
   * 16-bit unsigned integers (any integer from 0 to 65535).
   *
   * @return the type
   */
  public static Field uint16() {
    return of(new ArrowType.Int(16, false));
  }

  /**
   * 32-bit unsigned integers (any integer from 0 to 2^32-1).
   *
   * @return the type
   */
  public static Field uint32() {
    return of(new ArrowType.Int(32, false));
  }

  /**
   * 64-bit unsigned integers ({@code Long} from 0, or a {@code BigInteger} up to 2^64-1).
   *
   * @return the type
   */
  public static Field uint64() {
    return of(new ArrowType.Int(64, false));
  }

  /**
   * Timestamps, as pyarrow's {@code pa.timestamp(unit, tz)}. With a time zone the column holds
   * instants ({@code Instant}, {@code OffsetDateTime} or {@code ZonedDateTime}); without one
   * ({@code zone} null) it holds wall-clock times ({@code LocalDateTime}).
   *
   * @param unit the resolution: seconds, milliseconds, microseconds or nanoseconds
   * @param zone an IANA zone id or offset such as {@code "UTC"}, or null for no zone
   * @return the type
   */
  public static Field timestamp(TimeUnit unit, String zone) {
    if (unit == null) {
      throw new InvalidInputException("timestamp unit is required, e.g. TimeUnit.MICROSECOND");
    }
    if (zone != null) {
      try {
        java.time.ZoneId.of(zone);
      } catch (java.time.DateTimeException e) {
        throw new InvalidInputException(
            "timestamp zone '" + zone + "' is not a zone id: use e.g. \"UTC\" or \"+02:00\"", e);
      }
    }
    return of(new ArrowType.Timestamp(unit, zone));
  }

  /**
   * Dates as days since 1970-01-01 ({@code LocalDate}), pyarrow's {@code pa.date32()}.
   *
   * @return the type
   */
  public static Field date32() {
    return of(new ArrowType.Date(DateUnit.DAY));
  }

  /**
   * Dates as milliseconds since 1970-01-01 ({@code LocalDate}), pyarrow's {@code pa.date64()}.
   *
   * @return the type
   */
  public static Field date64() {
    return of(new ArrowType.Date(DateUnit.MILLISECOND));
  }

  /**
   * Exact decimals ({@code BigDecimal}, or any integer), pyarrow's {@code pa.decimal128} (precision
   * up to 38) or {@code pa.decimal256} (up to 76). A value is rescaled to {@code scale} only when
   * no digit is lost; a value that would need rounding, or has too many digits, fails its row.
   *
   * @param precision the number of digits in all, 1 to 76
   * @param scale the number of digits after the point, 0 to {@code precision}
   * @return the type
   */
  public static Field decimal(int precision, int scale) {
    if (precision < 1 || precision > 76 || scale < 0 || scale > precision) {
      throw new InvalidInputException(
          "UdfTypes.decimal needs 1 <= precision <= 76 and 0 <= scale <= precision, got precision "
              + precision
              + " and scale "
              + scale
              + ": precision counts all digits and scale those after the point, e.g."
              + " UdfTypes.decimal(10, 2) for values up to 99999999.99");
    }
    return of(new ArrowType.Decimal(precision, scale, precision <= 38 ? 128 : 256));
  }

  /**
   * Large binary values stored with Lance's blob encoding ({@code byte[]}): images, audio,
   * documents. Lance keeps each value out of line, so scans that do not ask for the column stay
   * fast. Plain {@link #largeBinary()} stores the bytes inline.
   *
   * @return the type
   */
  public static Field blob() {
    return new Field(
        "value",
        new FieldType(true, ArrowType.LargeBinary.INSTANCE, null, Map.of(BLOB_KEY, "true")),
        null);
  }

  /** The Arrow field metadata key with which Lance marks a blob column. */
  public static final String BLOB_KEY = "lance-encoding:blob";

  /**
   * Variable-length lists of a primitive type ({@code java.util.List} or a primitive array), e.g.
   * {@code list(int32())}.
   *
   * @param item the item type, a nullable primitive
   * @return the type
   */
  public static Field list(Field item) {
    return nested(new ArrowType.List(), named("item", item));
  }

  /**
   * Variable-length lists with 64-bit offsets, like {@link #list(Field)}.
   *
   * @param item the item type, a nullable primitive
   * @return the type
   */
  public static Field largeList(Field item) {
    return nested(new ArrowType.LargeList(), named("item", item));
  }

  /**
   * Lists of exactly {@code size} numbers ({@code java.util.List} or a primitive array).
   *
   * @param item the item type: a nullable integer or float type
   * @param size the number of items per value, at least 1
   * @return the type
   */
  public static Field fixedSizeList(Field item, int size) {
    if (size < 1) {
      throw new InvalidInputException(
          "UdfTypes.fixedSizeList size must be at least 1, got "
              + size
              + ": pass the number of items every value holds, e.g."
              + " UdfTypes.fixedSizeList(UdfTypes.float32(), 384); for lists of any length use"
              + " UdfTypes.list(item)");
    }
    return nested(new ArrowType.FixedSizeList(size), named("item", item));
  }

  /**
   * Structs of named fields ({@code java.util.Map} of field name to value), e.g. {@code
   * struct(named("x", float64()), named("label", utf8()))}. A field is a primitive type or a list,
   * large list or fixed-size list of one.
   *
   * @param fields the fields, each named with {@link #named(String, Field)}
   * @return the type
   */
  public static Field struct(Field... fields) {
    return new Field("value", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(fields));
  }

  /**
   * The same type under another name (for struct fields).
   *
   * @param name the name
   * @param type the type
   * @return the renamed field
   */
  public static Field named(String name, Field type) {
    return new Field(name, type.getFieldType(), type.getChildren());
  }

  /**
   * The same type, declared not nullable: the UDF must give every row it computes a value, and a
   * null is a failure of that row (see {@link ErrorPolicy}). Only the column itself can be not
   * nullable, not the fields of a list or struct. Lance stores the column as nullable all the same,
   * since it starts all null and rows a backfill does not compute stay null.
   *
   * @param type the type
   * @return the not-nullable type
   */
  public static Field notNull(Field type) {
    FieldType t = type.getFieldType();
    return new Field(
        type.getName(),
        new FieldType(false, t.getType(), t.getDictionary(), t.getMetadata()),
        type.getChildren());
  }

  /**
   * Fixed-size vectors of 32-bit floats ({@code float[]} of exactly {@code dimension} values), the
   * usual type of an embedding.
   *
   * @param dimension the number of floats per value, at least 1
   * @return the type
   */
  public static Field floatVector(int dimension) {
    if (dimension < 1) {
      throw new InvalidInputException(
          "UdfTypes.floatVector dimension must be at least 1, got "
              + dimension
              + ": pass the number of floats per value, e.g. UdfTypes.floatVector(384)");
    }
    Field item =
        new Field(
            "item",
            FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            null);
    return new Field(
        "value", FieldType.nullable(new ArrowType.FixedSizeList(dimension)), List.of(item));
  }

  private static Field nested(ArrowType type, Field child) {
    return new Field("value", FieldType.nullable(type), List.of(child));
  }

  private static Field of(ArrowType type) {
    return new Field("value", FieldType.nullable(type), null);
  }
}
