package dev.geneva;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.UriRedaction;
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
  private final String table;
  private final String uri;

  Batches(Dataset dataset, LanceScanner scanner, String table, String uri) {
    this.dataset = dataset;
    this.scanner = scanner;
    this.table = table;
    this.uri = uri;
    this.reader = scanner.scanBatches();
  }

  private GenevaException failure(Exception e) {
    if (e instanceof GenevaException g) {
      return g;
    }
    String what = "reading the rows of table '" + table + "' at " + UriRedaction.redact(uri);
    if (LanceErrors.isInvalidFilter(e)) {
      return new InvalidInputException(
          what
              + " failed on the read's filter: "
              + UriRedaction.scrub(LanceErrors.reason(e), uri)
              + ". Fix the filter so it holds for every row's values (e.g. a CAST that fails)",
          e);
    }
    return LanceErrors.translate(what + " failed", uri, e);
  }

  /**
   * Loads the next batch.
   *
   * @return false at the end
   */
  public boolean next() {
    try {
      return reader.loadNextBatch();
    } catch (Exception e) { // IOException, and Lance's undeclared ones
      throw failure(e);
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
    } catch (Exception e) {
      throw failure(e);
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
