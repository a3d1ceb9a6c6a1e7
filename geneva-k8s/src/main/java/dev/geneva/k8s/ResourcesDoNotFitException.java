package dev.geneva.k8s;

import dev.geneva.InvalidInputException;

/**
 * A backfill's UDF asks for more CPUs, GPUs or memory than any worker group of the cluster offers,
 * so Ray could never schedule its tasks (the job would hang pending). Thrown before anything is
 * submitted; the message gives the UDF's request, each group's offer, and the fix.
 */
public class ResourcesDoNotFitException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates it.
   *
   * @param message the request, the groups and the fix
   */
  public ResourcesDoNotFitException(String message) {
    super(message);
  }
}
