package dev.geneva.k8s;

import dev.geneva.k8s.internal.DashboardCheck;
import java.util.List;

/**
 * One step of waiting for a cluster, like a Testcontainers wait strategy. {@link
 * RayCluster#start()} runs its checks in order within {@link RayCluster#waitTimeout()}; the default
 * is {@link #defaults()}.
 *
 * <pre>{@code
 * RayCluster.builder().readinessChecks(List.of(ReadinessCheck.clusterProvisioned(),
 *     ReadinessCheck.headPodReady(), ctx -> myOwnProbe(ctx.dashboardUrl())))
 * }</pre>
 */
@FunctionalInterface
public interface ReadinessCheck {

  /**
   * Returns when the cluster passes this check.
   *
   * @param context the cluster, its watches, the time left and the dashboard URL
   * @throws InterruptedException if interrupted
   * @throws RayClusterException when the check fails or time runs out
   */
  void waitUntilReady(ReadinessContext context) throws InterruptedException;

  /**
   * KubeRay says the cluster is provisioned: condition {@code RayClusterProvisioned} True (1.2 with
   * the feature gate, 1.3+) or {@code status.state == "ready"} (1.1, 1.2).
   *
   * @return the check
   */
  static ReadinessCheck clusterProvisioned() {
    return ctx -> ctx.awaitState("RayCluster provisioned", s -> s.status().provisioned());
  }

  /**
   * The head pod exists and its {@code Ready} condition is True.
   *
   * @return the check
   */
  static ReadinessCheck headPodReady() {
    return ctx -> ctx.awaitState("head pod Ready", ClusterState::headPodReady);
  }

  /**
   * The Ray dashboard answers {@code GET /api/version} with 200 and a {@code ray_version} (retried
   * with backoff, as the dashboard starts after the pod is Ready).
   *
   * @return the check
   */
  static ReadinessCheck dashboardAnswers() {
    return new DashboardCheck();
  }

  /**
   * Provisioned, then head pod Ready, then the dashboard answers: the definition of ready.
   *
   * @return the default checks
   */
  static List<ReadinessCheck> defaults() {
    return List.of(clusterProvisioned(), headPodReady(), dashboardAnswers());
  }
}
