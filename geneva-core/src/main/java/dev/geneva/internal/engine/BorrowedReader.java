package dev.geneva.internal.engine;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A view of a caller's reader that hands its batches on and leaves closing it to the caller:
 * Arrow's C stream export closes the reader it is given when Lance releases the stream, and the
 * SDK's rule is that whoever creates a resource closes it.
 */
public final class BorrowedReader extends ArrowReader {
  private final ArrowReader source;

  /**
   * Wraps a reader.
   *
   * @param allocator the allocator Arrow's export uses
   * @param source the caller's reader, never closed here
   */
  public BorrowedReader(BufferAllocator allocator, ArrowReader source) {
    super(allocator);
    this.source = source;
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
    return source.getVectorSchemaRoot();
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    return source.loadNextBatch();
  }

  @Override
  public Map<Long, Dictionary> getDictionaryVectors() throws IOException {
    return source.getDictionaryVectors();
  }

  @Override
  public Dictionary lookup(long id) {
    return source.lookup(id);
  }

  @Override
  public Set<Long> getDictionaryIds() {
    return source.getDictionaryIds();
  }

  @Override
  public long bytesRead() {
    return source.bytesRead();
  }

  @Override
  protected void closeReadSource() {
    // The caller's reader: the caller closes it.
  }

  @Override
  protected Schema readSchema() throws IOException {
    return source.getVectorSchemaRoot().getSchema();
  }
}
