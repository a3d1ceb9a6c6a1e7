package dev.geneva;

/**
 * The table does not exist: a name that was never created, or a table dropped (by this or another
 * connection or process) while a {@link Table} handle to it was still in use. Nothing was written.
 */
public class TableNotFoundException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the table and the database, and how to recover
   */
  public TableNotFoundException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message names the table and the database, and how to recover
   * @param cause Lance's "not found" failure
   */
  public TableNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
