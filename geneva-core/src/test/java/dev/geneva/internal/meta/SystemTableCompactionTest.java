package dev.geneva.internal.meta;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SystemTable#compact} on a real Lance table, read back with plain lance-core. */
class SystemTableCompactionTest {
  @TempDir Path dir;

  private static final Schema SCHEMA =
      new Schema(List.of(Field.notNullable("n", new ArrowType.Int(64, true))));

  /** Deletes the rows whose {@code n} is not a multiple of 3. */
  private static final class KeepMultiplesOfThree implements SystemTable.Pruning {
    private final Set<Long> drop = new HashSet<>();

    @Override
    public void read(VectorSchemaRoot batch, UInt8Vector rowAddresses) {
      BigIntVector n = (BigIntVector) batch.getVector("n");
      for (int i = 0; i < batch.getRowCount(); i++) {
        if (n.get(i) % 3 != 0) {
          drop.add(rowAddresses.get(i));
        }
      }
    }

    @Override
    public Set<Long> drop() {
      return drop;
    }
  }

  @Test
  void compact_whenMoreRowsGoThanOneDeleteNames_deletesExactlyThemInSeveralDeletes()
      throws Exception {
    int rows = 4 * SystemTable.ADDRESSES_PER_DELETE; // two thirds of them: three deletes
    try (BufferAllocator allocator = new RootAllocator()) {
      SystemTable table = new SystemTable(dir.toString(), "numbers", SCHEMA, Map::of, allocator);
      // One large fragment, then small ones: deletes inside a fragment and of whole fragments.
      table.append(
          batch -> {
            BigIntVector n = (BigIntVector) batch.getVector("n");
            for (int i = 0; i < rows; i++) {
              n.setSafe(i, i);
            }
            batch.setRowCount(rows);
          });
      for (long i = rows; i < rows + 6; i++) {
        long value = i;
        table.append(
            batch -> {
              ((BigIntVector) batch.getVector("n")).setSafe(0, value);
              batch.setRowCount(1);
            });
      }
      assertThat(table.lastKnownFragments()).isEqualTo(7);

      SystemTable.Compacted c = table.compact(KeepMultiplesOfThree::new, true).orElseThrow();

      long total = rows + 6;
      long kept = LongStream.range(0, total).filter(i -> i % 3 == 0).count();
      assertThat(c.rowsBefore()).isEqualTo(total);
      assertThat(c.rowsDeleted()).isEqualTo(total - kept);
      assertThat(c.rowsDeleted()).isGreaterThan(2L * SystemTable.ADDRESSES_PER_DELETE);
      assertThat(c.fragmentsBefore()).isEqualTo(7);
      assertThat(c.fragmentsAfter()).isEqualTo(1);
      assertThat(table.lastKnownFragments()).isEqualTo(1);
      List<Long> values = new ArrayList<>();
      try (Dataset ds = Dataset.open(table.uri(), allocator);
          LanceScanner scanner = ds.newScan(new ScanOptions.Builder().build());
          ArrowReader reader = scanner.scanBatches()) {
        assertThat(ds.getFragments()).hasSize(1);
        while (reader.loadNextBatch()) {
          BigIntVector n = (BigIntVector) reader.getVectorSchemaRoot().getVector("n");
          for (int i = 0; i < n.getValueCount(); i++) {
            values.add(n.get(i));
          }
        }
      }
      assertThat(values)
          .containsExactlyInAnyOrderElementsOf(
              LongStream.range(0, total).filter(i -> i % 3 == 0).boxed().toList());
    }
  }

  @Test
  void deletePredicates_whenManyAddresses_namesEachOnceInFlatListsOfBoundedSize() {
    Set<Long> drop = new HashSet<>();
    for (long f = 0; f < SystemTable.ADDRESSES_PER_DELETE + 5; f++) {
      drop.add(f << 32);
    }
    drop.add((7L << 32) | 3);
    List<String> predicates = SystemTable.deletePredicates(drop);
    assertThat(predicates).hasSize(2);
    assertThat(predicates)
        .allSatisfy(p -> assertThat(p).startsWith("_rowaddr IN (").doesNotContain("OR"));
    Set<Long> named = new HashSet<>();
    for (String p : predicates) {
      for (String a : p.substring("_rowaddr IN (".length(), p.length() - 1).split(", ")) {
        assertThat(named.add(Long.parseUnsignedLong(a))).isTrue();
      }
    }
    assertThat(named).isEqualTo(drop);
    assertThat(SystemTable.deletePredicates(Set.of())).isEmpty();
  }

  @Test
  void compact_whenTheTableDoesNotExist_doesNothingAndCreatesNothing() {
    try (BufferAllocator allocator = new RootAllocator()) {
      SystemTable table = new SystemTable(dir.toString(), "absent", SCHEMA, Map::of, allocator);
      assertThat(table.compact(KeepMultiplesOfThree::new, true)).isEmpty();
      assertThat(dir.resolve("_geneva").resolve("absent.lance")).doesNotExist();
    }
  }
}
