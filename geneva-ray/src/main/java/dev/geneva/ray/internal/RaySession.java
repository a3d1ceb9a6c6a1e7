package dev.geneva.ray.internal;

import dev.geneva.GenevaException;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import dev.geneva.spi.TaskResult;
import dev.geneva.spi.UdtfTask;
import dev.geneva.spi.UdtfTaskResult;
import dev.geneva.udf.Resources;
import io.ray.api.ActorHandle;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.WaitResult;
import io.ray.api.call.ActorCreator;
import io.ray.api.call.TaskCaller;
import io.ray.api.id.ObjectId;
import io.ray.runtime.object.ObjectRefImpl;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ray workers of one backfill: a Ray task per backfill task for stateless UDFs, or a pool of up
 * to {@code concurrency} {@link RayTaskActor}s for stateful ones. One waiter thread watches the
 * outstanding object refs with {@link Ray#wait} and completes the futures.
 */
public final class RaySession implements ExecutorSession {
  /** The driver's system property naming the custom resource of CPU-only workers. */
  public static final String CPU_ONLY_PROPERTY = DriverArgs.CPU_ONLY_RESOURCE_PROPERTY;

  private static final Logger LOG = LoggerFactory.getLogger(RaySession.class);
  private static final int POLL_MILLIS = 100;

  private final SessionSpec spec;
  private final String name;
  private final Duration closeTimeout;
  private final boolean local;
  private final Consumer<RaySession> onClose;
  private final Object lock = new Object();
  private final Object closeLock = new Object();

  // Guarded by lock.
  private final Map<ObjectId, Pending<?>> pending = new LinkedHashMap<>();
  private final Deque<Pending<?>> queued = new ArrayDeque<>();
  private final List<ActorHandle<RayTaskActor>> actors = new ArrayList<>();
  private final List<String> workerIds = new ArrayList<>();
  private final Set<Integer> deadActors = new HashSet<>();
  private final Deque<Integer> idleActors = new ArrayDeque<>();
  private Thread waiter;
  private boolean closed;

  /** What one call runs: backfill tasks or UDTF tasks, with how to send and decode them. */
  private static final class Pending<R> {
    final boolean udtf;
    final byte[] encoded;
    final Function<Throwable, Throwable> failure;
    final Function<byte[], List<R>> decode;
    final ToLongFunction<R> rows;
    final CompletableFuture<List<R>> future = new CompletableFuture<>();
    final LongConsumer rowsDone;
    ObjectRef<byte[]> ref;
    int actor = -1;

    Pending(
        boolean udtf,
        byte[] encoded,
        Function<Throwable, Throwable> failure,
        Function<byte[], List<R>> decode,
        ToLongFunction<R> rows,
        LongConsumer rowsDone) {
      this.udtf = udtf;
      this.encoded = encoded;
      this.failure = failure;
      this.decode = decode;
      this.rows = rows;
      this.rowsDone = rowsDone;
    }

    /** Decodes the results and completes the future; the failure when they cannot be decoded. */
    Throwable complete(byte[] bytes) {
      List<R> result;
      try {
        result = decode.apply(bytes);
      } catch (Throwable t) {
        return failure.apply(t);
      }
      if (!future.isDone()) {
        try {
          rowsDone.accept(result.stream().mapToLong(rows).sum());
        } catch (RuntimeException e) {
          LOG.warn("progress callback threw; ignoring", e);
        }
      }
      future.complete(result);
      return null;
    }
  }

  /**
   * Opens a session; Ray must be running.
   *
   * @param spec what the backfill needs
   * @param name a name for threads, actors and logs
   * @param closeTimeout how long {@link #close()} waits for the actors to close their UDFs
   * @param onClose called once when the session closes
   */
  public RaySession(
      SessionSpec spec, String name, Duration closeTimeout, Consumer<RaySession> onClose) {
    this.spec = spec;
    this.name = name;
    this.closeTimeout = closeTimeout;
    this.onClose = onClose;
    this.local = RayRuntimes.isLocal();
  }

  @Override
  public CompletableFuture<TaskResult> submit(BackfillTask task, LongConsumer rowsDone) {
    CompletableFuture<TaskResult> one = new CompletableFuture<>();
    submitAll(List.of(task), rowsDone)
        .whenComplete(
            (results, failure) -> {
              if (failure != null) {
                one.completeExceptionally(failure);
              } else {
                one.complete(results.get(0));
              }
            });
    return one;
  }

  /** One Ray task, or one actor call, runs all the parts: one round trip, the table opened once. */
  @Override
  public CompletableFuture<List<TaskResult>> submitAll(
      List<BackfillTask> tasks, LongConsumer rowsDone) {
    List<BackfillTask> parts = List.copyOf(tasks);
    return submit(
        new Pending<>(
            false,
            BackfillTask.toBytes(parts),
            e -> RayFailures.map(e, parts),
            TaskResult::listFromBytes,
            TaskResult::rowsComputed,
            rowsDone));
  }

  /**
   * Runs UDTF tasks in one Ray task (or, for a stateful UDTF, one call of one of the session's
   * actors) with the session's resources, so the UDTF runs in a Ray worker.
   */
  @Override
  public CompletableFuture<List<UdtfTaskResult>> submitUdtf(
      List<UdtfTask> tasks, LongConsumer rowsDone) {
    List<UdtfTask> parts = List.copyOf(tasks);
    return submit(
        new Pending<>(
            true,
            UdtfTask.toBytes(parts),
            e -> RayFailures.mapUdtf(e, parts),
            UdtfTaskResult::listFromBytes,
            UdtfTaskResult::sourceRows,
            rowsDone));
  }

  private <R> CompletableFuture<List<R>> submit(Pending<R> p) {
    synchronized (lock) {
      if (closed) {
        p.future.completeExceptionally(new CancellationException("session " + name + " closed"));
        return p.future;
      }
      try {
        if (spec.stateful()) {
          int actor = idleActor();
          if (actor < 0) {
            queued.add(p);
          } else {
            dispatch(p, actor);
          }
        } else {
          TaskCaller<byte[]> call =
              p.udtf
                  ? Ray.task(RayTasks::runUdtfTasks, p.encoded, name)
                  : Ray.task(RayTasks::runTasks, p.encoded, name);
          withResources(call, spec.resources());
          p.ref = call.remote();
          pending.put(id(p.ref), p);
        }
      } catch (RuntimeException e) {
        p.future.completeExceptionally(p.failure.apply(e));
        return p.future;
      }
      startWaiter();
      lock.notifyAll();
    }
    return p.future;
  }

  private static ObjectId id(ObjectRef<?> ref) {
    return ((ObjectRefImpl<?>) ref).getId();
  }

  private void withResources(TaskCaller<byte[]> call, Resources r) {
    call.setResource("CPU", r.cpus());
    if (r.gpus() > 0) {
      call.setResource("GPU", r.gpus());
    }
    cpuOnlyResource(r).ifPresent(name -> call.setResource(name, 1.0));
    if (r.memoryBytes() > 0) {
      call.setResource("memory", (double) r.memoryBytes());
    }
  }

  private void withResources(ActorCreator<RayTaskActor> call, Resources r) {
    call.setResource("CPU", r.cpus());
    if (r.gpus() > 0) {
      call.setResource("GPU", r.gpus());
    }
    cpuOnlyResource(r).ifPresent(name -> call.setResource(name, 1.0));
    if (r.memoryBytes() > 0) {
      call.setResource("memory", (double) r.memoryBytes());
    }
  }

  /**
   * The custom resource that keeps work without GPUs off GPU workers, as Geneva does: on a cluster
   * whose CPU worker groups advertise it, the job's driver gets its name in the system property
   * {@value #CPU_ONLY_PROPERTY}. Never in LOCAL mode, and never for work that needs GPUs.
   */
  private Optional<String> cpuOnlyResource(Resources r) {
    return cpuOnlyResource(local, r, System.getProperty(CPU_ONLY_PROPERTY));
  }

  static Optional<String> cpuOnlyResource(boolean local, Resources r, String property) {
    String name = property == null ? "" : property.strip();
    return local || r.gpus() > 0 || name.isEmpty() ? Optional.empty() : Optional.of(name);
  }

  /** An idle live actor, creating one while fewer than {@code concurrency} live; -1 if none. */
  private int idleActor() {
    Integer idle = idleActors.poll();
    if (idle != null) {
      return idle;
    }
    if (actors.size() - deadActors.size() >= spec.concurrency()) {
      return -1;
    }
    String workerId = name + "-actor-" + actors.size();
    ActorCreator<RayTaskActor> creator = Ray.actor(RayTaskActor::create, name, workerId);
    withResources(creator, spec.resources());
    actors.add(creator.remote());
    workerIds.add(workerId);
    LOG.debug("created Ray actor {}", workerId);
    return actors.size() - 1;
  }

  private void dispatch(Pending<?> p, int actor) {
    p.actor = actor;
    // The worker id travels with every call: in LOCAL mode Ray may invoke it on another actor's
    // instance (see RayTaskActor).
    ActorHandle<RayTaskActor> handle = actors.get(actor);
    p.ref =
        p.udtf
            ? handle.task(RayTaskActor::runUdtf, name, workerIds.get(actor), p.encoded).remote()
            : handle.task(RayTaskActor::runAll, name, workerIds.get(actor), p.encoded).remote();
    pending.put(id(p.ref), p);
  }

  private void startWaiter() {
    if (waiter == null) {
      waiter = new Thread(this::waitLoop, "geneva-ray-waiter-" + name);
      waiter.setDaemon(true);
      waiter.start();
    }
  }

  private void waitLoop() {
    while (true) {
      List<Pending<?>> watching;
      synchronized (lock) {
        while (!closed && pending.isEmpty()) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            if (closed) {
              return;
            }
          }
        }
        if (closed) {
          return;
        }
        watching = new ArrayList<>(pending.values());
      }
      List<ObjectRef<byte[]>> refs = new ArrayList<>(watching.size());
      watching.forEach(p -> refs.add(p.ref));
      List<ObjectRef<byte[]>> ready;
      try {
        WaitResult<byte[]> result = Ray.wait(refs, 1, POLL_MILLIS);
        ready = result.getReady();
      } catch (RuntimeException e) {
        // Ray itself is gone (shut down underneath us): fail everything outstanding.
        if (isClosed()) {
          return;
        }
        LOG.warn("Ray.wait failed in session {}: {}", name, e.toString());
        ready = refs;
      }
      for (ObjectRef<byte[]> ref : ready) {
        Pending<?> p;
        synchronized (lock) {
          p = pending.remove(id(ref));
        }
        if (p != null) {
          finish(p);
        }
      }
    }
  }

  private void finish(Pending<?> p) {
    byte[] bytes = null;
    Throwable failure = null;
    try {
      bytes = p.ref.get();
    } catch (Throwable t) {
      failure = p.failure.apply(t);
      if (p.actor >= 0 && RayFailures.isActorDeath(t)) {
        synchronized (lock) {
          deadActors.add(p.actor);
        }
        LOG.warn("Ray actor {}-actor-{} died: {}", name, p.actor, t.toString());
      }
    }
    if (p.actor >= 0) {
      releaseActor(p.actor);
    }
    if (failure == null) {
      failure = p.complete(bytes);
    }
    if (failure != null) {
      p.future.completeExceptionally(failure);
    }
  }

  /** Marks the actor idle (before the future completes, so the next submit finds it). */
  private void releaseActor(int actor) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (!deadActors.contains(actor)) {
        idleActors.add(actor);
      }
      while (!queued.isEmpty()) {
        int next = idleActor();
        if (next < 0) {
          break;
        }
        Pending<?> q = queued.poll();
        try {
          dispatch(q, next);
        } catch (RuntimeException e) {
          idleActors.addFirst(next);
          q.future.completeExceptionally(q.failure.apply(e));
        }
      }
      lock.notifyAll();
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * Cancels outstanding tasks (their futures complete with {@link CancellationException}; Ray Java
   * cannot interrupt a running task, so it finishes in the background and its result is dropped),
   * then closes every actor's UDFs and kills the actors. Safe to call twice and from any thread.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      List<Pending<?>> cancelled = new ArrayList<>();
      Map<String, ActorHandle<RayTaskActor>> toClose = new LinkedHashMap<>();
      Thread waitingThread;
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        cancelled.addAll(pending.values());
        cancelled.addAll(queued);
        pending.clear();
        queued.clear();
        for (int i = 0; i < actors.size(); i++) {
          if (!deadActors.contains(i)) {
            toClose.put(workerIds.get(i), actors.get(i));
          }
        }
        waitingThread = waiter;
        lock.notifyAll();
      }
      for (Pending<?> p : cancelled) {
        p.future.completeExceptionally(
            new CancellationException("session " + name + " closed before task finished"));
      }
      if (waitingThread != null && waitingThread != Thread.currentThread()) {
        try {
          waitingThread.join(POLL_MILLIS * 20L);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        boolean stopped = stopRunning(cancelled);
        RuntimeException failure = null;
        try {
          closeActors(toClose, stopped);
        } catch (RuntimeException e) {
          failure = e;
        }
        if (local) {
          // The session's stateless tasks ran in this JVM: close the runners kept for them.
          try {
            RayTasks.closeSession(name);
          } catch (RuntimeException e) {
            if (failure == null) {
              failure = e;
            } else {
              failure.addSuppressed(e);
            }
          }
        }
        if (failure != null) {
          throw failure;
        }
      } finally {
        onClose.accept(this);
      }
    }
  }

  /**
   * In LOCAL mode, interrupts the cancelled tasks still running in this JVM and waits for them (at
   * most the close timeout), so nothing writes to the table once the session is closed. Ray Java
   * cannot cancel tasks on a cluster: there they run to the end and their results are dropped.
   */
  private boolean stopRunning(List<Pending<?>> cancelled) {
    List<ObjectRef<byte[]>> running = new ArrayList<>();
    for (Pending<?> p : cancelled) {
      if (p.ref != null) {
        running.add(p.ref);
      }
    }
    if (!local) {
      if (!running.isEmpty()) {
        LOG.info(
            "session {} closed with {} Ray task(s) running; Ray cannot cancel them, their results"
                + " are dropped",
            name,
            running.size());
      }
      return running.isEmpty();
    }
    int interrupted = LocalCancellation.cancel(name);
    boolean finished = true;
    if (!running.isEmpty()) {
      try {
        long millis = Math.min(Integer.MAX_VALUE, closeTimeout.toMillis());
        finished =
            Ray.wait(running, running.size(), (int) millis).getReady().size() == running.size();
      } catch (RuntimeException e) {
        LOG.warn("waiting for the cancelled tasks of session {} failed: {}", name, e.toString());
        finished = false;
      }
    }
    if (finished) {
      LocalCancellation.forget(name);
    } else {
      LOG.warn(
          "{} cancelled task(s) of session {} did not stop within {}",
          running.size(),
          name,
          closeTimeout);
    }
    LOG.debug("session {}: interrupted {} running task(s)", name, interrupted);
    return finished;
  }

  /**
   * Closes every live actor's worker and waits for it (at most the close timeout), then kills the
   * actors. {@code stopped} says whether every task of the session has ended, so that in LOCAL mode
   * the closed workers can be forgotten.
   */
  private void closeActors(Map<String, ActorHandle<RayTaskActor>> toClose, boolean stopped) {
    if (toClose.isEmpty()) {
      return;
    }
    GenevaException failure = null;
    List<ObjectRef<Boolean>> closing = new ArrayList<>();
    for (Map.Entry<String, ActorHandle<RayTaskActor>> actor : toClose.entrySet()) {
      try {
        closing.add(actor.getValue().task(RayTaskActor::close, actor.getKey()).remote());
      } catch (RuntimeException e) {
        failure = addFailure(failure, e);
      }
    }
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    for (ObjectRef<Boolean> ref : closing) {
      long leftMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      try {
        List<ObjectRef<Boolean>> one = List.of(ref);
        if (Ray.wait(one, 1, (int) Math.min(Integer.MAX_VALUE, leftMillis)).getReady().isEmpty()) {
          failure =
              addFailure(
                  failure,
                  new GenevaException(
                      "a Ray actor of session " + name + " did not close within " + closeTimeout));
          continue;
        }
        ref.get();
      } catch (RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause instanceof io.ray.api.exception.RayException) {
          cause = cause.getCause();
        }
        failure =
            addFailure(
                failure,
                new GenevaException(
                    "closing a Ray actor of session " + name + " failed: " + cause.getMessage(),
                    e));
      }
    }
    if (local && stopped && failure == null) {
      // Every call for these workers has run: drop their tombstones from this JVM.
      toClose.keySet().forEach(RayTaskActor::forget);
    }
    for (ActorHandle<RayTaskActor> actor : toClose.values()) {
      try {
        actor.kill();
      } catch (UnsupportedOperationException e) {
        // Ray LOCAL mode cannot kill actors; the closed actor is dropped with Ray's shutdown.
      } catch (RuntimeException e) {
        LOG.warn("killing a Ray actor of session {} failed: {}", name, e.toString());
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static GenevaException addFailure(GenevaException failure, RuntimeException e) {
    if (failure == null) {
      return e instanceof GenevaException g
          ? g
          : new GenevaException("closing Ray actors failed: " + e.getMessage(), e);
    }
    failure.addSuppressed(e);
    return failure;
  }

  @Override
  public String toString() {
    return "RaySession{" + name + ", stateful=" + spec.stateful() + "}";
  }
}
