package dev.geneva;

import dev.geneva.internal.engine.Arguments;
import dev.geneva.internal.engine.LocalThreadExecutor;
import dev.geneva.spi.BackfillExecutor;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The executors geneva-core ships, for choosing one instead of the default: per connection with
 * {@link ConnectOptions.Builder#executor(BackfillExecutor)}, or per backfill with {@link
 * BackfillOptions.Builder#executor(BackfillExecutor)} (which wins over the connection's). The
 * default, when neither is given, is the highest-priority {@link
 * dev.geneva.spi.BackfillExecutorProvider} on the class path: embedded Ray with geneva-ray ({@code
 * dev.geneva.ray.RayExecutor}), threads otherwise.
 *
 * <p>An executor made here belongs to the caller, who closes it after the connections and backfills
 * that use it:
 *
 * <pre>{@code
 * try (BackfillExecutor threads = BackfillExecutors.threads();
 *     Connection db = Geneva.connect(path, ConnectOptions.builder().executor(threads).build())) {
 *   db.openTable("docs").backfill("len");
 * }
 * }</pre>
 */
public final class BackfillExecutors {
  private BackfillExecutors() {}

  /**
   * Threads of this JVM ({@link BackfillExecutor#name()} {@code "threads"}): each backfill gets
   * {@link BackfillOptions#concurrency()} worker threads, each opening a stateful UDF once. It has
   * an Arrow allocator of its own, closed with it.
   *
   * @return a new executor; close it when done
   */
  public static BackfillExecutor threads() {
    return LocalThreadExecutor.withOwnAllocator();
  }

  /**
   * Threads of this JVM, their Arrow memory taken from {@code allocator} (for example {@link
   * Connection#allocator()}, to account a connection's memory in one place).
   *
   * @param allocator the parent of the workers' allocators; not closed by the executor
   * @return a new executor; close it when done
   */
  public static BackfillExecutor threads(BufferAllocator allocator) {
    return new LocalThreadExecutor(
        Arguments.notNull(
            allocator,
            "BackfillExecutors.threads allocator",
            "pass the connection's, connection.allocator()"));
  }
}
