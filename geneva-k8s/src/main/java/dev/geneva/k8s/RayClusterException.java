package dev.geneva.k8s;

import dev.geneva.GenevaException;

/**
 * A RayCluster could not be started, reached or cleaned up. The message names the cluster and
 * namespace, what was observed (pod reasons, recent events, status) and what to do.
 */
public class RayClusterException extends GenevaException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and how to fix it
   */
  public RayClusterException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong and how to fix it
   * @param cause the underlying failure
   */
  public RayClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
