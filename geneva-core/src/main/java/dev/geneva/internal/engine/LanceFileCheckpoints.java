package dev.geneva.internal.engine;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.file.LanceFileReader;
import com.lancedb.lance.file.LanceFileWriter;
import dev.geneva.GenevaException;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.TablePaths;
import dev.geneva.spi.TaskResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints as one-row Lance files, so they live wherever the table lives (S3, GCS, ...) with the
 * table's own storage options and no extra dependency.
 */
final class LanceFileCheckpoints implements CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(LanceFileCheckpoints.class);

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("fragment_id", new ArrowType.Int(32, true)),
              Field.nullable("range_start", new ArrowType.Int(64, true)),
              Field.nullable("range_end", new ArrowType.Int(64, true)),
              Field.nullable("data_file", ArrowType.Utf8.INSTANCE),
              Field.nullable("rows_computed", new ArrowType.Int(64, true)),
              Field.nullable("rows_failed", new ArrowType.Int(64, true)),
              Field.nullable("failures", ArrowType.Binary.INSTANCE)));

  private final String tableUri;
  private final String directory;
  private final Supplier<Map<String, String>> storageOptions;
  private final BufferAllocator allocator;

  LanceFileCheckpoints(
      String tableUri,
      String directory,
      Supplier<Map<String, String>> storageOptions,
      BufferAllocator allocator) {
    this.tableUri = tableUri;
    this.directory = directory;
    this.storageOptions = storageOptions;
    this.allocator = allocator;
  }

  String path(String key) {
    return TablePaths.resolve(tableUri, directory + "/" + key + ".lance");
  }

  @Override
  public void put(String key, TaskResult result) {
    Map<String, String> options = storageOptions.get(); // a provider's failure speaks for itself
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      root.allocateNew();
      ((IntVector) root.getVector("fragment_id")).setSafe(0, result.fragmentId());
      ((BigIntVector) root.getVector("range_start")).setSafe(0, result.rangeStart());
      ((BigIntVector) root.getVector("range_end")).setSafe(0, result.rangeEnd());
      ((VarCharVector) root.getVector("data_file"))
          .setSafe(0, result.dataFile().getBytes(StandardCharsets.UTF_8));
      ((BigIntVector) root.getVector("rows_computed")).setSafe(0, result.rowsComputed());
      ((BigIntVector) root.getVector("rows_failed")).setSafe(0, result.rowsFailed());
      ((VarBinaryVector) root.getVector("failures"))
          .setSafe(0, TaskResult.encodeFailures(result.failures()));
      root.setRowCount(1);
      try (LanceFileWriter w = LanceFileWriter.open(path(key), allocator, null, options)) {
        w.write(root);
      }
    } catch (Exception e) {
      throw new GenevaException(
          "cannot write checkpoint "
              + key
              + " under "
              + dev.geneva.internal.lance.UriRedaction.redact(tableUri)
              + "/"
              + directory,
          e);
    }
  }

  @Override
  public Optional<TaskResult> get(String key) {
    Map<String, String> options = storageOptions.get(); // a provider's failure speaks for itself
    LanceFileReader reader;
    try {
      reader = LanceFileReader.open(path(key), options, allocator);
    } catch (Exception e) {
      if (LanceErrors.isNotFound(e)) {
        return Optional.empty();
      }
      throw new GenevaException("cannot read checkpoint " + path(key), e);
    }
    try (LanceFileReader r = reader;
        ArrowReader batches = r.readAll(null, null, 16)) {
      if (!batches.loadNextBatch() || batches.getVectorSchemaRoot().getRowCount() != 1) {
        return Optional.empty();
      }
      VectorSchemaRoot root = batches.getVectorSchemaRoot();
      return Optional.of(
          new TaskResult(
              ((IntVector) root.getVector("fragment_id")).get(0),
              ((BigIntVector) root.getVector("range_start")).get(0),
              ((BigIntVector) root.getVector("range_end")).get(0),
              new String(
                  ((VarCharVector) root.getVector("data_file")).get(0), StandardCharsets.UTF_8),
              ((BigIntVector) root.getVector("rows_computed")).get(0),
              ((BigIntVector) root.getVector("rows_failed")).get(0),
              root.getVector("failures") instanceof VarBinaryVector f && !f.isNull(0)
                  ? TaskResult.decodeFailures(f.get(0))
                  : List.of()));
    } catch (Exception e) {
      // A checkpoint that cannot be read is only lost work: recompute the task.
      LOG.warn("ignoring unreadable checkpoint {}: {}", path(key), e.toString());
      return Optional.empty();
    }
  }

  @Override
  public void clear() {
    // Lance's drop removes every object under the prefix, whether or not it holds a dataset.
    Dataset.drop(TablePaths.resolve(tableUri, directory), storageOptions.get());
  }
}
