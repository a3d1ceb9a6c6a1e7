package dev.geneva.cloud.gcp.internal;

import dev.geneva.InvalidInputException;
import java.util.regex.Pattern;

/**
 * A parsed {@code gs://bucket/path} table URI. Not API.
 *
 * @param bucket the bucket name
 * @param path the object prefix without leading or trailing slashes; empty for the bucket root
 */
public record GcsUri(String bucket, String path) {
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._\\-]{1,220}[a-z0-9]");

  /**
   * Parses a table URI.
   *
   * @param uri e.g. {@code gs://my-bucket/db}
   * @param field the builder field, for messages
   * @return the parsed URI
   * @throws InvalidInputException naming the field and the expected form
   */
  public static GcsUri parse(String uri, String field) {
    if (uri == null || uri.isBlank()) {
      throw new InvalidInputException(
          field + " is missing: pass the table's location, e.g. gs://my-bucket/db");
    }
    if (!uri.startsWith("gs://")) {
      throw new InvalidInputException(
          field
              + " '"
              + uri
              + "' is not a gs:// URI: pass gs://<bucket>/<path>, e.g. gs://my-bucket/db");
    }
    String rest = uri.substring("gs://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!BUCKET.matcher(bucket).matches()) {
      throw new InvalidInputException(
          field
              + " '"
              + uri
              + "' has no valid bucket name ('"
              + bucket
              + "'): bucket names are 3 to 222 lowercase letters, digits, '-', '_' and '.'");
    }
    return new GcsUri(bucket, path);
  }

  /**
   * An object name under this URI's path.
   *
   * @param relative the name relative to the path
   * @return the full object name
   */
  public String object(String relative) {
    return path.isEmpty() ? relative : path + "/" + relative;
  }

  @Override
  public String toString() {
    return "gs://" + bucket + (path.isEmpty() ? "" : "/" + path);
  }
}
