package dev.geneva;

import java.time.Instant;
import java.util.Objects;

/**
 * A cluster definition stored in the database by {@link Connection#defineCluster(String,
 * ClusterDefinition)}, as read back: the document is opaque here; the module owning its kind turns
 * it into a typed value (geneva-k8s's {@code RayClusterDefinitions.load}).
 *
 * @param name the name it was defined under
 * @param kind what the document describes, such as {@code "ray.io/RayCluster"}
 * @param formatVersion the document's layout version
 * @param json the document
 * @param definedAt when this version of the definition was stored
 */
public record StoredCluster(
    String name, String kind, int formatVersion, String json, Instant definedAt)
    implements ClusterDefinition {

  /**
   * Checks the values.
   *
   * @param name the name it was defined under
   * @param kind what the document describes
   * @param formatVersion the document's layout version
   * @param json the document
   * @param definedAt when this version of the definition was stored
   */
  public StoredCluster {
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
