package dev.geneva.internal.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Walks the rows of a fragment scan (made with row addresses) in row-offset order, one row at a
 * time, exposing the current row's offset and values.
 */
final class OffsetCursor {
  static final String ROW_ADDRESS = "_rowaddr";

  private final ArrowReader reader;
  private final List<String> columns;
  private VectorSchemaRoot batch;
  private UInt8Vector addresses;
  private int index = -1;
  private long offset = -1;

  OffsetCursor(ArrowReader reader, List<String> columns) {
    this.reader = reader;
    this.columns = List.copyOf(columns);
    advance();
  }

  /** The current row's offset in its fragment, or {@link Long#MAX_VALUE} when exhausted. */
  long offset() {
    return offset;
  }

  /** The current batch's vector of the {@code i}th column. */
  FieldVector vector(int i) {
    return batch.getVector(columns.get(i));
  }

  int index() {
    return index;
  }

  void advance() {
    try {
      index++;
      while (batch == null || index >= batch.getRowCount()) {
        if (!reader.loadNextBatch()) {
          offset = Long.MAX_VALUE;
          return;
        }
        batch = reader.getVectorSchemaRoot();
        addresses = (UInt8Vector) batch.getVector(ROW_ADDRESS);
        index = 0;
      }
      long next = addresses.get(index) & 0xFFFFFFFFL;
      if (next <= offset) {
        throw new IllegalStateException(
            "Lance returned rows out of offset order (" + next + " after " + offset + ")");
      }
      offset = next;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
