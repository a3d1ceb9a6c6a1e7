package dev.geneva.testing;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;

/** A separate JVM running a slow backfill and printing each finished task, to be killed. */
public final class BackfillProcess {
  private BackfillProcess() {}

  /** Options shared by the killed run and the rerun, so their checkpoints match. */
  public static BackfillOptions options() {
    return BackfillOptions.builder()
        .concurrency(1)
        .rowsPerTask(250)
        .batchSize(50)
        .commitEvery(1000)
        .build();
  }

  /** Args: database directory, table, column. */
  public static void main(String[] args) {
    try (Connection db = Geneva.connect(args[0])) {
      db.openTable(args[1])
          .backfill(
              args[2],
              options().toBuilder()
                  .listener(p -> System.out.println("tasks-done " + p.tasksDone()))
                  .build());
    }
  }
}
