package dev.geneva.k8s.internal;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterException;
import java.util.Set;

/**
 * Geneva for Java's Ray version policy: the cluster runs exactly the Ray version whose Java API
 * Geneva is compiled against ({@link RayCluster#DEFAULT_RAY_VERSION}, the newest Ray Java on Maven
 * Central). The job driver and the Java workers run with the cluster's own {@code ray_dist.jar}, so
 * the wire protocol always matches; what must match is the API: a jar of another version may lack
 * or change the classes Geneva calls. Reasons and evidence: docs/ray-image.md.
 */
public final class RayVersions {
  /** The Ray versions Geneva's Java driver may run on. */
  public static final Set<String> SUPPORTED = Set.of(RayCluster.DEFAULT_RAY_VERSION);

  private static final String WHY =
      "Geneva for Java runs its Ray job driver and Java workers with the cluster's own"
          + " ray_dist.jar, and is compiled against Ray's Java API "
          + RayCluster.DEFAULT_RAY_VERSION
          + " (the newest Ray for Java on Maven Central), so the cluster must run Ray "
          + RayCluster.DEFAULT_RAY_VERSION
          + "; the deployment guide's \"Ray 2.43+\" is Geneva Python's requirement. Build a"
          + " Java-capable image FROM rayproject/ray:"
          + RayCluster.DEFAULT_RAY_VERSION
          + "-py310 (see docs/ray-image.md)";

  private RayVersions() {}

  /**
   * Whether a Ray version is one Geneva's Java driver may run on.
   *
   * @param version e.g. {@code "2.39.0"}
   * @return true when supported
   */
  public static boolean supported(String version) {
    return SUPPORTED.contains(version);
  }

  /**
   * Rejects a declared Ray version outside the policy, before any API call.
   *
   * @param version the cluster's {@code rayVersion}
   * @param from where it came from, e.g. {@code "RayCluster.rayVersion"}
   */
  public static void requireSupported(String version, String from) {
    if (!supported(version)) {
      throw new InvalidInputException(
          from + " gives Ray " + version + ", which Geneva for Java cannot run on: " + WHY);
    }
  }

  /**
   * The error for a cluster whose dashboard reports another Ray version than declared or supported.
   *
   * @param cluster the RayCluster's name
   * @param running the version the dashboard reports
   * @param declared the declared {@code rayVersion}
   * @return the exception to throw
   */
  public static RayClusterException runningMismatch(
      String cluster, String running, String declared) {
    return new RayClusterException(
        "RayCluster "
            + cluster
            + " runs Ray "
            + running
            + " but was declared with rayVersion "
            + declared
            + " (its image's Ray is not the tag's or rayVersion's): "
            + WHY);
  }
}
