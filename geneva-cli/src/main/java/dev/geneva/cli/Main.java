package dev.geneva.cli;

/** The {@code geneva} command's entry point: runs {@link GenevaCli} and exits with its code. */
public final class Main {
  private Main() {}

  /**
   * Runs the command line and exits the JVM with the command's exit code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    // Ray configures log4j programmatically; keep log4j's own status chatter off the terminal.
    if (System.getProperty("log4j2.statusLoggerLevel") == null) {
      System.setProperty("log4j2.statusLoggerLevel", "OFF");
    }
    System.exit(GenevaCli.run(args));
  }
}
