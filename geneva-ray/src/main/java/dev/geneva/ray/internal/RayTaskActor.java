package dev.geneva.ray.internal;

import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.TaskRunner;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ray actor that runs the tasks of a stateful UDF: it keeps one {@link TaskRunner} (so the UDF
 * is opened once, on the actor's first task) until {@link #close()}. Ray calls one method at a
 * time.
 */
public final class RayTaskActor {
  private static final Logger LOG = LoggerFactory.getLogger(RayTaskActor.class);

  private final String session;
  private final String workerId;
  private RootAllocator allocator;
  private TaskRunner runner;
  private boolean closed;

  /**
   * Creates the actor's state; nothing is opened until the first task.
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
   * Runs one task with the actor's runner.
   *
   * @param encodedTask a task encoded with {@link BackfillTask#toBytes()}
   * @return the encoded {@link dev.geneva.spi.TaskResult}
   */
  public synchronized byte[] run(byte[] encodedTask) {
    if (closed) {
      throw new IllegalStateException("Ray actor " + workerId + " is closed");
    }
    BackfillTask task = BackfillTask.fromBytes(encodedTask);
    if (runner == null) {
      allocator = new RootAllocator();
      runner = new TaskRunner(allocator, workerId);
    }
    LocalCancellation.enter(session);
    try {
      return runner.run(task, rows -> {}).toBytes();
    } finally {
      LocalCancellation.exit(session);
    }
  }

  /**
   * Closes the UDF instances, tables and the allocator. Safe to call twice.
   *
   * @return true
   */
  public synchronized boolean close() {
    if (closed) {
      return true;
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
    return true;
  }
}
