package dev.geneva.ray.internal;

import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskResult;
import dev.geneva.spi.TaskRunner;
import dev.geneva.spi.UdtfTask;
import dev.geneva.spi.UdtfTaskResult;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Ray task run for a stateless UDF. Arguments and results are plain bytes, so the same code
 * runs in embedded (LOCAL) mode and on a cluster's workers.
 */
public final class RayTasks {
  private RayTasks() {}

  /**
   * Runs backfill tasks (one, or the parts of a packed call) in order in the current Ray worker
   * with a runner and an allocator of their own, both closed before returning: the table is opened
   * once for all of them.
   *
   * @param encodedTasks tasks encoded with {@link BackfillTask#toBytes(List)}
   * @param session the id of the session that submitted them (for cancellation in LOCAL mode)
   * @return the results encoded with {@link TaskResult#toBytes(List)}
   */
  public static byte[] runTasks(byte[] encodedTasks, String session) {
    List<BackfillTask> tasks = BackfillTask.listFromBytes(encodedTasks);
    LocalCancellation.enter(session);
    try (RootAllocator allocator = new RootAllocator();
        TaskRunner runner = new TaskRunner(allocator, session + "-task-" + tasks.get(0).taskId())) {
      return TaskResult.toBytes(runner.runAll(tasks, rows -> {}));
    } finally {
      LocalCancellation.exit(session);
    }
  }

  /**
   * Runs UDTF tasks (a view's expansion of one or more source fragments) in order in the current
   * Ray worker with a runner and an allocator of their own, both closed before returning.
   *
   * @param encodedTasks tasks encoded with {@link UdtfTask#toBytes(List)}
   * @param session the id of the session that submitted them (for cancellation in LOCAL mode)
   * @return the results encoded with {@link UdtfTaskResult#toBytes(List)}
   */
  public static byte[] runUdtfTasks(byte[] encodedTasks, String session) {
    List<UdtfTask> tasks = UdtfTask.listFromBytes(encodedTasks);
    LocalCancellation.enter(session);
    try (RootAllocator allocator = new RootAllocator();
        TaskRunner runner =
            new TaskRunner(allocator, session + "-udtf-task-" + tasks.get(0).taskId())) {
      return UdtfTaskResult.toBytes(runner.runUdtf(tasks, rows -> {}));
    } finally {
      LocalCancellation.exit(session);
    }
  }
}
