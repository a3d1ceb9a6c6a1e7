package dev.geneva.testing.resume;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.internal.engine.LocalThreadExecutor;
import dev.geneva.testing.IdSignature;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A separate JVM running one backfill of a {@link ResumeScenario} on threads, to be killed. Prints
 * {@link #TASKS_DONE} lines as tasks finish and {@link #FINISHED} at the end.
 */
public final class KillableBackfill {
  /** Starts the line that reports finished tasks, followed by their number. */
  public static final String TASKS_DONE = "tasks-done ";

  /** The line printed once the backfill has returned. */
  public static final String FINISHED = "finished";

  private KillableBackfill() {}

  /**
   * Args: database directory, table, column, rows per task, concurrency, batch size, commit every
   * (0: automatic), microseconds per row, null every.
   */
  public static void main(String[] args) {
    IdSignature.DELAY_MICROS.set(Long.parseLong(args[7]));
    IdSignature.NULL_EVERY.set(Long.parseLong(args[8]));
    try (BufferAllocator allocator = new RootAllocator();
        LocalThreadExecutor threads = new LocalThreadExecutor(allocator);
        Connection db = Geneva.connect(args[0])) {
      BackfillOptions.Builder options =
          BackfillOptions.builder()
              .rowsPerTask(Long.parseLong(args[3]))
              .concurrency(Integer.parseInt(args[4]))
              .batchSize(Integer.parseInt(args[5]))
              .executor(threads)
              .listener(p -> System.out.println(TASKS_DONE + p.tasksDone()));
      int commitEvery = Integer.parseInt(args[6]);
      if (commitEvery > 0) {
        options.commitEvery(commitEvery);
      }
      db.openTable(args[1]).backfill(args[2], options.build());
      System.out.println(FINISHED);
    }
  }
}
