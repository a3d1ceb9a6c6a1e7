package dev.geneva.udf;

import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/** The output types a UDF can declare, as Arrow fields (the name is replaced by the column's). */
public final class UdfTypes {
  private UdfTypes() {}

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
   * Fixed-size vectors of 32-bit floats ({@code float[]} of exactly {@code dimension} values), the
   * usual type of an embedding.
   *
   * @param dimension the number of floats per value, at least 1
   * @return the type
   */
  public static Field floatVector(int dimension) {
    if (dimension < 1) {
      throw new IllegalArgumentException(
          "floatVector dimension must be at least 1, got " + dimension);
    }
    Field item =
        new Field(
            "item",
            FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            null);
    return new Field(
        "value", FieldType.nullable(new ArrowType.FixedSizeList(dimension)), List.of(item));
  }

  private static Field of(ArrowType type) {
    return new Field("value", FieldType.nullable(type), null);
  }
}
