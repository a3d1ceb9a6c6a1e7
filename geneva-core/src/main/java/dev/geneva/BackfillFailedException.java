package dev.geneva;

/**
 * A backfill stopped before it finished. Work that completed is kept in checkpoints and commits, so
 * running the same backfill again resumes where this one stopped.
 */
public class BackfillFailedException extends GenevaException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed (table, column, fragment) and what to do next
   * @param cause the underlying failure
   */
  public BackfillFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
