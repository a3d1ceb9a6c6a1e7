package dev.geneva;

/**
 * Bad input detected before anything was created or written: a name, an option or a UDF declaration
 * that cannot work. The table is unchanged.
 */
public class InvalidInputException extends GenevaException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the offending input, what was expected and how to fix it
   */
  public InvalidInputException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message names the offending input, what was expected and how to fix it
   * @param cause the underlying failure
   */
  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
