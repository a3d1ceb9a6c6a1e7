package dev.geneva;

/**
 * What {@link Table#compact(CompactOptions)} did, as the difference between the version it read and
 * the latest version once it committed (so a writer committing in that moment is counted too).
 *
 * @param fragmentsRemoved fragments rewritten (and gone from the new version)
 * @param fragmentsAdded fragments written in their place
 * @param filesRemoved data files no longer referenced by the new version (deleted by Lance's
 *     cleanup of old versions, not by the compaction)
 * @param filesAdded data files written
 * @param readVersion the version compacted
 * @param version the table's version after the compaction; {@code readVersion} when there was
 *     nothing to compact
 */
public record CompactResult(
    long fragmentsRemoved,
    long fragmentsAdded,
    long filesRemoved,
    long filesAdded,
    long readVersion,
    long version) {

  /**
   * Whether anything was rewritten.
   *
   * @return true when fragments were compacted
   */
  public boolean compacted() {
    return fragmentsRemoved > 0;
  }
}
