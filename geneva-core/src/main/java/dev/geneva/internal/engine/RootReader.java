package dev.geneva.internal.engine;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One {@link VectorSchemaRoot} as a one-batch {@link ArrowReader}. The batch's buffers are shared
 * (reference-counted), not copied, and the caller's root keeps its data.
 */
public final class RootReader extends ArrowReader {
  private final VectorSchemaRoot batch;
  private boolean read;

  /**
   * Wraps a batch.
   *
   * @param allocator for the reader's own vectors
   * @param batch the rows; the caller still owns and closes it
   */
  public RootReader(BufferAllocator allocator, VectorSchemaRoot batch) {
    super(allocator);
    this.batch = batch;
  }

  @Override
  public boolean loadNextBatch() throws java.io.IOException {
    if (read) {
      return false;
    }
    read = true;
    VectorSchemaRoot out = getVectorSchemaRoot();
    int n = batch.getRowCount();
    for (int i = 0; i < batch.getFieldVectors().size(); i++) {
      FieldVector from = batch.getVector(i);
      from.makeTransferPair(out.getVector(i)).splitAndTransfer(0, n);
    }
    out.setRowCount(n);
    return true;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {
    // The caller owns the batch.
  }

  @Override
  protected Schema readSchema() {
    return batch.getSchema();
  }
}
