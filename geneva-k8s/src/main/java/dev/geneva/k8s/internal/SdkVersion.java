package dev.geneva.k8s.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The SDK version, from a resource Maven filters at build time. */
public final class SdkVersion {
  private static final String VERSION = load();

  private SdkVersion() {}

  private static String load() {
    try (InputStream in =
        SdkVersion.class.getResourceAsStream("/dev/geneva/k8s/geneva-k8s.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "");
        if (!v.isEmpty() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException e) {
      // Fall through to "unknown".
    }
    return "unknown";
  }

  /**
   * The version, usable as a label value.
   *
   * @return e.g. "0.1.0-SNAPSHOT"
   */
  public static String labelValue() {
    String v = VERSION.replaceAll("[^A-Za-z0-9._-]", "-");
    return v.length() > 63 ? v.substring(0, 63) : v;
  }
}
