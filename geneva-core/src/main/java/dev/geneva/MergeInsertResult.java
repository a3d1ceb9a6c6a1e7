package dev.geneva;

/**
 * What {@link Table#mergeInsert(String, org.apache.arrow.vector.ipc.ArrowReader)} did.
 *
 * @param rowsInserted rows whose key was not in the table, appended
 * @param rowsUpdated rows whose key was in the table, updated (they keep their UDF values:
 *     recompute them with a {@code where} backfill)
 * @param version the table's version after the commit
 */
public record MergeInsertResult(long rowsInserted, long rowsUpdated, long version) {}
