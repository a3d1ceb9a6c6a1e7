package dev.geneva.ray;

import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillExecutorProvider;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Makes embedded Ray the default executor when geneva-ray is on the classpath (priority 100, above
 * geneva-core's threads). Inside a Ray job driver ({@code -Dray.address=...}) the executor joins
 * that cluster instead.
 */
public final class RayExecutorProvider implements BackfillExecutorProvider {
  /** The provider's priority. */
  public static final int PRIORITY = 100;

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public RayExecutorProvider() {}

  /**
   * Returns {@value #PRIORITY}.
   *
   * @return the priority
   */
  @Override
  public int priority() {
    return PRIORITY;
  }

  /**
   * Creates a {@link RayExecutor}, starting Ray if it is not running.
   *
   * @param allocator the connection's allocator
   * @return the executor
   */
  @Override
  public BackfillExecutor create(BufferAllocator allocator) {
    return RayExecutor.builder().allocator(allocator).build();
  }
}
