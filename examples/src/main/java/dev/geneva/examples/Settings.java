package dev.geneva.examples;

import java.util.HashMap;
import java.util.Map;

/**
 * Settings of the cluster examples: {@code KEY=value} program arguments first, then environment
 * variables of the same name, then a default.
 */
public final class Settings {
  private final Map<String, String> args = new HashMap<>();

  private Settings(String[] argv) {
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected KEY=value arguments, got \"" + a + "\"");
      }
      args.put(a.substring(0, eq), a.substring(eq + 1));
    }
  }

  /**
   * Parses {@code KEY=value} arguments.
   *
   * @param argv the program's arguments
   * @return the settings
   */
  public static Settings of(String[] argv) {
    return new Settings(argv);
  }

  /**
   * A setting.
   *
   * @param key the argument or environment variable name
   * @param defaultValue the value when neither is set
   * @return the value
   */
  public String get(String key, String defaultValue) {
    String v = args.get(key);
    if (v == null) {
      v = System.getenv(key);
    }
    return v == null || v.isBlank() ? defaultValue : v;
  }
}
