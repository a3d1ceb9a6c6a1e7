package dev.geneva;

/**
 * A cluster definition that {@link Connection#defineCluster(String, ClusterDefinition)} can store
 * in the database: a versioned JSON document of a given kind. geneva-core keeps the document
 * opaque; the module that owns the kind gives the typed API (geneva-k8s's {@code
 * RayClusterDefinitions} for KubeRay clusters), so core depends on no cluster technology.
 *
 * <p>A definition must hold no secrets: it is readable by anyone who can read the database.
 */
public interface ClusterDefinition {

  /**
   * What the document describes, such as {@code "ray.io/RayCluster"}; readers refuse other kinds.
   *
   * @return the kind
   */
  String kind();

  /**
   * The document's layout version, so a reader can refuse (or upgrade) layouts it does not know.
   *
   * @return the version, at least 1
   */
  int formatVersion();

  /**
   * The document.
   *
   * @return a JSON object
   */
  String toJson();
}
