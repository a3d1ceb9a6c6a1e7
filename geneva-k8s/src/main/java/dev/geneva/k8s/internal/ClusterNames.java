package dev.geneva.k8s.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Default RayCluster names that KubeRay always accepts. */
public final class ClusterNames {
  private static final String PREFIX = "geneva-";
  private static final int HASH_CHARS = 6;

  private ClusterNames() {}

  /**
   * {@code geneva-<user>}: the OS user lower-cased with other characters turned into '-'. When that
   * is longer than {@link Checks#MAX_RAY_CLUSTER_NAME}, it is cut and ends in {@code -<6 hex>} of
   * the SHA-256 of the user name, so two long names that share a prefix still differ. Always a
   * DNS-1035 label (it starts with the letter 'g').
   *
   * @param osUser the user name, possibly null or empty
   * @return a valid RayCluster name
   */
  public static String defaultName(String osUser) {
    String user = Checks.sanitize(osUser, Integer.MAX_VALUE);
    if (user.isEmpty()) {
      return "geneva";
    }
    String name = PREFIX + user;
    if (name.length() <= Checks.MAX_RAY_CLUSTER_NAME) {
      return name;
    }
    String hash = sha256Hex(osUser).substring(0, HASH_CHARS);
    String head =
        name.substring(0, Checks.MAX_RAY_CLUSTER_NAME - HASH_CHARS - 1).replaceAll("-+$", "");
    return head + "-" + hash;
  }

  private static String sha256Hex(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
