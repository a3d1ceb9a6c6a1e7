package dev.geneva;

/**
 * What a backfill would do now, from {@link Table#planBackfill(String, BackfillOptions)}: planned
 * like the real run, but nothing is computed or written.
 *
 * @param table the table's URI
 * @param column the UDF column
 * @param udfClass the UDF's class
 * @param udfVersion the UDF's version (checkpoints of another version are not reused)
 * @param filter the rows selected: {@code BackfillOptions.where}, or the default {@code `<column>`
 *     IS NULL}
 * @param readVersion the table version the plan read
 * @param rowsSelected live rows the filter selects, in the planned fragments
 * @param fragments fragments with selected rows, each of which gets a new data file
 * @param tasks tasks planned (one per fragment, or more with {@code rowsPerTask})
 * @param tasksReusable tasks an earlier, unfinished run has checkpointed, which a run now reuses
 * @param rowsReusable the selected rows of those tasks
 * @param rowsToCompute the selected rows the UDF would compute: {@code rowsSelected - rowsReusable}
 */
public record BackfillPlanSummary(
    String table,
    String column,
    String udfClass,
    String udfVersion,
    String filter,
    long readVersion,
    long rowsSelected,
    int fragments,
    int tasks,
    int tasksReusable,
    long rowsReusable,
    long rowsToCompute) {}
