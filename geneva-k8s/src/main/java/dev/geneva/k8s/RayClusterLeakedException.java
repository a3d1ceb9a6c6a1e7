package dev.geneva.k8s;

import java.time.Duration;

/**
 * {@link RayCluster#close()} (or the cleanup of a failed {@link RayCluster#start()}) could not
 * delete a RayCluster this handle created: it keeps running, and costing money, until someone
 * deletes it. The message gives the commands that do. Calling {@code close()} again retries the
 * delete, and so does the JVM's shutdown hook, which keeps the handle until the delete is
 * confirmed.
 */
public class RayClusterLeakedException extends RayClusterException {
  private static final long serialVersionUID = 1L;

  /** The leaked RayCluster's name. */
  private final String name;

  /** The leaked RayCluster's namespace. */
  private final String namespace;

  /**
   * Creates the exception.
   *
   * @param name the RayCluster's name
   * @param namespace its namespace
   * @param session the handle's session id
   * @param tried how long the delete was retried
   * @param cause the last failure of the delete
   */
  public RayClusterLeakedException(
      String name, String namespace, String session, Duration tried, Throwable cause) {
    super(
        "RayCluster "
            + namespace
            + "/"
            + name
            + " (session "
            + session
            + ") LEAKED: it could not be deleted within "
            + tried
            + " ("
            + (cause == null ? "no answer" : cause.getMessage())
            + ") and keeps running until deleted. Delete it with: kubectl delete raycluster "
            + name
            + " -n "
            + namespace
            + "   or: geneva clusters delete "
            + name
            + " -n "
            + namespace
            + ". Calling close() again retries the delete; so does the JVM's shutdown hook.",
        cause);
    this.name = name;
    this.namespace = namespace;
  }

  /**
   * The leaked RayCluster's name.
   *
   * @return the name
   */
  public String clusterName() {
    return name;
  }

  /**
   * The leaked RayCluster's namespace.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }
}
