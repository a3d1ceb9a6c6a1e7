package dev.geneva.internal.view;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Turns a scan of one source fragment (with {@code _rowaddr}) into view rows: the wanted source
 * rows' copied columns and their ids, expanded by the UDTF when the view has one. The source reader
 * is owned by the caller.
 */
final class ViewRowsReader extends ArrowReader {
  static final String ROW_ADDRESS = "_rowaddr";

  private final ArrowReader source;
  private final Schema schema;
  private final List<String> copied;
  private final LongPredicate wanted;
  private final UdtfRunner udtf;
  private final Schema inputSchema;
  private VectorSchemaRoot input;
  private long sourceRows;
  private long viewRows;
  private boolean primed;

  /**
   * @param allocator for the view batches
   * @param source the source scan (with {@code _rowaddr})
   * @param schema the view's columns that are not UDF columns, in order
   * @param copied the view columns copied from the source row
   * @param wanted which source row ids to turn into view rows
   * @param udtf the UDTF, or null for a plain view
   */
  ViewRowsReader(
      BufferAllocator allocator,
      ArrowReader source,
      Schema schema,
      List<String> copied,
      LongPredicate wanted,
      UdtfRunner udtf) {
    super(allocator);
    this.source = source;
    this.schema = schema;
    this.copied = copied;
    this.wanted = wanted;
    this.udtf = udtf;
    this.inputSchema = udtf == null ? null : inputSchema(source, udtf.spec().inputs());
  }

  private static Schema inputSchema(ArrowReader source, List<String> inputs) {
    try {
      Schema s = source.getVectorSchemaRoot().getSchema();
      List<Field> fields = new ArrayList<>();
      for (String c : inputs) {
        fields.add(s.findField(c));
      }
      return new Schema(fields);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Source rows turned into view rows (expanded or not). */
  long sourceRows() {
    return sourceRows;
  }

  /** View rows produced. */
  long viewRows() {
    return viewRows;
  }

  /**
   * Loads the first batch ahead, so an expansion that yields no rows writes nothing.
   *
   * @return true when there is at least one view row
   */
  boolean prime() throws IOException {
    primed = load();
    return primed;
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    if (primed) {
      primed = false;
      return true;
    }
    return load();
  }

  private boolean load() throws IOException {
    while (source.loadNextBatch()) {
      VectorSchemaRoot batch = source.getVectorSchemaRoot();
      UInt8Vector addresses = (UInt8Vector) batch.getVector(ROW_ADDRESS);
      int[] selected = new int[batch.getRowCount()];
      int n = 0;
      for (int i = 0; i < batch.getRowCount(); i++) {
        if (wanted.test(addresses.get(i))) {
          selected[n++] = i;
        }
      }
      if (n == 0) {
        continue;
      }
      sourceRows += n;
      VectorSchemaRoot out = getVectorSchemaRoot();
      out.allocateNew();
      List<TransferPair> copies = new ArrayList<>();
      for (String c : copied) {
        copies.add(batch.getVector(c).makeTransferPair(out.getVector(c)));
      }
      BigIntVector ids = (BigIntVector) out.getVector(ViewMetadata.SOURCE_ROW_ID);
      int rows;
      if (udtf == null) {
        for (int k = 0; k < n; k++) {
          for (TransferPair t : copies) {
            t.copyValueSafe(selected[k], k);
          }
          ids.setSafe(k, addresses.get(selected[k]));
        }
        rows = n;
      } else {
        rows = expand(batch, addresses, selected, n, out, copies, ids);
        if (rows == 0) {
          continue;
        }
      }
      for (FieldVector v : out.getFieldVectors()) {
        v.setValueCount(rows);
      }
      out.setRowCount(rows);
      viewRows += rows;
      return true;
    }
    return false;
  }

  private int expand(
      VectorSchemaRoot batch,
      UInt8Vector addresses,
      int[] selected,
      int n,
      VectorSchemaRoot out,
      List<TransferPair> copies,
      BigIntVector ids) {
    if (input == null) {
      input = VectorSchemaRoot.create(inputSchema, allocator);
    }
    input.allocateNew();
    long[] parentIds = new long[n];
    for (FieldVector target : input.getFieldVectors()) {
      TransferPair t = batch.getVector(target.getName()).makeTransferPair(target);
      for (int k = 0; k < n; k++) {
        t.copyValueSafe(selected[k], k);
      }
      target.setValueCount(n);
    }
    input.setRowCount(n);
    for (int k = 0; k < n; k++) {
      parentIds[k] = addresses.get(selected[k]);
    }
    udtf.expand(input, parentIds);
    VectorSchemaRoot produced = udtf.output();
    int rows = produced.getRowCount();
    List<TransferPair> outputs = new ArrayList<>();
    for (FieldVector v : produced.getFieldVectors()) {
      outputs.add(v.makeTransferPair(out.getVector(v.getName())));
    }
    for (int j = 0; j < rows; j++) {
      int from = selected[udtf.parent(j)];
      for (TransferPair t : copies) {
        t.copyValueSafe(from, j);
      }
      for (TransferPair t : outputs) {
        t.copyValueSafe(j, j);
      }
      ids.setSafe(j, addresses.get(from));
    }
    return rows;
  }

  @Override
  public long bytesRead() {
    return source.bytesRead();
  }

  @Override
  protected void closeReadSource() {
    if (input != null) {
      input.close();
    }
  }

  @Override
  protected Schema readSchema() {
    return schema;
  }
}
