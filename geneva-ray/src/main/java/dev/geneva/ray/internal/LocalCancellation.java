package dev.geneva.ray.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * Stops the running tasks of a closed session when they run in this JVM (Ray LOCAL mode). Ray Java
 * 2.39 cannot cancel a task and {@code Ray.shutdown()} does not interrupt LOCAL-mode task threads,
 * so each task registers its thread under its session's id and {@link #cancel} interrupts them
 * (Geneva's task loop and the UDF's blocking calls then end with a cancellation). In CLUSTER mode
 * the tasks run in other JVMs and this registry is simply never consulted by the driver.
 */
public final class LocalCancellation {
  private static final Map<String, Set<Thread>> RUNNING = new HashMap<>();
  private static final Set<String> CANCELLED = new HashSet<>();

  private LocalCancellation() {}

  /**
   * Registers the current thread as running a task of {@code session}.
   *
   * @param session the session's id
   * @throws CancellationException when the session was already cancelled
   */
  public static synchronized void enter(String session) {
    if (CANCELLED.contains(session)) {
      throw new CancellationException("session " + session + " was closed before the task started");
    }
    RUNNING.computeIfAbsent(session, k -> new HashSet<>()).add(Thread.currentThread());
  }

  /**
   * Unregisters the current thread; clears an interrupt this class may have caused, so the pooled
   * thread starts its next task clean.
   *
   * @param session the session's id
   */
  public static synchronized void exit(String session) {
    Set<Thread> threads = RUNNING.get(session);
    if (threads != null) {
      threads.remove(Thread.currentThread());
      if (threads.isEmpty()) {
        RUNNING.remove(session);
      }
    }
    if (CANCELLED.contains(session)) {
      Thread.interrupted();
    }
  }

  /**
   * Marks the session cancelled and interrupts its running tasks in this JVM.
   *
   * @param session the session's id
   * @return the number of threads interrupted
   */
  public static synchronized int cancel(String session) {
    CANCELLED.add(session);
    Set<Thread> threads = RUNNING.getOrDefault(session, Set.of());
    threads.forEach(Thread::interrupt);
    return threads.size();
  }

  /**
   * Forgets a cancelled session once none of its tasks can start any more.
   *
   * @param session the session's id
   */
  public static synchronized void forget(String session) {
    CANCELLED.remove(session);
  }
}
