package dev.geneva;

/**
 * What {@link Table#add(org.apache.arrow.vector.ipc.ArrowReader)} appended.
 *
 * @param rowsAdded the rows appended
 * @param version the table's version after the append (Lance commits a new version even for no
 *     rows)
 */
public record AddResult(long rowsAdded, long version) {}
