package dev.geneva.ray.internal;

import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskRunner;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Ray task run for a stateless UDF. Arguments and results are plain bytes, so the same code
 * runs in embedded (LOCAL) mode and on a cluster's workers.
 */
public final class RayTasks {
  private RayTasks() {}

  /**
   * Runs one backfill task in the current Ray worker with a runner and an allocator of its own,
   * both closed before returning.
   *
   * @param encodedTask a task encoded with {@link BackfillTask#toBytes()}
   * @param session the id of the session that submitted it (for cancellation in LOCAL mode)
   * @return the task's result encoded with {@link dev.geneva.spi.TaskResult#toBytes()}
   */
  public static byte[] runTask(byte[] encodedTask, String session) {
    BackfillTask task = BackfillTask.fromBytes(encodedTask);
    LocalCancellation.enter(session);
    try (RootAllocator allocator = new RootAllocator();
        TaskRunner runner = new TaskRunner(allocator, session + "-task-" + task.taskId())) {
      return runner.run(task, rows -> {}).toBytes();
    } finally {
      LocalCancellation.exit(session);
    }
  }
}
