package dev.geneva.internal.engine;

import com.lancedb.lance.file.LanceFileReader;
import com.lancedb.lance.file.LanceFileWriter;
import dev.geneva.GenevaException;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.internal.lance.TablePaths;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.arrow.vector.ipc.ArrowReader;

/** Joins the range files of a fragment split over several tasks into one data file. */
final class FragmentAssembler {
  private FragmentAssembler() {}

  /**
   * Streams the parts, which must be in row order, into a new data file, checking each holds the
   * rows of its range.
   *
   * @return the new file's name under {@code data/}
   */
  static String concatenate(
      TableLocation table, String column, BackfillTask anyTask, List<TaskResult> parts) {
    String name = "geneva-" + UUID.randomUUID() + ".lance";
    Map<String, String> options = table.storageOptions(); // a provider's failure speaks for itself
    try (LanceFileWriter writer =
        LanceFileWriter.open(
            TablePaths.dataFile(table.uri(), name),
            table.allocator(),
            null,
            Optional.of(TaskExecution.fileVersion(anyTask)),
            options)) {
      for (TaskResult part : parts) {
        try (LanceFileReader reader =
                LanceFileReader.open(
                    TablePaths.dataFile(table.uri(), part.dataFile()), options, table.allocator());
            ArrowReader batches = reader.readAll(null, null, anyTask.batchSize())) {
          long rows = 0;
          while (batches.loadNextBatch()) {
            rows += batches.getVectorSchemaRoot().getRowCount();
            writer.write(batches.getVectorSchemaRoot());
          }
          if (rows != part.rowCount()) {
            throw new GenevaException(
                "part "
                    + part.dataFile()
                    + " holds "
                    + rows
                    + " rows, not the "
                    + part.rowCount()
                    + " of rows "
                    + part.rangeStart()
                    + ".."
                    + part.rangeEnd());
          }
        }
      }
    } catch (Exception e) {
      throw new GenevaException(
          "cannot join the "
              + parts.size()
              + " parts of fragment "
              + anyTask.fragmentId()
              + " for column '"
              + column
              + "' of "
              + table.shownUri(),
          e);
    }
    return name;
  }
}
