package dev.geneva.k8s;

import dev.geneva.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@link RayCluster#close()} does with a RayCluster that the handle created. */
public enum ExitMode {
  /** Delete the RayCluster (the default); KubeRay then deletes its pods and services. */
  DELETE,
  /** Keep the RayCluster running after close, for reuse or inspection. */
  RETAIN,
  /**
   * Delete the RayCluster unless start failed or {@link RayCluster#markFailed(Throwable)} was
   * called, so a failure can be inspected with kubectl.
   */
  RETAIN_ON_FAILURE;

  /**
   * Parses an exit mode by name, ignoring case and accepting {@code -} for {@code _}.
   *
   * @param value such as {@code "delete"} or {@code "retain-on-failure"}
   * @return the exit mode
   * @throws InvalidInputException naming the accepted values when {@code value} is unknown
   */
  public static ExitMode parse(String value) {
    if (value != null) {
      String key = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (ExitMode m : values()) {
        if (m.name().equals(key)) {
          return m;
        }
      }
    }
    throw new InvalidInputException(
        "RayCluster.exitMode \""
            + value
            + "\" is unknown: use one of "
            + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
  }
}
