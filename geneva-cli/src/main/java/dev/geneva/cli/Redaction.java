package dev.geneva.cli;

import java.net.URI;
import java.net.URISyntaxException;

/** Hides what may be a secret in what the CLI prints. */
final class Redaction {
  private Redaction() {}

  /**
   * A URI with its user info, query and fragment (passwords, presigned signatures, tokens) replaced
   * by {@code ***}; a string that is not a URI is hidden whole unless it holds none of {@code @?#}.
   */
  static String uri(String text) {
    try {
      URI u = new URI(text);
      if (u.getRawUserInfo() == null && u.getRawQuery() == null && u.getRawFragment() == null) {
        return text;
      }
      StringBuilder b = new StringBuilder();
      if (u.getScheme() != null) {
        b.append(u.getScheme()).append(':');
      }
      if (u.getRawAuthority() != null) {
        b.append("//");
        String authority = u.getRawAuthority();
        if (u.getRawUserInfo() != null) {
          b.append("***@");
        }
        b.append(authority.substring(authority.lastIndexOf('@') + 1));
      }
      b.append(u.getRawPath() == null ? "" : u.getRawPath());
      if (u.getRawQuery() != null) {
        b.append("?***");
      }
      if (u.getRawFragment() != null) {
        b.append("#***");
      }
      return b.toString();
    } catch (URISyntaxException e) {
      return text.matches("[^@?#]*") ? text : "***";
    }
  }
}
