package dev.geneva.ray.internal;

import dev.geneva.GenevaException;
import dev.geneva.spi.TaskRunner;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle {@link TaskRunner}s of stateless Ray tasks in this JVM, each with its allocator and the
 * table it opened, kept for the next task of the same session: building a runner and opening the
 * table for every Ray task was a fixed cost per task. A runner serves one task at a time (it is
 * taken out while a task runs) and only tasks of the session that created it, so nothing is shared
 * between backfills.
 *
 * <p>Bounded: at most {@code maxIdle} idle runners in the JVM (the least recently used is closed
 * first). A session's runners are closed when the session ends in this JVM ({@link #closeSession},
 * Ray LOCAL mode); on a cluster's workers they are closed when pushed out by newer ones, or with
 * the worker process, which Ray ends with the job.
 */
final class RunnerPool {
  private static final Logger LOG = LoggerFactory.getLogger(RunnerPool.class);

  /** How many ended sessions are remembered, so that a late task closes its runner. */
  private static final int ENDED_SESSIONS = 256;

  /** A runner with the allocator it was built on; both are closed together. */
  record Runner(String session, RootAllocator allocator, TaskRunner runner)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        runner.close();
      } finally {
        allocator.close();
      }
    }
  }

  private final int maxIdle;
  private final Function<String, Runner> factory;

  // Guarded by this; most recently returned first.
  private final LinkedList<Runner> idle = new LinkedList<>();
  private final Map<String, Boolean> ended =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > ENDED_SESSIONS;
        }
      };

  /**
   * @param maxIdle the most idle runners kept
   * @param factory builds a new runner for a session
   */
  RunnerPool(int maxIdle, Function<String, Runner> factory) {
    this.maxIdle = maxIdle;
    this.factory = factory;
  }

  /** A runner for a task of {@code session}: an idle one of that session, or a new one. */
  Runner take(String session) {
    synchronized (this) {
      for (Iterator<Runner> it = idle.iterator(); it.hasNext(); ) {
        Runner r = it.next();
        if (r.session().equals(session)) {
          it.remove();
          return r;
        }
      }
    }
    return factory.apply(session);
  }

  /**
   * Gives back a runner whose task succeeded. It is kept unless its session has ended; the least
   * recently used runners beyond the bound are closed.
   */
  void give(Runner runner) {
    List<Runner> toClose = new ArrayList<>();
    synchronized (this) {
      if (ended.containsKey(runner.session())) {
        toClose.add(runner);
      } else {
        idle.addFirst(runner);
        while (idle.size() > maxIdle) {
          toClose.add(idle.removeLast());
        }
      }
    }
    closeAll(toClose);
  }

  /** Closes a runner whose task failed: a failure may have left its state unusable. */
  void discard(Runner runner) {
    closeAll(List.of(runner));
  }

  /**
   * Closes the idle runners of an ended session; a runner of it still in use is closed when its
   * task gives it back.
   *
   * @throws GenevaException when closing one failed (an allocator still holding memory is a leak)
   */
  void closeSession(String session) {
    List<Runner> toClose = new ArrayList<>();
    synchronized (this) {
      ended.put(session, Boolean.TRUE);
      for (Iterator<Runner> it = idle.iterator(); it.hasNext(); ) {
        Runner r = it.next();
        if (r.session().equals(session)) {
          it.remove();
          toClose.add(r);
        }
      }
    }
    GenevaException failure = null;
    for (Runner r : toClose) {
      try {
        r.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure =
              new GenevaException(
                  "closing the task runners of Ray session " + session + " failed: " + e, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The idle runners, of every session; for tests. */
  synchronized int idleRunners() {
    return idle.size();
  }

  private static void closeAll(List<Runner> runners) {
    for (Runner r : runners) {
      try {
        r.close();
      } catch (RuntimeException e) {
        // A runner holds only this JVM's resources for a finished task: log, do not fail a task.
        LOG.warn("closing an idle task runner of session {} failed: {}", r.session(), e.toString());
      }
    }
  }
}
