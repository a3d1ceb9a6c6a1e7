package dev.geneva.testing;

import dev.geneva.Connection;
import dev.geneva.Geneva;

/** A separate JVM refreshing a view, to be killed. Args: database directory, view. */
public final class RefreshProcess {
  private RefreshProcess() {}

  /** Refreshes the view. */
  public static void main(String[] args) {
    try (Connection db = Geneva.connect(args[0])) {
      db.openMaterializedView(args[1]).refresh();
    }
  }
}
