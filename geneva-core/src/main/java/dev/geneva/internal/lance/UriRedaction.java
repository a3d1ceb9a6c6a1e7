package dev.geneva.internal.lance;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the secrets a database or table URI can carry — user info ({@code s3://KEY:SECRET@bucket})
 * and query values ({@code az://c/db?sig=...}) — wherever Geneva prints a URI: {@code toString()},
 * exception messages and log lines. Lance and OpenDAL messages that echo the URI are scrubbed too.
 */
public final class UriRedaction {
  private static final String MASK = "***";
  private static final Pattern SCHEME_AUTHORITY =
      Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)(.*)$", Pattern.DOTALL);

  private UriRedaction() {}

  /**
   * The URI with its user info and query values replaced by {@code ***}, e.g. {@code
   * s3://***@bucket/db} and {@code az://c/db?sig=***}; a URI without them (or a local path) is
   * returned unchanged.
   *
   * @param uri a URI or path, or null
   * @return the URI safe to print
   */
  public static String redact(String uri) {
    if (uri == null) {
      return null;
    }
    String out = uri;
    Matcher m = SCHEME_AUTHORITY.matcher(out);
    if (m.matches()) {
      String authority = m.group(2);
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        out = m.group(1) + MASK + authority.substring(at) + m.group(3);
      }
      int q = out.indexOf('?');
      if (q >= 0) {
        out = out.substring(0, q + 1) + redactQuery(out.substring(q + 1));
      }
    }
    return out;
  }

  private static String redactQuery(String query) {
    int hash = query.indexOf('#');
    String fragment = hash < 0 ? "" : query.substring(hash);
    String body = hash < 0 ? query : query.substring(0, hash);
    StringBuilder b = new StringBuilder();
    for (String pair : body.split("&", -1)) {
      if (b.length() > 0) {
        b.append('&');
      }
      int eq = pair.indexOf('=');
      b.append(eq < 0 ? pair : pair.substring(0, eq + 1) + MASK);
    }
    return b + fragment;
  }

  /**
   * A text (typically a Lance or OpenDAL error message) with the URI and each secret it carries
   * replaced: the URI by its {@linkplain #redact redacted} form, and any user info or query value
   * of it that appears on its own (raw or percent-decoded) by {@code ***}.
   *
   * @param text the text, or null
   * @param uri the URI whose secrets must not appear, or null
   * @return the text safe to print
   */
  public static String scrub(String text, String uri) {
    if (text == null || uri == null) {
      return text;
    }
    String redacted = redact(uri);
    if (redacted.equals(uri)) {
      return text;
    }
    String out = text.replace(uri, redacted);
    for (String secret : secrets(uri)) {
      out = out.replace(secret, MASK);
    }
    return out;
  }

  /** The user info (whole and by part) and query values of a URI, longest first. */
  private static Set<String> secrets(String uri) {
    Set<String> secrets = new LinkedHashSet<>();
    Matcher m = SCHEME_AUTHORITY.matcher(uri);
    if (!m.matches()) {
      return secrets;
    }
    String authority = m.group(2);
    int at = authority.lastIndexOf('@');
    if (at > 0) {
      String userInfo = authority.substring(0, at);
      addWithDecoded(secrets, userInfo);
      for (String part : userInfo.split(":")) {
        addWithDecoded(secrets, part);
      }
    }
    int q = uri.indexOf('?');
    if (q >= 0) {
      String query = uri.substring(q + 1);
      int hash = query.indexOf('#');
      for (String pair : (hash < 0 ? query : query.substring(0, hash)).split("&")) {
        int eq = pair.indexOf('=');
        if (eq >= 0) {
          addWithDecoded(secrets, pair.substring(eq + 1));
        }
      }
    }
    Set<String> longestFirst = new LinkedHashSet<>();
    secrets.stream()
        .sorted((a, b) -> Integer.compare(b.length(), a.length()))
        .forEach(longestFirst::add);
    return longestFirst;
  }

  private static void addWithDecoded(Set<String> secrets, String value) {
    // Very short values ("1", "rw") are not secrets and would blank out unrelated text.
    if (value.length() < 4) {
      return;
    }
    secrets.add(value);
    try {
      String decoded = URLDecoder.decode(value, StandardCharsets.UTF_8);
      if (decoded.length() >= 4) {
        secrets.add(decoded);
      }
    } catch (IllegalArgumentException e) {
      // Not percent-encoded after all: the raw value is covered.
    }
  }
}
