package dev.geneva.internal.lance;

import dev.geneva.GenevaException;
import java.util.Locale;

/**
 * Classifies the exceptions lance-core throws, which carry their kind only in the message, and
 * translates them into {@link GenevaException}s. Lance's JNI methods also throw checked {@code
 * java.io.IOException}s they do not declare, so callers catch {@code Exception} around Lance calls
 * and hand it to {@link #translate}.
 */
public final class LanceErrors {
  private LanceErrors() {}

  /**
   * Turns a failure of a Lance call into a {@link GenevaException} (returned as is when it already
   * is one) whose message says what failed, Lance's reason with any secret of {@code uri} scrubbed
   * out, and what to check. The failure stays the cause.
   *
   * @param what what was being done, e.g. {@code "cannot open table 'docs' at
   *     s3://b/db/docs.lance"} (with the URI already {@linkplain UriRedaction#redact redacted})
   * @param uri the URI whose secrets must not appear in the message, or null
   * @param e the failure
   * @return the exception to throw
   */
  public static GenevaException translate(String what, String uri, Exception e) {
    if (e instanceof GenevaException g) {
      return g;
    }
    String reason = UriRedaction.scrub(reason(e), uri);
    return new GenevaException(what + ": " + reason + ". " + hint(e), e);
  }

  /**
   * The first useful part of a Lance failure's message: without OpenDAL's backtrace.
   *
   * @param e the failure
   * @return the reason
   */
  public static String reason(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    int backtrace = m.indexOf("Backtrace:");
    if (backtrace > 0) {
      m = m.substring(0, backtrace);
    }
    return m.strip();
  }

  /** What to check, by the kind of failure the message shows. */
  private static String hint(Throwable e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (m.contains("credential")
        || m.contains("account must be specified")
        || m.contains("configinvalid")
        || m.contains("permissiondenied")
        || m.contains("permission denied")
        || m.contains("accessdenied")
        || m.contains("forbidden")
        || m.contains("unauthorized")
        || m.contains("private_key")) {
      return "Check the storage options given to Geneva.connect (credentials, account, region,"
          + " endpoint) and that they may access this location";
    }
    if (m.contains("not a directory") || m.contains("is a directory")) {
      return "Something other than a Lance table is in the way at this path: move or delete it,"
          + " or use another table name";
    }
    if (m.contains("sufficient data")
        || m.contains("manifest")
        || m.contains("corrupt")
        || m.contains("invalid")) {
      return "The table's files look damaged or were not written by Lance: restore the table from"
          + " a backup or an earlier version, or drop it and create it again";
    }
    return "Check that the location is reachable and holds a Lance table, then try again";
  }

  /**
   * Tells whether Lance refused a SQL filter: it does not parse, names a missing column, mixes
   * types or fails on the data — as opposed to the table or its storage failing.
   *
   * @param e the failure
   * @return true when the filter is at fault
   */
  public static boolean isInvalidFilter(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("Invalid user input")
          || m.contains("Schema error")
          || m.contains("sql parser error")
          || m.contains("Error during planning")
          || m.contains("Error applying filter expression")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Tells whether a commit failed because another writer committed first.
   *
   * @param e the failure
   * @return true for a commit conflict worth retrying on the latest version
   */
  public static boolean isCommitConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("conflict") || m.contains("retryable commit")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Tells whether a failure means a file or table does not exist.
   *
   * @param e the failure
   * @return true for "not found"
   */
  public static boolean isNotFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("Not found")
          || m.contains("NotFound")
          || m.contains("not found")
          || m.contains("No such file")
          || m.contains("does not exist")) {
        return true;
      }
    }
    return false;
  }
}
