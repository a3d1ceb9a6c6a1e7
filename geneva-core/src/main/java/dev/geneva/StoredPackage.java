package dev.geneva;

import java.time.Instant;
import java.util.Objects;

/**
 * A job package definition as stored in the database ({@link Connection#packages()}).
 *
 * @param name the name it is stored under
 * @param kind what the document describes
 * @param formatVersion the document's layout version
 * @param json the document
 * @param definedAt when it was stored
 */
public record StoredPackage(
    String name, String kind, int formatVersion, String json, Instant definedAt)
    implements PackageDefinition {

  /**
   * Checks that no component is null.
   *
   * @param name the name
   * @param kind the kind
   * @param formatVersion the layout version
   * @param json the document
   * @param definedAt when it was stored
   */
  public StoredPackage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(definedAt, "definedAt");
  }

  @Override
  public String toJson() {
    return json;
  }
}
