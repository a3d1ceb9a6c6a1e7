package dev.geneva.testing;

import dev.geneva.Connection;
import dev.geneva.Geneva;

/** A separate JVM refreshing a view, to be killed. Args: database directory, view. */
public final class RefreshProcess {
  private RefreshProcess() {}

  /**
   * Starts this class in a new JVM with the test's class path, its output discarded.
   *
   * @param database the database directory
   * @param view the view to refresh
   * @return the process
   */
  public static Process start(java.nio.file.Path database, String view) throws java.io.IOException {
    java.util.List<String> command =
        java.util.List.of(
            java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            RefreshProcess.class.getName(),
            database.toString(),
            view);
    return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Refreshes the view. */
  public static void main(String[] args) {
    try (Connection db = Geneva.connect(args[0])) {
      db.openMaterializedView(args[1]).refresh();
    }
  }
}
