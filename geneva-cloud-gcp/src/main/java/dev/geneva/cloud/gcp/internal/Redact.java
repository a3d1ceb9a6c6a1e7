package dev.geneva.cloud.gcp.internal;

import java.util.regex.Pattern;

/**
 * Removes anything that looks like a credential from text that came from a server or a library,
 * before it goes into an exception message or a log line. Not API.
 */
public final class Redact {
  private static final Pattern[] SECRETS = {
    // Google OAuth access tokens.
    Pattern.compile("ya29\\.[A-Za-z0-9_\\-.]+"),
    // JWTs (assertions, ID tokens): three base64url segments, the first starting with "eyJ".
    Pattern.compile("eyJ[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]*)?"),
    // Bearer headers of any token format.
    Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9_\\-.~+/=]+"),
    // PEM private keys, also JSON-escaped.
    Pattern.compile(
        "-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", Pattern.DOTALL),
    // JSON fields that carry secrets.
    Pattern.compile(
        "(?i)(\"(access_token|id_token|refresh_token|private_key|assertion|client_secret)\"\\s*:\\s*\")"
            + "[^\"]*"),
  };

  private Redact() {}

  /**
   * The text with credentials replaced by {@code <redacted>}.
   *
   * @param text any text, or null
   * @return the redacted text ({@code ""} for null)
   */
  public static String secrets(String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    for (Pattern p : SECRETS) {
      out =
          p.matcher(out)
              .replaceAll(
                  m -> m.groupCount() >= 1 && m.group(1) != null ? "$1<redacted>" : "<redacted>");
    }
    return out;
  }

  /**
   * A short, credential-free description of a failure: its type and redacted message.
   *
   * @param t the failure
   * @return e.g. {@code IOException: Connection refused}
   */
  public static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + firstLine(secrets(message)));
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 500 ? line.substring(0, 500) + "..." : line;
  }
}
