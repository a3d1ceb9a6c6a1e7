package dev.geneva.ray.internal;

import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskResult;
import dev.geneva.spi.TaskRunner;
import dev.geneva.spi.UdtfTask;
import dev.geneva.spi.UdtfTaskResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ray actor that runs the tasks of a stateful UDF: its worker keeps one {@link TaskRunner} (so
 * the UDF is opened once, on the worker's first task) until {@link #close}.
 *
 * <p>The worker's state is looked up by the worker id passed with every call, never held in the
 * actor instance: Ray 2.39's LOCAL mode runs all actors in one JVM with one shared {@code
 * TaskExecutor} whose current actor context is a single field, so when two actors' tasks start at
 * the same time a task can be invoked on <em>another</em> actor's instance (still on its own
 * actor's thread). Keyed by worker id, each call reaches the right runner whichever instance Ray
 * picks. In CLUSTER mode each actor is its own JVM and holds just its own worker.
 */
public final class RayTaskActor {
  private static final Logger LOG = LoggerFactory.getLogger(RayTaskActor.class);

  /** Workers of this JVM by worker id; a closed worker stays as a tombstone until forgotten. */
  private static final Map<String, Worker> WORKERS = new ConcurrentHashMap<>();

  private final String session;
  private final String workerId;

  /**
   * Creates the actor; nothing is opened until the first task.
   *
   * @param session the id of the session that owns the actor
   * @param workerId the worker name passed to the UDF
   */
  public RayTaskActor(String session, String workerId) {
    this.session = session;
    this.workerId = workerId;
  }

  /**
   * The factory Ray calls to create the actor.
   *
   * @param session the id of the session that owns the actor
   * @param workerId the worker name passed to the UDF
   * @return the actor
   */
  public static RayTaskActor create(String session, String workerId) {
    return new RayTaskActor(session, workerId);
  }

  /**
   * Runs tasks (one, or the parts of a packed call) in order with the worker's runner.
   *
   * @param session the id of the session that owns the worker
   * @param workerId the worker (the id the actor was created with)
   * @param encodedTasks tasks encoded with {@link BackfillTask#toBytes(List)}
   * @return the results encoded with {@link TaskResult#toBytes(List)}
   */
  public byte[] runAll(String session, String workerId, byte[] encodedTasks) {
    traceMisroute("runAll", workerId);
    return WORKERS
        .computeIfAbsent(workerId, Worker::new)
        .run(
            session,
            runner ->
                TaskResult.toBytes(
                    runner.runAll(BackfillTask.listFromBytes(encodedTasks), rows -> {})));
  }

  /**
   * Runs UDTF tasks (a view's expansion of source fragments) in order with the worker's runner, so
   * a stateful UDTF is opened once per actor.
   *
   * @param session the id of the session that owns the worker
   * @param workerId the worker (the id the actor was created with)
   * @param encodedTasks tasks encoded with {@link UdtfTask#toBytes(List)}
   * @return the results encoded with {@link UdtfTaskResult#toBytes(List)}
   */
  public byte[] runUdtf(String session, String workerId, byte[] encodedTasks) {
    traceMisroute("runUdtf", workerId);
    return WORKERS
        .computeIfAbsent(workerId, Worker::new)
        .run(
            session,
            runner ->
                UdtfTaskResult.toBytes(
                    runner.runUdtf(UdtfTask.listFromBytes(encodedTasks), rows -> {})));
  }

  /**
   * Closes the worker's UDF instances, tables and allocator. Safe to call twice; a worker closed
   * before its first task never opens anything.
   *
   * @param workerId the worker (the id the actor was created with)
   * @return true
   */
  public boolean close(String workerId) {
    traceMisroute("close", workerId);
    WORKERS.computeIfAbsent(workerId, Worker::new).close();
    return true;
  }

  /**
   * Drops the tombstone of a closed worker of this JVM, once no call for it can arrive any more.
   *
   * @param workerId the worker
   */
  static void forget(String workerId) {
    WORKERS.computeIfPresent(workerId, (id, w) -> w.isClosed() ? null : w);
  }

  /** Whether this JVM holds a worker (open or closed) with that id; for tests. */
  static boolean holds(String workerId) {
    return WORKERS.containsKey(workerId);
  }

  private void traceMisroute(String method, String target) {
    if (!target.equals(workerId) && LOG.isDebugEnabled()) {
      LOG.debug(
          "Ray invoked {} for worker {} on the instance of {} (session {}); using {}'s state",
          method,
          target,
          workerId,
          session,
          target);
    }
  }

  /** One worker's runner; Ray calls one of its methods at a time, the lock makes sure of it. */
  private static final class Worker {
    private final String workerId;
    private RootAllocator allocator;
    private TaskRunner runner;
    private boolean closed;

    Worker(String workerId) {
      this.workerId = workerId;
    }

    synchronized boolean isClosed() {
      return closed;
    }

    synchronized byte[] run(String session, Function<TaskRunner, byte[]> work) {
      if (closed) {
        throw new IllegalStateException("Ray actor " + workerId + " is closed");
      }
      if (runner == null) {
        allocator = new RootAllocator();
        runner = new TaskRunner(allocator, workerId);
      }
      LocalCancellation.enter(session);
      try {
        return work.apply(runner);
      } finally {
        LocalCancellation.exit(session);
      }
    }

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (runner != null) {
          runner.close();
        }
      } finally {
        runner = null;
        if (allocator != null) {
          allocator.close();
          allocator = null;
        }
        LOG.debug("Ray actor {} closed", workerId);
      }
    }
  }
}
