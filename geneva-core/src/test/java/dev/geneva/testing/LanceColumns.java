package dev.geneva.testing;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Reads a table with plain lance-core (no Geneva code on the path), so a test's check does not
 * share a bug with the code under test.
 */
public final class LanceColumns {
  private LanceColumns() {}

  /**
   * id to value (Arrow's Java object, null kept) for every live row of the table's latest version.
   *
   * @param tableUri the table's location, as {@code Table.uri()} gives it
   * @param column the column to read besides {@code id}
   */
  public static Map<Long, Object> byId(String tableUri, String column) {
    Map<Long, Object> values = new TreeMap<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(tableUri, allocator);
        LanceScanner scanner =
            ds.newScan(new ScanOptions.Builder().columns(List.of("id", column)).build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        BigIntVector id = (BigIntVector) b.getVector("id");
        FieldVector v = b.getVector(column);
        for (int i = 0; i < b.getRowCount(); i++) {
          if (values.containsKey(id.get(i))) {
            throw new AssertionError("id " + id.get(i) + " appears twice in " + tableUri);
          }
          values.put(id.get(i), v.getObject(i));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read '" + column + "' of " + tableUri, e);
    }
    return values;
  }
}
