package dev.geneva.testing;

import dev.geneva.udf.BatchUdtf;
import dev.geneva.udf.UdtfOutput;
import dev.geneva.udf.UdtfSpec;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A batch UDTF: every even id gives two rows ({@code copy} 0 and 1, {@code twice} = 2 * id), every
 * odd id none.
 */
public class EvenPairs implements BatchUdtf {
  @Override
  public UdtfSpec spec() {
    return UdtfSpec.builder()
        .inputs("id")
        .outputs(
            Field.nullable("copy", new ArrowType.Int(32, true)),
            Field.nullable("twice", new ArrowType.Int(64, true)))
        .inheritInputs(false)
        .batchSize(100)
        .build();
  }

  @Override
  public void apply(VectorSchemaRoot input, UdtfOutput output) {
    BigIntVector id = (BigIntVector) input.getVector("id");
    IntVector copy = (IntVector) output.vector("copy");
    BigIntVector twice = (BigIntVector) output.vector("twice");
    for (int i = 0; i < input.getRowCount(); i++) {
      if (id.get(i) % 2 == 0) {
        for (int c = 0; c < 2; c++) {
          int row = output.addRow(i);
          copy.setSafe(row, c);
          twice.setSafe(row, 2 * id.get(i));
        }
      }
    }
  }
}
