package dev.geneva.internal.engine;

import com.lancedb.lance.file.LanceFileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorAppender;

/**
 * Writes columns (one, or the several of a UDF of several columns) for the row range {@code [start,
 * end)} of a fragment, row {@code i} of the file holding offset {@code start + i}. Values arrive in
 * offset order; offsets never given are null, or keep their existing value when a carry-over cursor
 * is supplied. Streams in chunks so memory stays bounded whatever the range's size.
 */
final class AlignedColumnWriter implements AutoCloseable {
  private final BufferAllocator allocator;
  private final Schema schema;
  private final long end;
  private final LanceFileWriter writer;
  private final OffsetCursor carryOver;
  private final int chunkRows;
  private VectorSchemaRoot chunk;
  private long chunkStart;
  private long next;

  AlignedColumnWriter(
      BufferAllocator allocator,
      List<Field> fields,
      long start,
      long end,
      LanceFileWriter writer,
      OffsetCursor carryOver,
      int chunkRows) {
    this.allocator = allocator;
    this.schema = new Schema(fields);
    this.end = end;
    this.writer = writer;
    this.carryOver = carryOver;
    this.chunkRows = chunkRows;
    this.chunkStart = start;
    this.next = start;
  }

  /** Writes row {@code srcIndex} of each column's vector at fragment offset {@code offset}. */
  void put(long offset, List<FieldVector> src, int srcIndex) {
    if (offset < next || offset >= end) {
      throw new IllegalStateException(
          "row offset " + offset + " outside " + next + ".." + end + " or out of order");
    }
    fillUpTo(offset);
    VectorSchemaRoot root = position(offset);
    for (int c = 0; c < src.size(); c++) {
      root.getVector(c).copyFromSafe(srcIndex, (int) (offset - chunkStart), src.get(c));
    }
    next = offset + 1;
  }

  /**
   * Writes a batch: row {@code i} of each column's vector at the fragment offset in {@code
   * addresses[i]} (low 32 bits), offsets increasing. A batch of consecutive offsets that fits the
   * current chunk, with no existing values to keep, is appended in one copy per column (except
   * large lists); any other goes row by row.
   *
   * @param src one vector per column, in the file's order
   */
  void putAll(UInt8Vector addresses, List<FieldVector> src, int rows) {
    if (rows == 0) {
      return;
    }
    long first = addresses.get(0) & 0xFFFFFFFFL;
    long last = addresses.get(rows - 1) & 0xFFFFFFFFL;
    // Arrow 15's VectorAppender casts every repeated vector to ListVector, so large lists go row by
    // row.
    if (carryOver == null
        && src.stream().noneMatch(v -> v instanceof LargeListVector)
        && first >= next
        && last < end
        && last - first == rows - 1) {
      fillUpTo(first);
      VectorSchemaRoot root = position(first);
      if (last < chunkStart + chunkRows) {
        for (int c = 0; c < src.size(); c++) {
          FieldVector chunkVector = root.getVector(c);
          chunkVector.setValueCount((int) (first - chunkStart));
          src.get(c).accept(new VectorAppender(chunkVector), null);
        }
        next = last + 1;
        return;
      }
    }
    for (int i = 0; i < rows; i++) {
      put(addresses.get(i) & 0xFFFFFFFFL, src, i);
    }
  }

  /** Fills the rest of the range and flushes. */
  void finish() {
    fillUpTo(end);
    flush();
  }

  private void fillUpTo(long offset) {
    while (next < offset) {
      if (carryOver != null) {
        while (carryOver.offset() < next) {
          carryOver.advance();
        }
        if (carryOver.offset() == next) {
          VectorSchemaRoot root = position(next);
          for (int c = 0; c < root.getFieldVectors().size(); c++) {
            root.getVector(c)
                .copyFromSafe(carryOver.index(), (int) (next - chunkStart), carryOver.vector(c));
          }
        } else {
          position(next);
        }
      } else {
        position(next);
      }
      next++;
    }
  }

  /** Returns the chunk that holds {@code offset}, flushing and starting chunks as needed. */
  private VectorSchemaRoot position(long offset) {
    if (chunk != null && offset >= chunkStart + chunkRows) {
      flush();
    }
    if (chunk == null) {
      chunkStart = offset - ((offset - chunkStart) % chunkRows);
      chunk = VectorSchemaRoot.create(schema, allocator);
      for (FieldVector v : chunk.getFieldVectors()) {
        v.setInitialCapacity((int) Math.min(chunkRows, end - chunkStart));
      }
      chunk.allocateNew();
    }
    return chunk;
  }

  /** Releases a chunk left unwritten by a failure. */
  @Override
  public void close() {
    if (chunk != null) {
      chunk.close();
      chunk = null;
    }
  }

  private void flush() {
    if (chunk == null) {
      return;
    }
    try (VectorSchemaRoot full = chunk) {
      int rows = (int) (Math.min(chunkStart + chunkRows, end) - chunkStart);
      for (FieldVector v : full.getFieldVectors()) {
        v.setValueCount(rows);
      }
      full.setRowCount(rows);
      writer.write(full);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      chunk = null;
      chunkStart += chunkRows;
    }
  }
}
