package dev.geneva.k8s.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real KubeRay RayCluster and RayJob CRDs, vendored under {@code src/test/resources/kuberay}
 * (origin and licence in the README there) and read from the class path, so the tests need nothing
 * outside the repository.
 */
public final class KubeRayCrds {
  /** The RayCluster CRD versions the tests validate against. */
  public static final String[] VERSIONS = {"1.1.1", "1.2.2", "1.3.2", "1.7.0"};

  /**
   * The vendored versions, for {@code @MethodSource}.
   *
   * @return {@link #VERSIONS} as a stream
   */
  public static java.util.stream.Stream<String> versions() {
    return java.util.stream.Stream.of(VERSIONS);
  }

  /** The class-path folder holding the CRDs. */
  public static final String RESOURCE_DIR = "kuberay/";

  private static final Map<String, CustomResourceDefinition> CACHE = new ConcurrentHashMap<>();

  /** The plural of KubeRay's RayCluster resource, as in its CRD file names. */
  public static final String RAYCLUSTERS = "rayclusters";

  /** The plural of KubeRay's RayJob resource, as in its CRD file names. */
  public static final String RAYJOBS = "rayjobs";

  private KubeRayCrds() {}

  /**
   * The RayCluster CRD of a KubeRay version, as a class-path resource.
   *
   * @param version e.g. "1.3.2"
   * @return the resource's URL
   */
  public static URL resource(String version) {
    return resource(RAYCLUSTERS, version);
  }

  /**
   * A CRD of a KubeRay version, as a class-path resource.
   *
   * @param plural {@link #RAYCLUSTERS} or {@link #RAYJOBS}
   * @param version e.g. "1.3.2"
   * @return the resource's URL
   */
  public static URL resource(String plural, String version) {
    String name = RESOURCE_DIR + "ray.io_" + plural + "_v" + version + ".yaml";
    URL url = KubeRayCrds.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IllegalStateException(
          "KubeRay CRD missing from the test class path: "
              + name
              + " (vendored in geneva-k8s/src/test/resources/kuberay)");
    }
    return url;
  }

  /**
   * The parsed RayCluster CRD of a version (cached).
   *
   * @param version e.g. "1.3.2"
   * @return the CRD
   */
  public static CustomResourceDefinition crd(String version) {
    return crd(RAYCLUSTERS, version);
  }

  /**
   * The parsed RayJob CRD of a version (cached).
   *
   * @param version e.g. "1.3.2"
   * @return the CRD
   */
  public static CustomResourceDefinition rayJobCrd(String version) {
    return crd(RAYJOBS, version);
  }

  private static CustomResourceDefinition crd(String plural, String version) {
    return CACHE.computeIfAbsent(
        plural + ":" + version,
        k -> {
          try (InputStream in = resource(plural, version).openStream()) {
            return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
