package dev.geneva.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.function.Predicate;

/** What a {@link ReadinessCheck} can use while {@link RayCluster#start()} waits. */
public interface ReadinessContext {

  /**
   * The cluster's name.
   *
   * @return the name
   */
  String clusterName();

  /**
   * The cluster's namespace.
   *
   * @return the namespace
   */
  String namespace();

  /**
   * The client start uses.
   *
   * @return the client
   */
  KubernetesClient client();

  /**
   * Time left before start gives up ({@link RayCluster#waitTimeout()} overall).
   *
   * @return the time left, zero or more
   */
  Duration remaining();

  /**
   * Blocks until the watched state satisfies the condition, woken by watch events (no polling).
   * Fails fast when a pod of the cluster is in CrashLoopBackOff, ImagePullBackOff or Unschedulable,
   * or KubeRay marks the cluster failed; fails with a diagnostic summary on timeout.
   *
   * @param description what is awaited, for messages, e.g. "head pod Ready"
   * @param condition the condition
   * @return the state that satisfied it
   * @throws InterruptedException if interrupted
   * @throws RayClusterException on a failure or the timeout
   */
  ClusterState awaitState(String description, Predicate<ClusterState> condition)
      throws InterruptedException;

  /**
   * Fails at once when the cluster can no longer become ready: it was deleted, KubeRay marked it
   * failed, a pod of it is in CrashLoopBackOff, ImagePullBackOff or Unschedulable, or {@link
   * RayCluster#close()} aborted the start. Checks that wait on something other than {@link
   * #awaitState} (an HTTP probe, say) call it between tries. Reads the watched state (and, for an
   * unschedulable pod, its recent events).
   *
   * @throws RayClusterException naming what happened
   */
  default void checkCluster() {}

  /**
   * Waits up to {@code duration} between tries of a check, returning early (through {@link
   * #checkCluster()}'s exception) when the cluster fails, is deleted or the start is aborted.
   *
   * @param duration how long to wait at most
   * @throws InterruptedException if interrupted
   * @throws RayClusterException as {@link #checkCluster()}
   */
  default void pause(Duration duration) throws InterruptedException {
    checkCluster();
    Thread.sleep(duration.toMillis());
    checkCluster();
  }

  /**
   * The Ray dashboard's base URL, e.g. {@code http://127.0.0.1:34567}; opens the port-forward to
   * the head pod on first use when port forwarding is on.
   *
   * @return the URL
   */
  URI dashboardUrl();

  /**
   * The Ray version the cluster was declared with.
   *
   * @return e.g. "2.39.0"
   */
  String rayVersion();
}
