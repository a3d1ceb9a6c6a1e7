package dev.geneva;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Rows of a table read as Arrow batches. The batch returned by {@link #current()} is reused by
 * {@link #next()}: copy what you keep. Close to release the scan.
 */
public final class Batches implements AutoCloseable {
  private final Dataset dataset;
  private final LanceScanner scanner;
  private final ArrowReader reader;

  Batches(Dataset dataset, LanceScanner scanner) {
    this.dataset = dataset;
    this.scanner = scanner;
    this.reader = scanner.scanBatches();
  }

  /**
   * Loads the next batch.
   *
   * @return false at the end
   */
  public boolean next() {
    try {
      return reader.loadNextBatch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The batch loaded by the last {@link #next()}.
   *
   * @return the batch
   */
  public VectorSchemaRoot current() {
    try {
      return reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Releases the scan and the table snapshot it read. */
  @Override
  public void close() {
    GenevaException failure = null;
    for (AutoCloseable c : new AutoCloseable[] {reader, scanner, dataset}) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new GenevaException("closing a table scan failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
