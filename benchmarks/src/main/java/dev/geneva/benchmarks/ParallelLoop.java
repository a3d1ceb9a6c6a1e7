package dev.geneva.benchmarks;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.file.LanceFileWriter;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.operation.DataReplacement;
import com.lancedb.lance.operation.DataReplacement.DataReplacementGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The hand-written floor for (f): {@code id * 2} into an int64 column with lance-core alone, on
 * {@code c} threads. Each thread reads its contiguous share of the fragments through one scan and
 * writes one data file per fragment (lance-core 0.39's {@code DataReplacement} takes one file per
 * fragment); one commit at the end. No planning, checkpoints, progress, retries or executor: what
 * any backfill on this Lance must at least do.
 */
final class ParallelLoop {
  private ParallelLoop() {}

  /**
   * Adds {@code column} as an all-null int64 column (untimed set-up, like Geneva's addColumns).
   *
   * @param allocator for Lance
   * @param uri the table
   * @param column the new column
   */
  static void addColumn(BufferAllocator allocator, String uri, String column) {
    try (Dataset ds = Dataset.open(allocator, uri, new ReadOptions.Builder().build())) {
      ds.addColumns(List.of(Field.nullable(column, new ArrowType.Int(64, true))));
    }
  }

  /**
   * Computes {@code id * 2} into {@code column} for every fragment and commits once.
   *
   * @param allocator for Lance and the output vectors
   * @param uri the table
   * @param column a column added with {@link #addColumn}
   * @param threads the threads
   * @param batchSize rows per scanned batch
   * @return the rows computed and the seconds of the final commit
   * @throws Exception when Lance fails
   */
  static Result run(
      BufferAllocator allocator, String uri, String column, int threads, int batchSize)
      throws Exception {
    try (Dataset ds = Dataset.open(allocator, uri, new ReadOptions.Builder().build())) {
      long readVersion = ds.version();
      int fieldId = BaselineBackfill.fieldId(ds, column);
      List<Fragment> fragments = ds.getFragments();
      Map<Integer, FragmentMetadata> byId = new HashMap<>();
      for (Fragment f : fragments) {
        byId.put(f.getId(), f.metadata());
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Share>> shares = new ArrayList<>();
      try {
        int per = (fragments.size() + threads - 1) / threads;
        for (int from = 0; from < fragments.size(); from += per) {
          List<Integer> ids = new ArrayList<>();
          for (Fragment f : fragments.subList(from, Math.min(fragments.size(), from + per))) {
            ids.add(f.getId());
          }
          shares.add(
              pool.submit(() -> share(ds, allocator, uri, byId, ids, column, fieldId, batchSize)));
        }
        List<DataReplacementGroup> groups = new ArrayList<>();
        long rows = 0;
        for (Future<Share> s : shares) {
          groups.addAll(s.get().groups());
          rows += s.get().rows();
        }
        long commitStart = System.nanoTime();
        ds.newTransactionBuilder()
            .readVersion(readVersion)
            .operation(DataReplacement.builder().replacements(groups).build())
            .build()
            .commit()
            .close();
        return new Result(rows, (System.nanoTime() - commitStart) / 1e9);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * What a run did.
   *
   * @param rows the rows computed
   * @param commitSeconds how long its one commit took
   */
  record Result(long rows, double commitSeconds) {}

  private record Share(List<DataReplacementGroup> groups, long rows) {}

  /** One thread's fragments: one scan, a file per fragment as the scan leaves it. */
  private static Share share(
      Dataset ds,
      BufferAllocator allocator,
      String uri,
      Map<Integer, FragmentMetadata> byId,
      List<Integer> ids,
      String column,
      int fieldId,
      int batchSize)
      throws Exception {
    List<DataReplacementGroup> groups = new ArrayList<>();
    long rows = 0;
    ScanOptions scan =
        new ScanOptions.Builder()
            .fragmentIds(ids)
            .columns(List.of("id"))
            .withRowAddress(true)
            .batchSize(batchSize)
            .build();
    BigIntVector out = null;
    int current = -1;
    try (LanceScanner scanner = ds.newScan(scan);
        ArrowReader input = scanner.scanBatches()) {
      while (input.loadNextBatch()) {
        VectorSchemaRoot batch = input.getVectorSchemaRoot();
        BigIntVector id = (BigIntVector) batch.getVector("id");
        UInt8Vector addresses = (UInt8Vector) batch.getVector("_rowaddr");
        for (int i = 0; i < batch.getRowCount(); i++) {
          long address = addresses.get(i);
          int fragment = (int) (address >>> 32);
          if (fragment != current) {
            if (out != null) {
              groups.add(write(allocator, uri, byId.get(current), out, fieldId));
            }
            current = fragment;
            out = new BigIntVector(column, allocator);
            out.allocateNew(Math.toIntExact(byId.get(current).getPhysicalRows()));
          }
          out.set((int) (address & 0xFFFFFFFFL), id.get(i) * 2);
        }
        rows += batch.getRowCount();
      }
      if (out != null) {
        groups.add(write(allocator, uri, byId.get(current), out, fieldId));
        out = null;
      }
    } finally {
      if (out != null) {
        out.close();
      }
    }
    return new Share(groups, rows);
  }

  /** Writes and closes {@code out} as the fragment's new data file. */
  private static DataReplacementGroup write(
      BufferAllocator allocator, String uri, FragmentMetadata md, BigIntVector out, int fieldId)
      throws Exception {
    int physicalRows = Math.toIntExact(md.getPhysicalRows());
    DataFile format = md.getFiles().get(0);
    String fileName = "loop-" + UUID.randomUUID() + ".lance";
    out.setValueCount(physicalRows);
    try (VectorSchemaRoot root = new VectorSchemaRoot(List.of(out));
        LanceFileWriter writer =
            LanceFileWriter.open(
                uri + "/data/" + fileName,
                allocator,
                null,
                Optional.of(BaselineBackfill.version(format)),
                Map.of())) {
      root.setRowCount(physicalRows);
      writer.write(root);
    }
    return BaselineBackfill.replacement(md.getId(), fileName, fieldId, format);
  }
}
