package dev.geneva.examples;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.index.DistanceType;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.Query;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.Table;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Nearest neighbours of a query vector in a vector column by cosine similarity, found by Lance's
 * own vector search ({@code ScanOptions.nearest}): an exact, brute-force scan when the column has
 * no vector index, as here.
 */
public final class NearestNeighbours {
  /**
   * One neighbour.
   *
   * @param id the row's {@code id}
   * @param text the row's {@code text}
   * @param cosine the cosine similarity to the query, 1 for the same direction
   */
  public record Neighbour(long id, String text, double cosine) {}

  private NearestNeighbours() {}

  /**
   * The {@code k} rows whose {@code column} is closest to {@code query}, closest first.
   *
   * @param table a table with {@code id} (int64) and {@code text} (utf8) columns
   * @param column a {@code fixed_size_list<float32, d>} column
   * @param query a vector of {@code d} floats
   * @param k how many
   * @param allocator where Arrow buffers come from
   * @return up to {@code k} neighbours
   * @throws Exception when Lance fails
   */
  public static List<Neighbour> of(
      Table table, String column, float[] query, int k, BufferAllocator allocator)
      throws Exception {
    List<Neighbour> out = new ArrayList<>();
    try (Dataset dataset = Dataset.open(table.uri(), allocator);
        LanceScanner scanner =
            dataset.newScan(
                new ScanOptions.Builder()
                    .columns(List.of("id", "text", "_distance"))
                    .nearest(
                        new Query.Builder()
                            .setColumn(column)
                            .setKey(query)
                            .setK(k)
                            .setDistanceType(DistanceType.Cosine)
                            .build())
                    .build());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        BigIntVector id = (BigIntVector) root.getVector("id");
        VarCharVector text = (VarCharVector) root.getVector("text");
        FieldVector distance = root.getVector("_distance");
        for (int row = 0; row < root.getRowCount(); row++) {
          out.add(
              new Neighbour(
                  id.get(row),
                  new String(text.get(row), StandardCharsets.UTF_8),
                  1 - ((Float4Vector) distance).get(row)));
        }
      }
    }
    out.sort(Comparator.comparingDouble(Neighbour::cosine).reversed());
    return out;
  }
}
