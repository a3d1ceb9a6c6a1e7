package dev.geneva.benchmarks;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.WriteParams.LanceFileVersion;
import com.lancedb.lance.file.LanceFileWriter;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.operation.DataReplacement;
import com.lancedb.lance.operation.DataReplacement.DataReplacementGroup;
import com.lancedb.lance.schema.LanceField;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The hand-written reference for the overhead benchmark: a single-threaded loop over lance-core
 * that computes {@link TextLength} for every fragment and commits one {@code DataReplacement}. No
 * planning, checkpoints, progress or executor; just scan, compute, write, commit.
 */
public final class BaselineBackfill {
  private BaselineBackfill() {}

  /**
   * Adds {@code column} as an all-null int32 column (the untimed set-up, like Geneva's addColumns).
   *
   * @param allocator for Lance
   * @param uri the table
   * @param column the new column
   */
  public static void addColumn(BufferAllocator allocator, String uri, String column) {
    try (Dataset ds = Dataset.open(allocator, uri, new ReadOptions.Builder().build())) {
      ds.addColumns(List.of(Field.nullable(column, new ArrowType.Int(32, true))));
    }
  }

  /**
   * Computes the length of {@code text} into {@code column} for every fragment.
   *
   * @param allocator for Lance and the output vectors
   * @param uri the table
   * @param column a column added with {@link #addColumn}
   * @param batchSize rows per scanned batch
   * @return the rows computed
   * @throws Exception when Lance fails
   */
  public static long run(BufferAllocator allocator, String uri, String column, int batchSize)
      throws Exception {
    long computed = 0;
    try (Dataset ds = Dataset.open(allocator, uri, new ReadOptions.Builder().build())) {
      long readVersion = ds.version();
      int fieldId = fieldId(ds, column);
      List<DataReplacementGroup> groups = new ArrayList<>();
      for (Fragment fragment : ds.getFragments()) {
        FragmentMetadata md = fragment.metadata();
        int physicalRows = Math.toIntExact(md.getPhysicalRows());
        DataFile format = md.getFiles().get(0);
        String fileName = "baseline-" + UUID.randomUUID() + ".lance";
        try (IntVector out = new IntVector(column, allocator)) {
          out.allocateNew(physicalRows);
          ScanOptions scan =
              new ScanOptions.Builder()
                  .columns(List.of("text"))
                  .withRowAddress(true)
                  .batchSize(batchSize)
                  .build();
          try (LanceScanner scanner = fragment.newScan(scan);
              ArrowReader input = scanner.scanBatches()) {
            while (input.loadNextBatch()) {
              VectorSchemaRoot batch = input.getVectorSchemaRoot();
              VarCharVector text = (VarCharVector) batch.getVector("text");
              UInt8Vector addresses = (UInt8Vector) batch.getVector("_rowaddr");
              for (int i = 0; i < batch.getRowCount(); i++) {
                int offset = (int) (addresses.get(i) & 0xFFFFFFFFL);
                Integer len =
                    TextLength.length(
                        text.isNull(i) ? null : new String(text.get(i), StandardCharsets.UTF_8));
                if (len == null) {
                  out.setNull(offset);
                } else {
                  out.set(offset, len);
                }
              }
              computed += batch.getRowCount();
            }
          }
          out.setValueCount(physicalRows);
          try (VectorSchemaRoot root = new VectorSchemaRoot(List.of(out));
              LanceFileWriter writer =
                  LanceFileWriter.open(
                      uri + "/data/" + fileName,
                      allocator,
                      null,
                      Optional.of(version(format)),
                      Map.of())) {
            root.setRowCount(physicalRows);
            writer.write(root);
          }
        }
        groups.add(replacement(fragment.getId(), fileName, fieldId, format));
      }
      ds.newTransactionBuilder()
          .readVersion(readVersion)
          .operation(DataReplacement.builder().replacements(groups).build())
          .build()
          .commit()
          .close();
    }
    return computed;
  }

  /** A fragment's new data file holding one column, in the format of its existing files. */
  static DataReplacementGroup replacement(
      int fragmentId, String fileName, int fieldId, DataFile format) {
    return new DataReplacementGroup(
        fragmentId,
        new DataFile(
            fileName,
            new int[] {fieldId},
            new int[] {0},
            format.getFileMajorVersion(),
            format.getFileMinorVersion(),
            null,
            null));
  }

  static int fieldId(Dataset ds, String column) {
    for (LanceField f : ds.getLanceSchema().fields()) {
      if (f.getName().equals(column)) {
        return f.getId();
      }
    }
    throw new IllegalArgumentException("no column " + column + " in " + ds.getSchema());
  }

  static LanceFileVersion version(DataFile format) {
    return switch (format.getFileMajorVersion() * 10 + format.getFileMinorVersion()) {
      case 20 -> LanceFileVersion.V2_0;
      case 21 -> LanceFileVersion.V2_1;
      case 22 -> LanceFileVersion.V2_2;
      default -> throw new IllegalStateException("unsupported Lance file format " + format);
    };
  }
}
