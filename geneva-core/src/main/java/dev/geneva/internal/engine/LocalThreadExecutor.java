package dev.geneva.internal.engine;

import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import dev.geneva.spi.TaskResult;
import dev.geneva.spi.TaskRunner;
import dev.geneva.spi.UdtfTask;
import dev.geneva.spi.UdtfTaskResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Runs tasks on threads of this JVM: each session has {@code concurrency} worker threads, each with
 * its own {@link TaskRunner} (so a stateful UDF is opened once per thread).
 */
public final class LocalThreadExecutor implements BackfillExecutor {
  private final BufferAllocator allocator;
  private final boolean ownsAllocator;
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Creates the executor.
   *
   * @param allocator the parent of the workers' allocators; not closed by this executor
   */
  public LocalThreadExecutor(BufferAllocator allocator) {
    this(allocator, false);
  }

  private LocalThreadExecutor(BufferAllocator allocator, boolean ownsAllocator) {
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.ownsAllocator = ownsAllocator;
  }

  /**
   * Creates an executor with an allocator of its own, closed with the executor.
   *
   * @return the executor
   */
  public static LocalThreadExecutor withOwnAllocator() {
    return new LocalThreadExecutor(new RootAllocator(), true);
  }

  @Override
  public String name() {
    return "threads";
  }

  @Override
  public ExecutorSession openSession(SessionSpec spec) {
    if (closed.get()) {
      throw new IllegalStateException("thread executor is closed");
    }
    return new Session(spec, sessions.incrementAndGet());
  }

  /** Closes the allocator if this executor created it; sessions must be closed first. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownsAllocator) {
      allocator.close();
    }
  }

  @Override
  public String toString() {
    return "LocalThreadExecutor{threads" + (closed.get() ? ", closed" : "") + "}";
  }

  private final class Session implements ExecutorSession {
    private final ExecutorService threads;
    private final ThreadLocal<TaskRunner> runner = new ThreadLocal<>();
    private final List<TaskRunner> runners = new ArrayList<>();
    private final Set<CompletableFuture<?>> open = ConcurrentHashMap.newKeySet();
    private final String prefix;
    private volatile boolean closed;

    Session(SessionSpec spec, int number) {
      this.prefix = "geneva-" + spec.column() + "-" + number + "-";
      AtomicInteger n = new AtomicInteger();
      this.threads =
          Executors.newFixedThreadPool(
              spec.concurrency(),
              r -> {
                Thread t = new Thread(r, prefix + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }

    @Override
    public CompletableFuture<TaskResult> submit(BackfillTask task, LongConsumer rowsDone) {
      return onWorker(r -> r.run(task, rowsDone));
    }

    @Override
    public CompletableFuture<List<TaskResult>> submitAll(
        List<BackfillTask> tasks, LongConsumer rowsDone) {
      return onWorker(r -> r.runAll(List.copyOf(tasks), rowsDone));
    }

    @Override
    public CompletableFuture<List<UdtfTaskResult>> submitUdtf(
        List<UdtfTask> tasks, LongConsumer rowsDone) {
      return onWorker(r -> r.runUdtf(List.copyOf(tasks), rowsDone));
    }

    private <T> CompletableFuture<T> onWorker(Function<TaskRunner, T> work) {
      CompletableFuture<T> result = new CompletableFuture<>();
      if (closed) {
        result.completeExceptionally(new CancellationException("session closed"));
        return result;
      }
      open.add(result);
      try {
        threads.execute(
            () -> {
              try {
                result.complete(work.apply(runner()));
              } catch (Throwable t) {
                result.completeExceptionally(t);
              } finally {
                open.remove(result);
              }
            });
      } catch (RejectedExecutionException e) {
        // close() won the race with this submit.
        open.remove(result);
        result.completeExceptionally(new CancellationException("session closed"));
      }
      return result;
    }

    private TaskRunner runner() {
      TaskRunner r = runner.get();
      if (r == null) {
        r = new TaskRunner(allocator, Thread.currentThread().getName());
        runner.set(r);
        synchronized (runners) {
          runners.add(r);
        }
      }
      return r;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      threads.shutdownNow();
      try {
        if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "worker threads " + prefix + "* did not stop within 60 s of being interrupted");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (CompletableFuture<?> f : open) {
        f.completeExceptionally(new CancellationException("session closed"));
      }
      RuntimeException failure = null;
      synchronized (runners) {
        for (TaskRunner r : runners) {
          try {
            r.close();
          } catch (RuntimeException e) {
            if (failure == null) {
              failure = e;
            } else {
              failure.addSuppressed(e);
            }
          }
        }
        runners.clear();
      }
      if (failure != null) {
        throw failure;
      }
    }
  }
}
