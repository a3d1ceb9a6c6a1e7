package dev.geneva.internal.view;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.file.LanceFileReader;
import com.lancedb.lance.file.LanceFileWriter;
import dev.geneva.GenevaException;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.TablePaths;
import dev.geneva.spi.UdtfTaskResult;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a UDTF view's expansion pieces and their records live: {@code <view>/_geneva/udtf/}. A
 * piece ({@code <key>.lance}) is a Lance file of view rows; its record ({@code <key>.result.lance},
 * a one-row Lance file holding the encoded {@link UdtfTaskResult}) is written after it, so a record
 * never points at a partial piece. Lance files work wherever the view lives (local disk, S3, GCS)
 * with its own storage options.
 */
final class UdtfPieces {
  private static final Logger LOG = LoggerFactory.getLogger(UdtfPieces.class);

  /** Where pieces live, relative to the view's root. */
  static final String DIRECTORY = "_geneva/udtf";

  private static final Schema RECORD =
      new Schema(List.of(Field.nullable("result", ArrowType.Binary.INSTANCE)));

  private UdtfPieces() {}

  /** A piece's path relative to the view's root. */
  static String piece(String key) {
    return DIRECTORY + "/" + key + ".lance";
  }

  private static String record(String viewUri, String key) {
    return TablePaths.resolve(viewUri, DIRECTORY + "/" + key + ".result.lance");
  }

  /** Records a finished task, after its piece is written. */
  static void put(
      String viewUri,
      String key,
      UdtfTaskResult result,
      Map<String, String> options,
      BufferAllocator allocator) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(RECORD, allocator)) {
      root.allocateNew();
      ((VarBinaryVector) root.getVector(0)).setSafe(0, result.toBytes());
      root.setRowCount(1);
      try (LanceFileWriter w =
          LanceFileWriter.open(record(viewUri, key), allocator, null, options)) {
        w.write(root);
      }
    } catch (Exception e) {
      throw new GenevaException(
          "cannot record the UDTF piece " + key + " under " + viewUri + "/" + DIRECTORY, e);
    }
  }

  /** The recorded result of a task, or empty when it has not finished (or is unreadable). */
  static Optional<UdtfTaskResult> get(
      String viewUri, String key, Map<String, String> options, BufferAllocator allocator) {
    LanceFileReader reader;
    try {
      reader = LanceFileReader.open(record(viewUri, key), options, allocator);
    } catch (Exception e) {
      if (LanceErrors.isNotFound(e)) {
        return Optional.empty();
      }
      throw new GenevaException("cannot read the UDTF piece record " + record(viewUri, key), e);
    }
    try (LanceFileReader r = reader;
        ArrowReader batches = r.readAll(null, null, 16)) {
      if (!batches.loadNextBatch() || batches.getVectorSchemaRoot().getRowCount() != 1) {
        return Optional.empty();
      }
      byte[] bytes = ((VarBinaryVector) batches.getVectorSchemaRoot().getVector(0)).get(0);
      return Optional.of(UdtfTaskResult.fromBytes(bytes));
    } catch (Exception e) {
      // An unreadable record is only lost work: the task runs again.
      LOG.warn(
          "ignoring unreadable UDTF piece record {}: {}",
          dev.geneva.internal.lance.UriRedaction.redact(record(viewUri, key)),
          e.toString());
      return Optional.empty();
    }
  }

  /** Opens a piece for reading, in batches. */
  static LanceFileReader open(
      String viewUri, String piece, Map<String, String> options, BufferAllocator allocator) {
    try {
      return LanceFileReader.open(TablePaths.resolve(viewUri, piece), options, allocator);
    } catch (Exception e) {
      throw new GenevaException(
          "cannot read the UDTF piece "
              + TablePaths.resolve(viewUri, piece)
              + ": "
              + e.getMessage()
              + "; refresh again to expand its rows anew",
          e);
    }
  }

  /** Deletes every piece and record of the view, once a refresh has committed them all. */
  static void clear(String viewUri, Map<String, String> options) {
    String directory = TablePaths.resolve(viewUri, DIRECTORY);
    if (TablePaths.localPath(directory).map(p -> !Files.exists(p)).orElse(false)) {
      return;
    }
    try {
      // Lance's drop removes every object under the prefix, whether or not it holds a dataset.
      Dataset.drop(directory, options);
    } catch (RuntimeException e) {
      LOG.warn("cannot delete the UDTF pieces under {}: {}", directory, e.toString());
    }
  }
}
