package dev.geneva.internal.view;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import dev.geneva.GenevaException;
import dev.geneva.Table;
import dev.geneva.internal.engine.RootReader;
import dev.geneva.internal.engine.UdfMetadata;
import dev.geneva.internal.lance.TableLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Adds the missing source rows of a shuffled view in the shuffle's order: all the rows a refresh
 * adds, over every source fragment, sorted by (top 32 bits of {@link
 * ViewQueryOptions#shuffleKey(long)}, source row id), and written in slices of {@link #BUCKET_ROWS}
 * rows, one commit each. Each slice reads the source fragments holding its rows once, so memory
 * stays bounded by a slice. The order depends only on the seed and the set of rows added, and the
 * slices are committed in order, so a refresh that stops between slices resumes to the same order
 * as one that did not stop.
 */
final class ShuffledAppender {
  /** Rows per slice (one commit, held in memory). */
  static final int BUCKET_ROWS = 65_536;

  /** A smaller slice, for tests of the slicing only. */
  static final String BUCKET_ROWS_PROPERTY = "geneva.internal.view.shuffleBucketRows";

  private final TableLocation view;
  private final Table viewTable;
  private final ViewQueryOptions options;
  private final RefreshRun run;
  private final int bucketRows = Integer.getInteger(BUCKET_ROWS_PROPERTY, BUCKET_ROWS);

  ShuffledAppender(TableLocation view, Table viewTable, ViewQueryOptions options, RefreshRun run) {
    this.view = view;
    this.viewTable = viewTable;
    this.options = options;
    this.run = run;
  }

  /**
   * Appends the rows.
   *
   * @param src the source at the target version
   * @param meta the view's record
   * @param viewSchema the view's schema
   * @param missing per source fragment, the ids of its rows to add, ascending
   * @return source rows and view rows added
   */
  long[] append(Dataset src, ViewMetadata meta, Schema viewSchema, Map<Integer, long[]> missing) {
    long[] ids = missing.values().stream().flatMapToLong(Arrays::stream).toArray();
    if (ids.length == 0) {
      return new long[2];
    }
    Arrays.sort(ids);
    // Sort by (top 32 bits of the key, id): pack the key's top half over the id's rank.
    long[] packed = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      long top = options.shuffleKey(ids[i]) >>> 32;
      packed[i] = ((top << 32) | i) ^ Long.MIN_VALUE;
    }
    Arrays.sort(packed);
    List<Field> written = new ArrayList<>();
    List<String> copied = new ArrayList<>();
    for (Field f : viewSchema.getFields()) {
      if (UdfMetadata.from(f.getMetadata()).isEmpty()) {
        written.add(f);
        if (!f.getName().equals(ViewMetadata.SOURCE_ROW_ID)) {
          copied.add(f.getName());
        }
      }
    }
    long added = 0;
    for (int from = 0; from < packed.length; from += bucketRows) {
      run.checkCancelled();
      int to = Math.min(packed.length, from + bucketRows);
      Map<Long, Integer> rank = new HashMap<>();
      TreeSet<Integer> fragments = new TreeSet<>();
      for (int r = from; r < to; r++) {
        long id = ids[(int) ((packed[r] ^ Long.MIN_VALUE) & 0xFFFF_FFFFL)];
        rank.put(id, r - from);
        fragments.add((int) (id >>> 32));
      }
      appendSlice(src, meta, new Schema(written), copied, rank, new ArrayList<>(fragments));
      added += to - from;
      run.added(to - from, to - from);
    }
    return new long[] {added, added};
  }

  /** Reads one slice's rows from their fragments, puts them in order and commits them. */
  private void appendSlice(
      Dataset src,
      ViewMetadata meta,
      Schema written,
      List<String> copied,
      Map<Long, Integer> rank,
      List<Integer> fragments) {
    VectorSchemaRoot staged = null;
    VectorSchemaRoot sorted = null;
    try {
      int[] position = new int[rank.size()];
      int n = 0;
      ScanOptions scan =
          new ScanOptions.Builder()
              .fragmentIds(fragments)
              .columns(meta.columns())
              .withRowAddress(true)
              .build();
      try (LanceScanner scanner = src.newScan(scan);
          ArrowReader reader = scanner.scanBatches()) {
        while (reader.loadNextBatch()) {
          VectorSchemaRoot batch = reader.getVectorSchemaRoot();
          if (staged == null) {
            staged = VectorSchemaRoot.create(batch.getSchema(), view.allocator());
            staged.allocateNew();
          }
          UInt8Vector addresses = (UInt8Vector) batch.getVector(ViewRowsReader.ROW_ADDRESS);
          List<TransferPair> copies = new ArrayList<>();
          for (FieldVector v : batch.getFieldVectors()) {
            copies.add(v.makeTransferPair(staged.getVector(v.getName())));
          }
          for (int i = 0; i < batch.getRowCount(); i++) {
            Integer r = rank.get(addresses.get(i));
            if (r != null) {
              for (TransferPair t : copies) {
                t.copyValueSafe(i, n);
              }
              position[r] = n++;
            }
          }
        }
      }
      if (n != rank.size()) {
        throw new GenevaException(
            "view '"
                + view.name()
                + "': found "
                + n
                + " of the "
                + rank.size()
                + " source rows to add in source fragments "
                + fragments
                + "; the source changed under the refresh: refresh again");
      }
      staged.setRowCount(n);
      sorted = VectorSchemaRoot.create(staged.getSchema(), view.allocator());
      sorted.allocateNew();
      for (FieldVector v : staged.getFieldVectors()) {
        TransferPair t = v.makeTransferPair(sorted.getVector(v.getName()));
        for (int r = 0; r < n; r++) {
          t.copyValueSafe(position[r], r);
        }
      }
      for (FieldVector v : sorted.getFieldVectors()) {
        v.setValueCount(n);
      }
      sorted.setRowCount(n);
      try (RootReader rows = new RootReader(view.allocator(), sorted);
          ViewRowsReader viewRows =
              new ViewRowsReader(view.allocator(), rows, written, copied, id -> true, null)) {
        if (viewRows.prime()) {
          viewTable.add(viewRows);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GenevaException e) {
      throw e;
    } catch (Exception e) {
      throw new GenevaException(
          "cannot add the shuffled rows of source fragments "
              + fragments
              + " to view '"
              + view.name()
              + "': "
              + e,
          e);
    } finally {
      if (staged != null) {
        staged.close();
      }
      if (sorted != null) {
        sorted.close();
      }
    }
  }
}
