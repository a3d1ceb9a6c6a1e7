package dev.geneva.testing;

import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.math.BigDecimal;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;

/**
 * A batch UDF filling a struct of a zoned timestamp and a decimal: {@code at} = id seconds (in
 * microseconds), {@code price} = id / 100; null for ids divisible by 11.
 */
public class TypedBatch implements BatchUdf {
  @Override
  public UdfSpec spec() {
    return UdfSpec.builder()
        .inputs("id")
        .output(
            UdfTypes.struct(
                UdfTypes.named("at", UdfTypes.timestamp(TimeUnit.MICROSECOND, "UTC")),
                UdfTypes.named("price", UdfTypes.decimal(12, 2))))
        .build();
  }

  @Override
  public void apply(VectorSchemaRoot input, FieldVector output) {
    BigIntVector id = (BigIntVector) input.getVector("id");
    StructVector struct = (StructVector) output;
    TimeStampMicroTZVector at = (TimeStampMicroTZVector) struct.getChild("at");
    DecimalVector price = (DecimalVector) struct.getChild("price");
    for (int i = 0; i < input.getRowCount(); i++) {
      long v = id.get(i);
      if (v % 11 == 0) {
        struct.setNull(i);
        continue;
      }
      struct.setIndexDefined(i);
      at.setSafe(i, v * 1_000_000L);
      price.setSafe(i, BigDecimal.valueOf(v, 2));
    }
    output.setValueCount(input.getRowCount());
  }

  /** The value lance-core reads back for a row, as text. */
  public static String expected(long id) {
    return id % 11 == 0
        ? null
        : "{\"at\":" + id * 1_000_000L + ",\"price\":" + BigDecimal.valueOf(id, 2) + "}";
  }
}
