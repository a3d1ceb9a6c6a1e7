package dev.geneva.ray.jobs;

import dev.geneva.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a backfill job finds its jars (the UDFs, Geneva and their dependencies, never Ray's own:
 * the cluster's {@code ray_dist.jar} is used).
 *
 * <ul>
 *   <li>{@link Kind#UPLOAD}: a zip built by {@link JobPackager}, uploaded once to the cluster's
 *       package store as {@code gcs://_ray_pkg_<sha256>.zip}.
 *   <li>{@link Kind#REMOTE}: the same kind of zip at an {@code s3://}, {@code gs://} or {@code
 *       https://} URL the cluster can read.
 *   <li>{@link Kind#IMAGE}: the jars are baked into the Ray image in a directory; nothing travels.
 * </ul>
 *
 * <p>How the jars reach the JVMs (Ray 2.39): the zip (jars at its root, no top-level directory, so
 * Ray unpacks it the same way from {@code gcs://} and from buckets) is the submission's {@code
 * working_dir}, so the entrypoint starts in the unpacked directory and the driver's classpath is
 * {@code $RAY_DIST_JAR:*}. The driver is a new Ray job of its own: Ray's job supervisor is a Python
 * actor, and the submission's runtime environment does not reach a Java driver's workers, so the
 * driver passes the same URI as {@code -Dray.job.runtime-env.jars.0} (Ray Java's spelling of the
 * {@code java_jars} runtime-env field): every node's runtime-env agent downloads the zip and adds
 * its jars to the Java workers' classpath. For {@link Kind#IMAGE} the driver's classpath is {@code
 * <dir>/*} and the workers get {@code -Dray.job.code-search-path=<dir>} (the same path on every
 * node, since every node runs the image).
 */
public final class JobPackage {
  /** Where the jars come from. */
  public enum Kind {
    /** A zip uploaded to the cluster's package store ({@code gcs://}). */
    UPLOAD,
    /** A zip at a bucket or HTTPS URL. */
    REMOTE,
    /** Jars in a directory of the Ray image. */
    IMAGE
  }

  private final Kind kind;
  private final String uri;
  private final byte[] zip;
  private final List<String> entries;
  private final String imageDirectory;

  JobPackage(Kind kind, String uri, byte[] zip, List<String> entries, String imageDirectory) {
    this.kind = kind;
    this.uri = uri;
    this.zip = zip;
    this.entries = entries == null ? List.of() : List.copyOf(entries);
    this.imageDirectory = imageDirectory;
  }

  /**
   * A zip of jars at a URL the cluster can read.
   *
   * @param url an {@code s3://}, {@code gs://}, {@code https://} or {@code gcs://} URL ending in
   *     {@code .zip}
   * @return the package
   */
  public static JobPackage remote(String url) {
    if (url == null
        || !url.endsWith(".zip")
        || !(url.startsWith("s3://")
            || url.startsWith("gs://")
            || url.startsWith("https://")
            || url.startsWith("gcs://"))) {
      throw new InvalidInputException(
          "a job package URL must be an s3://, gs://, https:// or gcs:// URL of a .zip holding the"
              + " jars at its root; got "
              + url);
    }
    return new JobPackage(Kind.REMOTE, url, null, List.of(), null);
  }

  /**
   * Jars baked into the Ray image.
   *
   * @param directory the absolute directory in the image holding the jars, e.g. {@code
   *     /opt/geneva/lib}
   * @return the package
   */
  public static JobPackage baked(String directory) {
    if (directory == null || !directory.startsWith("/") || directory.contains("'")) {
      throw new InvalidInputException(
          "the jar directory in the image must be an absolute path, e.g. /opt/geneva/lib; got "
              + directory);
    }
    String d = directory.endsWith("/") ? directory.substring(0, directory.length() - 1) : directory;
    return new JobPackage(Kind.IMAGE, null, null, List.of(), d);
  }

  /**
   * Where the jars come from.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The package URI ({@code gcs://_ray_pkg_<hash>.zip} or the bucket URL); empty for {@link
   * Kind#IMAGE}.
   *
   * @return the URI
   */
  public Optional<String> uri() {
    return Optional.ofNullable(uri);
  }

  /**
   * The zip to upload, for {@link Kind#UPLOAD}.
   *
   * @return a copy of the bytes
   */
  public Optional<byte[]> zip() {
    return Optional.ofNullable(zip).map(byte[]::clone);
  }

  /**
   * The zip's size in bytes (0 when there is none to upload).
   *
   * @return the size
   */
  public long size() {
    return zip == null ? 0 : zip.length;
  }

  /**
   * The names of the jars in the zip, sorted, for {@link Kind#UPLOAD}.
   *
   * @return the names
   */
  public List<String> entries() {
    return entries;
  }

  /**
   * The jar directory in the image, for {@link Kind#IMAGE}.
   *
   * @return the directory
   */
  public Optional<String> imageDirectory() {
    return Optional.ofNullable(imageDirectory);
  }

  /**
   * The submission's runtime environment: {@code {"working_dir": uri}}, or nothing for {@link
   * Kind#IMAGE}.
   *
   * @return the fields
   */
  public Map<String, Object> runtimeEnv() {
    Map<String, Object> env = new LinkedHashMap<>();
    if (uri != null) {
      env.put("working_dir", uri);
    }
    return env;
  }

  /**
   * The driver's classpath entries besides {@code ray_dist.jar}: {@code *} (the working directory's
   * jars) or {@code <dir>/*}.
   *
   * @return the classpath part
   */
  public String driverClasspath() {
    return kind == Kind.IMAGE ? imageDirectory + "/*" : "*";
  }

  /**
   * The system properties that give the driver's Java workers the same jars.
   *
   * @return {@code -D...} options
   */
  public List<String> workerJarProperties() {
    List<String> props = new ArrayList<>();
    if (kind == Kind.IMAGE) {
      props.add("-Dray.job.code-search-path=" + imageDirectory);
    } else {
      props.add("-Dray.job.runtime-env.jars.0=" + uri);
    }
    return props;
  }

  @Override
  public String toString() {
    return "JobPackage{"
        + kind
        + (uri != null ? ", uri=" + uri : "")
        + (imageDirectory != null ? ", directory=" + imageDirectory : "")
        + (zip != null ? ", " + zip.length + " bytes, " + entries.size() + " jars" : "")
        + "}";
  }
}
