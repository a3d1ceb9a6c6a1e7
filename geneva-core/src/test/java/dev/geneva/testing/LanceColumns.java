package dev.geneva.testing;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/** Reads a table with plain lance-core (no Geneva code), so tests check what Lance itself sees. */
public final class LanceColumns {
  private LanceColumns() {}

  /** id to Arrow's Java object of {@code column} for every live row, read by a full scan. */
  public static Map<Long, Object> byId(BufferAllocator allocator, String uri, String column) {
    Map<Long, Object> values = new TreeMap<>();
    try (Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner =
            ds.newScan(
                new ScanOptions.Builder()
                    .columns(column.equals("id") ? List.of("id") : List.of("id", column))
                    .build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        BigIntVector id = (BigIntVector) b.getVector("id");
        FieldVector v = b.getVector(column);
        for (int i = 0; i < b.getRowCount(); i++) {
          if (values.containsKey(id.get(i))) {
            throw new AssertionError("id " + id.get(i) + " appears twice in " + uri);
          }
          values.put(id.get(i), v.getObject(i));
        }
      }
    } catch (Exception e) {
      throw new AssertionError("lance-core cannot read column '" + column + "' of " + uri, e);
    }
    return values;
  }

  /** {@link #byId(BufferAllocator, String, String)} with an allocator of its own. */
  public static Map<Long, Object> byId(String uri, String column) {
    try (BufferAllocator allocator = new RootAllocator()) {
      return byId(allocator, uri, column);
    }
  }

  /**
   * id to the bytes of blob column {@code column} for every live row (null where the value is),
   * read with lance-core's {@code takeBlobs} by row address.
   */
  public static Map<Long, byte[]> blobsById(BufferAllocator allocator, String uri, String column) {
    Map<Long, byte[]> values = new TreeMap<>();
    List<Long> ids = new java.util.ArrayList<>();
    List<Long> addresses = new java.util.ArrayList<>();
    try (Dataset ds = Dataset.open(uri, allocator)) {
      try (LanceScanner scanner =
              ds.newScan(
                  new ScanOptions.Builder()
                      .columns(List.of("id", column))
                      .withRowAddress(true)
                      .build());
          ArrowReader reader = scanner.scanBatches()) {
        while (reader.loadNextBatch()) {
          VectorSchemaRoot b = reader.getVectorSchemaRoot();
          BigIntVector id = (BigIntVector) b.getVector("id");
          org.apache.arrow.vector.UInt8Vector address =
              (org.apache.arrow.vector.UInt8Vector) b.getVector("_rowaddr");
          FieldVector v = b.getVector(column);
          for (int i = 0; i < b.getRowCount(); i++) {
            if (v.isNull(i)) {
              values.put(id.get(i), null);
            } else {
              ids.add(id.get(i));
              addresses.add(address.get(i));
            }
          }
        }
      }
      List<com.lancedb.lance.BlobFile> blobs = ds.takeBlobs(addresses, column);
      for (int i = 0; i < blobs.size(); i++) {
        try (com.lancedb.lance.BlobFile blob = blobs.get(i)) {
          values.put(ids.get(i), blob.read());
        }
      }
    } catch (Exception e) {
      throw new AssertionError("lance-core cannot read blob column '" + column + "' of " + uri, e);
    }
    return values;
  }

  /** Scans every column of every live row with plain lance-core; returns the row count. */
  public static long scanAll(BufferAllocator allocator, String uri) {
    long rows = 0;
    try (Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner = ds.newScan(new ScanOptions.Builder().build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
    } catch (Exception e) {
      throw new AssertionError("lance-core cannot scan " + uri, e);
    }
    return rows;
  }

  /**
   * Every live row as {@code "col=value col=value ..."}, sorted, read with plain lance-core: two
   * tables with the same rows give equal lists whatever their fragments and row order.
   */
  public static List<String> sortedRows(String uri) {
    List<String> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner = ds.newScan(new ScanOptions.Builder().build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        for (int i = 0; i < b.getRowCount(); i++) {
          StringBuilder row = new StringBuilder();
          for (FieldVector v : b.getFieldVectors()) {
            row.append(v.getName()).append('=').append(v.getObject(i)).append(' ');
          }
          rows.add(row.toString());
        }
      }
    } catch (Exception e) {
      throw new AssertionError("lance-core cannot read " + uri, e);
    }
    rows.sort(null);
    return rows;
  }

  /** Row address to id of every live row, read with plain lance-core. */
  public static Map<Long, Long> liveAddresses(String uri) {
    Map<Long, Long> out = new HashMap<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator);
        LanceScanner scanner =
            ds.newScan(
                new ScanOptions.Builder().columns(List.of("id")).withRowAddress(true).build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        for (int i = 0; i < b.getRowCount(); i++) {
          out.put(
              ((Number) b.getVector("_rowaddr").getObject(i)).longValue(),
              (Long) b.getVector("id").getObject(i));
        }
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return out;
  }
}
