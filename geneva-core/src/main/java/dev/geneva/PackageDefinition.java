package dev.geneva;

/**
 * A job package definition that {@link Connection#definePackage(String, PackageDefinition)} can
 * store in the database (Geneva's manifests): where a cluster backfill's jars come from, as a
 * versioned JSON document of a given kind. geneva-core keeps the document opaque; geneva-ray-jobs's
 * {@code JobPackageDefinitions} gives the typed API, so core depends on no cluster technology.
 *
 * <p>A definition must hold no secrets: it is readable by anyone who can read the database.
 */
public interface PackageDefinition {

  /**
   * A definition of the given document.
   *
   * @param kind what the document describes
   * @param formatVersion its layout version, at least 1
   * @param json a JSON object
   * @return the definition
   */
  static PackageDefinition of(String kind, int formatVersion, String json) {
    return new PackageDefinition() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public int formatVersion() {
        return formatVersion;
      }

      @Override
      public String toJson() {
        return json;
      }
    };
  }

  /**
   * What the document describes, such as {@code "geneva/JobPackage"}; readers refuse other kinds.
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
