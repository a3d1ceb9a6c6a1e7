package dev.geneva.internal.lance;

import dev.geneva.InvalidInputException;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database location as Lance should see it, parsed from what Java users write: a plain path, a
 * {@code file:} URI in any of the forms {@link Path#toUri()}, {@link File#toURI()} or a person
 * writes ({@code file:/abs}, {@code file:///abs}, {@code file://localhost/abs}, percent-encoded),
 * or an object store URI of a scheme lance-core 0.39 serves ({@code s3://}, {@code gs://}, {@code
 * az://}, {@code memory://}). Malformed input is refused with an example of the right form instead
 * of becoming a local folder with a strange name.
 *
 * @param uri what to give Lance: an absolute normalized path for local databases, else the URI
 *     without trailing slashes
 * @param localRoot the local directory, or null for object stores
 */
public record DatabaseUri(String uri, Path localRoot) {
  private static final Pattern SCHEME =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):(.*)", Pattern.DOTALL);

  /** Object store schemes and an example of each. */
  private static final Map<String, String> STORES =
      Map.of(
          "s3", "s3://my-bucket/db",
          "gs", "gs://my-bucket/db",
          "az", "az://my-container/db",
          "memory", "memory://db");

  /** Schemes other tools use for a store Lance reaches under another scheme. */
  private static final Map<String, String> ALIASES =
      Map.of(
          "s3a", "s3",
          "s3n", "s3",
          "gcs", "gs",
          "abfs", "az",
          "abfss", "az",
          "wasb", "az",
          "wasbs", "az",
          "azure", "az");

  private static final List<String> SUPPORTED =
      List.of(
          "a local path",
          "file:///abs/path",
          "s3://bucket/path",
          "gs://bucket/path",
          "az://container/path");

  /**
   * Parses a database location.
   *
   * @param input the path or URI the user gave
   * @return where the database is
   * @throws InvalidInputException naming the input, what is wrong and the right form
   */
  public static DatabaseUri parse(String input) {
    if (input == null || input.isBlank()) {
      throw new InvalidInputException(
          "Geneva.connect needs a database location: a local path such as /data/db, a file URI"
              + " such as file:///data/db, or s3://bucket/db, gs://bucket/db, az://container/db");
    }
    if (!input.equals(input.strip())) {
      throw refuse(input, "it starts or ends with whitespace", "\"" + input.strip() + "\"");
    }
    Matcher m = SCHEME.matcher(input);
    if (m.matches() && !isWindowsDrive(m.group(1), m.group(2))) {
      String scheme = m.group(1).toLowerCase(Locale.ROOT);
      String rest = m.group(2);
      if (scheme.equals("file")) {
        return file(input);
      }
      if (STORES.containsKey(scheme)) {
        return store(input, scheme, rest);
      }
      if (ALIASES.containsKey(scheme)) {
        String to = ALIASES.get(scheme);
        throw refuse(
            input,
            "Lance reaches this store with the '" + to + "' scheme, not '" + scheme + "'",
            STORES.get(to));
      }
      throw new InvalidInputException(
          "Geneva.connect: unsupported URI scheme '"
              + scheme
              + "' in "
              + UriRedaction.redact(input)
              + "; use a local path or one of "
              + STORES.keySet().stream().sorted().map(s -> s + "://").toList()
              + " or file:///abs/path"
              + (rest.startsWith("//")
                  ? ""
                  : ". For a local folder whose name contains ':', write ./" + input));
    }
    for (String scheme : STORES.keySet()) {
      if (input.toLowerCase(Locale.ROOT).startsWith(scheme + "//")) {
        throw refuse(
            input,
            "it looks like a " + scheme + " URI without the ':'",
            scheme + "://" + input.substring(scheme.length() + 2));
      }
    }
    if (input.toLowerCase(Locale.ROOT).startsWith("file//")) {
      throw refuse(input, "it looks like a file URI without the ':'", "file:///abs/path");
    }
    try {
      Path local = Paths.get(input).toAbsolutePath().normalize();
      return new DatabaseUri(local.toString(), local);
    } catch (InvalidPathException e) {
      throw refuse(input, "it is not a valid local path (" + e.getMessage() + ")", "/data/db");
    }
  }

  private static boolean isWindowsDrive(String scheme, String rest) {
    return File.separatorChar == '\\'
        && scheme.length() == 1
        && (rest.startsWith("\\") || rest.startsWith("/"));
  }

  private static DatabaseUri file(String input) {
    URI u;
    try {
      u = new URI(input);
    } catch (URISyntaxException e) {
      throw refuse(
          input,
          "it is not a valid URI ("
              + e.getMessage()
              + "); percent-encode spaces and '%' as Path.toUri() does, or pass a plain path",
          "file:///data/my%20db");
    }
    if (u.isOpaque()) {
      throw refuse(
          input,
          "a file URI names an absolute path; for a relative folder pass the plain path '"
              + u.getSchemeSpecificPart()
              + "'",
          "file:///data/db");
    }
    String host = u.getRawAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw refuse(
          input,
          "'"
              + host
              + "' after file:// is a host name, and file URIs can only name this machine: write"
              + " three slashes before an absolute path, or pass a relative folder as a plain path"
              + " ('"
              + host
              + Optional.ofNullable(u.getRawPath()).orElse("")
              + "')",
          "file:///data/db");
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw refuse(
          input, "a file URI cannot have a '?' query or a '#' fragment", "file:///data/db");
    }
    if (u.getRawPath() == null || u.getRawPath().isEmpty()) {
      throw refuse(input, "it names no path", "file:///data/db");
    }
    Path local;
    try {
      // Decodes %20 and friends; the host (empty or localhost) is dropped first.
      local = Paths.get(URI.create("file://" + u.getRawPath())).normalize();
    } catch (IllegalArgumentException e) {
      throw refuse(input, "it is not a valid file URI (" + e.getMessage() + ")", "file:///data/db");
    }
    return new DatabaseUri(local.toString(), local);
  }

  private static DatabaseUri store(String input, String scheme, String rest) {
    String example = STORES.get(scheme);
    if (!rest.startsWith("//")) {
      throw refuse(input, "the '//' after '" + scheme + ":' is missing", example);
    }
    String afterSlashes = rest.substring(2);
    int slash = afterSlashes.indexOf('/');
    String bucket = slash < 0 ? afterSlashes : afterSlashes.substring(0, slash);
    if (!scheme.equals("memory") && bucket.isEmpty()) {
      throw refuse(
          input,
          "the "
              + (scheme.equals("az") ? "container" : "bucket")
              + " name is missing after '"
              + scheme
              + "://'",
          example);
    }
    String uri = input;
    while (uri.endsWith("/") && uri.length() > scheme.length() + 3) {
      uri = uri.substring(0, uri.length() - 1);
    }
    return new DatabaseUri(uri, null);
  }

  private static InvalidInputException refuse(String input, String problem, String example) {
    return new InvalidInputException(
        "Geneva.connect: cannot use '"
            + UriRedaction.redact(input)
            + "' as a database location: "
            + problem
            + ". Write it like "
            + example
            + " (supported: "
            + String.join(", ", SUPPORTED)
            + ")");
  }
}
