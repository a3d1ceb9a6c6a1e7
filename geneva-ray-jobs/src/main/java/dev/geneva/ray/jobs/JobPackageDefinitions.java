package dev.geneva.ray.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.geneva.Connection;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.PackageDefinition;
import dev.geneva.StoredPackage;
import dev.geneva.internal.meta.ClusterStore;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * Stored job packages (Geneva's manifests): a {@link JobPackage} saved in the database under a
 * name, so every program and the CLI ({@code geneva backfill --cluster gpu-embed --package
 * embed-v3}) ship the same jars to a cluster.
 *
 * <pre>{@code
 * JobPackageDefinitions.define(db, "embed-v3",
 *     JobPackage.remote("s3://models/geneva/embed-v3.zip"));          // once
 * JobPackage jars = JobPackageDefinitions.load(db, "embed-v3");       // anywhere
 * RayCluster.builder().spec(spec).jobPackage(jars).auth(auth).start();
 * }</pre>
 *
 * <p>geneva-core stores the definition as an opaque JSON document of kind {@value #KIND}, layout
 * {@value #FORMAT_VERSION}, in {@code <database>/_geneva/packages.lance}; this class owns its
 * layout. Only packages that name where the jars are can be stored: a {@link JobPackage#remote
 * remote} zip (its URL) or jars {@link JobPackage#baked baked} into the Ray image (their
 * directory). A package {@link JobPackager} builds from this machine's jars is refused (upload its
 * zip to a bucket and store that URL), and so is a URL holding a secret (user info, or a query
 * string such as a presigned URL's signature): anyone who can read the database reads the
 * definition, so the cluster must read the zip with its own identity.
 */
public final class JobPackageDefinitions {
  /** The kind of the stored documents. */
  public static final String KIND = "geneva/JobPackage";

  /** The layout version this class writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  private static final String NOUN = "job package definition";
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobPackageDefinitions() {}

  /**
   * Stores a package in the database under a name, replacing an earlier one.
   *
   * @param connection the database
   * @param name 1 to 63 lower-case letters, digits and '-'
   * @param jobPackage a remote or baked package
   * @throws InvalidInputException before anything is written, for a bad name, an uploaded package
   *     or a URL holding a secret
   */
  public static void define(Connection connection, String name, JobPackage jobPackage) {
    ClusterStore.checkName(NOUN, name);
    connection.definePackage(name, of(jobPackage));
  }

  /**
   * The package as a definition {@link Connection#definePackage} stores.
   *
   * @param jobPackage a remote or baked package
   * @return the definition
   * @throws InvalidInputException for a package that cannot be stored (see the class comment)
   */
  public static PackageDefinition of(JobPackage jobPackage) {
    return PackageDefinition.of(KIND, FORMAT_VERSION, toJson(jobPackage));
  }

  /**
   * Reads a stored package.
   *
   * @param connection the database
   * @param name the name it was defined under
   * @return the package
   * @throws InvalidInputException when no definition has that name (naming those that exist), or it
   *     is not a job package
   */
  public static JobPackage load(Connection connection, String name) {
    StoredPackage stored =
        connection
            .storedPackage(name)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "no job package definition named '"
                            + name
                            + "' in "
                            + dev.geneva.internal.lance.UriRedaction.redact(connection.uri())
                            + "; defined: "
                            + names(connection)
                            + ". Define it with JobPackageDefinitions.define(db, \""
                            + name
                            + "\", JobPackage.remote(url) or JobPackage.baked(directory))"));
    ClusterStore.checkKind(
        NOUN, stored.name(), stored.kind(), stored.formatVersion(), KIND, FORMAT_VERSION);
    return fromJson(stored.name(), stored.json());
  }

  /**
   * The names of the stored job package definitions.
   *
   * @param connection the database
   * @return the names, sorted
   */
  public static List<String> names(Connection connection) {
    return connection.packages().stream()
        .filter(p -> p.kind().equals(KIND))
        .map(StoredPackage::name)
        .toList();
  }

  static String toJson(JobPackage p) {
    if (p == null) {
      throw new InvalidInputException("the job package to store is null");
    }
    ObjectNode root = JSON.createObjectNode();
    switch (p.kind()) {
      case REMOTE -> {
        String url = p.uri().orElseThrow();
        checkNoSecret(url);
        root.put("kind", "REMOTE");
        root.put("uri", url);
      }
      case IMAGE -> {
        root.put("kind", "IMAGE");
        root.put("directory", p.imageDirectory().orElseThrow());
      }
      case UPLOAD ->
          throw new InvalidInputException(
              "a job package built from this machine's jars ("
                  + p.entries().size()
                  + " jars, uploaded to the cluster at submission) cannot be stored: other"
                  + " programs do not have its zip. Upload the zip to a bucket the cluster reads"
                  + " and store JobPackage.remote(\"s3://.../jobs.zip\"), or bake the jars into"
                  + " the Ray image and store JobPackage.baked(\"/opt/geneva/lib\")");
    }
    return root.toString();
  }

  private static void checkNoSecret(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new InvalidInputException(
          "job package URL is not a valid URI (" + e.getReason() + "); give a plain bucket URL", e);
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      // The URL itself is not repeated: its user info or query is the secret.
      throw new InvalidInputException(
          "a job package URL with user info, a query string or a fragment (such as a presigned"
              + " URL's signature or a token) cannot be stored: anyone who can read the database"
              + " would read it. Store the plain URL "
              + uri.getScheme()
              + "://"
              + (uri.getHost() == null ? "" : uri.getHost())
              + (uri.getRawPath() == null ? "" : uri.getRawPath())
              + " and let the cluster read it with its own identity (workload identity, an"
              + " instance role)");
    }
  }

  static JobPackage fromJson(String name, String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new GenevaException(NOUN + " '" + name + "' is not valid JSON: " + e.getMessage(), e);
    }
    String kind = root.path("kind").asText();
    return switch (kind) {
      case "REMOTE" -> JobPackage.remote(root.path("uri").asText());
      case "IMAGE" -> JobPackage.baked(root.path("directory").asText());
      default ->
          throw new GenevaException(
              NOUN
                  + " '"
                  + name
                  + "' has package kind '"
                  + kind
                  + "', which this Geneva does not know: upgrade Geneva");
    };
  }
}
