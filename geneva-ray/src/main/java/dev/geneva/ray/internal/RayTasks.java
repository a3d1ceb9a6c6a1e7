package dev.geneva.ray.internal;

import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskResult;
import dev.geneva.spi.TaskRunner;
import dev.geneva.spi.UdtfTask;
import dev.geneva.spi.UdtfTaskResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Ray task run for a stateless UDF. Arguments and results are plain bytes, so the same code
 * runs in embedded (LOCAL) mode and on a cluster's workers.
 */
public final class RayTasks {
  /**
   * Idle runners kept per JVM: one per task this JVM runs at once, for a session or two (a runner
   * holds an open table and an allocator, no data between tasks).
   */
  static final int MAX_IDLE_RUNNERS = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());

  private static final AtomicInteger RUNNERS_CREATED = new AtomicInteger();

  /**
   * The runners of this JVM's stateless tasks. Static because Ray calls {@link #runTasks} as a
   * static function in whichever worker JVM it picks; bounded and closed per session.
   */
  private static final RunnerPool POOL = new RunnerPool(MAX_IDLE_RUNNERS, RayTasks::newRunner);

  private RayTasks() {}

  /**
   * Runs backfill tasks (one, or the parts of a packed call) in order in the current Ray worker,
   * with a runner of the session kept in this JVM between its tasks (so the table is opened once
   * per runner, not once per Ray task). A runner whose task failed is closed, not kept.
   *
   * @param encodedTasks tasks encoded with {@link BackfillTask#toBytes(List)}
   * @param session the id of the session that submitted them (for cancellation in LOCAL mode)
   * @return the results encoded with {@link TaskResult#toBytes(List)}
   */
  public static byte[] runTasks(byte[] encodedTasks, String session) {
    List<BackfillTask> tasks = BackfillTask.listFromBytes(encodedTasks);
    return withRunner(session, r -> TaskResult.toBytes(r.runAll(tasks, rows -> {})));
  }

  /**
   * Runs UDTF tasks (a view's expansion of one or more source fragments) in order in the current
   * Ray worker, with a runner of the session's pool as {@link #runTasks} does.
   *
   * @param encodedTasks tasks encoded with {@link UdtfTask#toBytes(List)}
   * @param session the id of the session that submitted them (for cancellation in LOCAL mode)
   * @return the results encoded with {@link UdtfTaskResult#toBytes(List)}
   */
  public static byte[] runUdtfTasks(byte[] encodedTasks, String session) {
    List<UdtfTask> tasks = UdtfTask.listFromBytes(encodedTasks);
    return withRunner(session, r -> UdtfTaskResult.toBytes(r.runUdtf(tasks, rows -> {})));
  }

  /**
   * Runs work with a runner of the session's pool, giving it back afterwards, or closing it when
   * the work failed.
   */
  private static byte[] withRunner(String session, Function<TaskRunner, byte[]> work) {
    LocalCancellation.enter(session);
    try {
      RunnerPool.Runner runner = POOL.take(session);
      byte[] results;
      try {
        results = work.apply(runner.runner());
      } catch (RuntimeException | Error e) {
        POOL.discard(runner);
        throw e;
      }
      POOL.give(runner);
      return results;
    } finally {
      LocalCancellation.exit(session);
    }
  }

  /**
   * Closes the idle runners this JVM keeps for a session that ended; one still running a task is
   * closed when the task ends. Called by the session in LOCAL mode, where its tasks ran in this
   * JVM.
   *
   * @param session the session's id
   */
  static void closeSession(String session) {
    POOL.closeSession(session);
  }

  /** The idle runners this JVM keeps, of every session; for tests. */
  static int idleRunners() {
    return POOL.idleRunners();
  }

  /** How many runners this JVM has built; for tests. */
  static int runnersCreated() {
    return RUNNERS_CREATED.get();
  }

  private static RunnerPool.Runner newRunner(String session) {
    RootAllocator allocator = new RootAllocator();
    try {
      String workerId = session + "-task-runner-" + RUNNERS_CREATED.incrementAndGet();
      return new RunnerPool.Runner(session, allocator, new TaskRunner(allocator, workerId));
    } catch (RuntimeException | Error e) {
      allocator.close();
      throw e;
    }
  }
}
