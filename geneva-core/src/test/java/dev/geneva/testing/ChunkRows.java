package dev.geneva.testing;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * The {@code id/chunk_index/chunk} rows of a {@link TextChunker} view, read with plain lance-core.
 */
public final class ChunkRows {
  private ChunkRows() {}

  /** The rows a {@link TextChunker} view of the live rows of a source must hold, sorted. */
  public static List<String> expected(BufferAllocator allocator, String sourceUri) {
    List<String> rows = new ArrayList<>();
    LanceColumns.byId(allocator, sourceUri, "text")
        .forEach(
            (id, text) -> {
              List<String> pieces = TextChunker.expected(text == null ? null : text.toString());
              for (int i = 0; i < pieces.size(); i++) {
                rows.add(id + "/" + i + "/" + pieces.get(i));
              }
            });
    rows.sort(null);
    return rows;
  }

  /** The view's rows, sorted. */
  public static List<String> of(String viewUri) {
    List<String> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(viewUri, allocator);
        LanceScanner scanner =
            ds.newScan(
                new ScanOptions.Builder().columns(List.of("id", "chunk_index", "chunk")).build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        for (int i = 0; i < b.getRowCount(); i++) {
          rows.add(
              b.getVector("id").getObject(i)
                  + "/"
                  + b.getVector("chunk_index").getObject(i)
                  + "/"
                  + b.getVector("chunk").getObject(i));
        }
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    rows.sort(null);
    return rows;
  }

  /**
   * The view rows whose parent is not a live source row with the same id, as {@code
   * "id@__source_row_id"}: empty when every chunk points at its live source row.
   */
  public static List<String> orphans(String sourceUri, String viewUri) {
    Map<Long, Long> live = LanceColumns.liveAddresses(sourceUri);
    List<String> orphans = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(viewUri, allocator);
        LanceScanner scanner =
            ds.newScan(
                new ScanOptions.Builder().columns(List.of("id", "__source_row_id")).build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot b = reader.getVectorSchemaRoot();
        for (int i = 0; i < b.getRowCount(); i++) {
          Object id = b.getVector("id").getObject(i);
          Long parent = (Long) b.getVector("__source_row_id").getObject(i);
          if (!id.equals(live.get(parent))) {
            orphans.add(id + "@" + parent);
          }
        }
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return orphans;
  }
}
