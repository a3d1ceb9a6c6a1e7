package dev.geneva.testing;

import dev.geneva.Connection;
import dev.geneva.Geneva;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A separate JVM refreshing a view, to be killed. Args: database directory, view. */
public final class RefreshProcess {
  private RefreshProcess() {}

  /** Refreshes the view. */
  public static void main(String[] args) {
    try (Connection db = Geneva.connect(args[0])) {
      db.openMaterializedView(args[1]).refresh();
    }
  }

  /**
   * Starts a JVM refreshing a view, with this JVM's class path and {@code --add-opens} flags (so
   * embedded Ray starts in it when geneva-ray is on the class path); its output is discarded.
   */
  public static Process start(Path database, String view) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(ChildJvm.tmpDirFlag(database));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens"))
        .forEach(command::add);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            RefreshProcess.class.getName(),
            database.toString(),
            view));
    return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }
}
