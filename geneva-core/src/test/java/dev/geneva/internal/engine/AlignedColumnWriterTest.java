package dev.geneva.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.file.LanceFileReader;
import com.lancedb.lance.file.LanceFileWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows land at their fragment offsets whichever way a batch is written; gaps read as null. */
class AlignedColumnWriterTest {
  @TempDir Path dir;
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close();
  }

  /** Writes the batches into a file for offsets [0, 10) and reads the column back. */
  private List<Object> write(Field field, int chunkRows, long[][] batches) throws Exception {
    String path = dir.resolve("col.lance").toString();
    try (LanceFileWriter file = LanceFileWriter.open(path, allocator, null);
        AlignedColumnWriter aligned =
            new AlignedColumnWriter(allocator, List.of(field), 0, 10, file, null, chunkRows)) {
      for (long[] offsets : batches) {
        try (UInt8Vector addresses = new UInt8Vector("_rowaddr", allocator);
            FieldVector values = field.createVector(allocator)) {
          addresses.allocateNew(offsets.length);
          values.setInitialCapacity(offsets.length);
          values.allocateNew();
          for (int i = 0; i < offsets.length; i++) {
            addresses.set(i, (7L << 32) | offsets[i]); // fragment 7: only the low bits count
            if (values instanceof IntVector ints) {
              ints.set(i, (int) offsets[i] * 10);
            } else {
              ((VarCharVector) values)
                  .setSafe(i, ("v" + offsets[i]).getBytes(StandardCharsets.UTF_8));
            }
          }
          addresses.setValueCount(offsets.length);
          values.setValueCount(offsets.length);
          aligned.putAll(addresses, List.of(values), offsets.length);
        }
      }
      aligned.finish();
    }
    List<Object> out = new ArrayList<>();
    try (LanceFileReader reader = LanceFileReader.open(path, allocator);
        ArrowReader read = reader.readAll(null, null, 100)) {
      while (read.loadNextBatch()) {
        FieldVector v = read.getVectorSchemaRoot().getVector(0);
        for (int i = 0; i < v.getValueCount(); i++) {
          Object o = v.getObject(i);
          out.add(o == null ? null : o.toString());
        }
      }
    }
    return out;
  }

  @Test
  void putAll_whenBatchesMixConsecutiveAndScatteredOffsets_everyValueAtItsOffset()
      throws Exception {
    Field ints = Field.nullable("x", new ArrowType.Int(32, true));
    long[][] batches = {{0, 1, 2}, {5, 6}, {7, 9}};

    assertThat(write(ints, 1024, batches))
        .containsExactly("0", "10", "20", null, null, "50", "60", "70", null, "90");
  }

  @Test
  void putAll_whenVariableWidthValuesFollowRowByRowOnes_offsetsStayAligned() throws Exception {
    Field text = Field.nullable("s", ArrowType.Utf8.INSTANCE);
    long[][] batches = {{0, 1}, {3, 5}, {6, 7, 8}};

    assertThat(write(text, 1024, batches))
        .containsExactly("v0", "v1", null, "v3", null, "v5", "v6", "v7", "v8", null);
  }

  @Test
  void putAll_whenBatchCrossesChunkBoundary_splitsItAcrossChunks() throws Exception {
    Field ints = Field.nullable("x", new ArrowType.Int(32, true));
    long[][] batches = {{1, 2, 3, 4, 5}, {6, 7, 8, 9}};

    List<Object> values = write(ints, 4, batches);

    assertThat(values).hasSize(10);
    assertThat(values)
        .isEqualTo(Arrays.asList(null, "10", "20", "30", "40", "50", "60", "70", "80", "90"));
  }
}
