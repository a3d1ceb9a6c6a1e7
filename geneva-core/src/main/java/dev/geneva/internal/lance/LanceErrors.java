package dev.geneva.internal.lance;

/** Classifies the exceptions lance-core throws, which carry their kind only in the message. */
public final class LanceErrors {
  private LanceErrors() {}

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
