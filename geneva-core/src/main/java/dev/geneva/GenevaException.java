package dev.geneva;

/**
 * Root of every unchecked exception the Geneva SDK throws. Messages say what went wrong, which
 * table, column, fragment or option it concerns, and how to fix it.
 */
public class GenevaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong and how to fix it
   */
  public GenevaException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong and how to fix it
   * @param cause the underlying failure
   */
  public GenevaException(String message, Throwable cause) {
    super(message, cause);
  }
}
