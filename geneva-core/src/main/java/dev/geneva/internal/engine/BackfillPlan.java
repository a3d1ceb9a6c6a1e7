package dev.geneva.internal.engine;

import com.lancedb.lance.schema.LanceField;
import dev.geneva.spi.BackfillTask;
import dev.geneva.udf.UdfSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A backfill's tasks at a pinned read version.
 *
 * @param column the output column, or the group's name for a UDF of several columns
 * @param udfClass the UDF's class
 * @param spec the UDF's declaration
 * @param stateful whether the UDF is stateful
 * @param readVersion the pinned version
 * @param fieldId the output column's field id (the first member's for a group)
 * @param outputFields the Lance fields of the columns the UDF computes (one, or a group's members
 *     in output order), with the ids of their children (a data file of a nested column lists them
 *     too)
 * @param tasks the tasks, grouped by fragment in fragment order
 * @param tasksPerFragment how many tasks each fragment has
 * @param physicalRows each planned fragment's physical rows, which its new data file must hold
 * @param inputFingerprints per fragment, the data files holding the UDF's inputs (a commit checks
 *     they are unchanged)
 * @param outputFiles per fragment, the data file holding the output columns at the read version
 *     (empty when it has none); a commit checks it is unchanged, or another backfill's values would
 *     be replaced
 * @param rowsPerTask rows selected in each task, by task id
 * @param inputFieldIds the field ids of the UDF's inputs (children included)
 * @param udfChange how the UDF changed since the column's values were computed, when that made the
 *     default backfill select every row; null otherwise
 * @param sharedOutputFragments the fragments whose output columns are held by a data file that also
 *     holds other columns (a compaction writes every column of a fragment into one file): a {@code
 *     DataReplacement} cannot replace part of a file, so their new file is committed with an {@code
 *     Update} that tombstones the output columns in the shared file
 * @param inputsToRecord which UDFs computed the UDF's UDF-column inputs, to record once the
 *     backfill succeeds ({@code UdfVersions.INPUTS_COMPUTED}); null when nothing is to be recorded
 */
record BackfillPlan(
    String column,
    String udfClass,
    UdfSpec spec,
    boolean stateful,
    long readVersion,
    int fieldId,
    List<LanceField> outputFields,
    List<BackfillTask> tasks,
    Map<Integer, Integer> tasksPerFragment,
    Map<Integer, Long> physicalRows,
    Map<Integer, String> inputFingerprints,
    Map<Integer, String> outputFiles,
    Map<Integer, Long> rowsPerTask,
    Set<Integer> inputFieldIds,
    String udfChange,
    Set<Integer> sharedOutputFragments,
    String inputsToRecord) {

  /** The field ids of the output columns, their children included. */
  Set<Integer> outputFieldIds() {
    Set<Integer> ids = new HashSet<>();
    outputFields.forEach(f -> ids.addAll(ColumnLayout.allIds(f)));
    return Set.copyOf(ids);
  }

  /** The names of the output columns, in the data file's order. */
  List<String> outputColumns() {
    return outputFields.stream().map(LanceField::getName).toList();
  }

  long rowsTotal() {
    return rowsPerTask.values().stream().mapToLong(Long::longValue).sum();
  }
}
