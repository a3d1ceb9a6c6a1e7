package dev.geneva.cli.testing;

// Copied from geneva-k8s/src/test/java/dev/geneva/k8s/testing (test jars are not shared).

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The real KubeRay CRDs from {@code shared/kuberay}, found by walking up from the working dir. */
public final class KubeRayCrds {
  /** The RayCluster CRD versions the tests validate against. */
  public static final String[] VERSIONS = {"1.1.1", "1.2.2", "1.3.2", "1.7.0"};

  private static final Map<String, CustomResourceDefinition> CACHE = new ConcurrentHashMap<>();

  private KubeRayCrds() {}

  /**
   * The directory holding the CRDs.
   *
   * @return the directory
   */
  public static Path dir() {
    Path p = Path.of("").toAbsolutePath();
    for (Path d = p; d != null; d = d.getParent()) {
      Path candidate = d.resolve("shared/kuberay");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "KubeRay CRDs not found: looked for shared/kuberay in "
            + p
            + " and its parents; the tests need /work/shared/kuberay (ray.io_rayclusters_v<version>.yaml)");
  }

  /**
   * The CRD file of a KubeRay version.
   *
   * @param version e.g. "1.3.2"
   * @return the path
   */
  public static Path file(String version) {
    Path f = dir().resolve("ray.io_rayclusters_v" + version + ".yaml");
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException("KubeRay CRD missing: " + f);
    }
    return f;
  }

  /**
   * The parsed CRD of a version (cached).
   *
   * @param version e.g. "1.3.2"
   * @return the CRD
   */
  public static CustomResourceDefinition crd(String version) {
    return CACHE.computeIfAbsent(
        version,
        v -> {
          try (InputStream in = Files.newInputStream(file(v))) {
            return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
