package dev.geneva.ray.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.ray.internal.LocalSessionDirs;
import dev.geneva.ray.internal.RayRuntimes;
import io.ray.api.Ray;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Shared checks for test classes that start Ray. Only the first {@code Ray.init()} of a JVM
 * extracts Ray's native library into {@code /tmp/ray/session_local_mode_*}, so the listing is taken
 * when this class is first used, before any test class starts Ray.
 */
public final class RayTestSupport {
  private static final Set<Path> BEFORE_ANY_RAY =
      LocalSessionDirs.list(LocalSessionDirs.DEFAULT_ROOT);

  private RayTestSupport() {}

  /** Loads this class (and so takes the listing); call from {@code @BeforeAll}. */
  public static void init() {
    assertThat(BEFORE_ANY_RAY).isNotNull();
  }

  /** Session directories of this JVM that appeared since the first test class started. */
  public static Set<Path> newSessionDirs() {
    Set<Path> now = new HashSet<>(LocalSessionDirs.list(LocalSessionDirs.DEFAULT_ROOT));
    now.removeAll(BEFORE_ANY_RAY);
    now.removeIf(p -> !p.getFileName().toString().endsWith("_" + ProcessHandle.current().pid()));
    return now;
  }

  /** Ray is shut down, nothing holds it, and no session directory of this JVM is left. */
  public static void assertRayShutDownAndCleanedUp() {
    assertThat(RayRuntimes.references()).as("leases on Ray").isZero();
    assertThat(Ray.isInitialized()).as("Ray running").isFalse();
    assertThat(newSessionDirs()).as("Ray LOCAL-mode session directories left").isEmpty();
  }
}
