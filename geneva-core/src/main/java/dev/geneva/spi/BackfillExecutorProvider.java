package dev.geneva.spi;

import org.apache.arrow.memory.BufferAllocator;

/**
 * Creates the default executor, found with {@link java.util.ServiceLoader}: the provider with the
 * highest {@link #priority()} wins. geneva-core's thread executor has priority 0; geneva-ray's
 * embedded Ray has a higher one, so adding geneva-ray to the classpath makes it the default.
 */
public interface BackfillExecutorProvider {

  /**
   * The provider's rank; higher wins.
   *
   * @return the priority
   */
  int priority();

  /**
   * Creates an executor.
   *
   * @param allocator the parent allocator for work done in this JVM; the executor does not close it
   * @return a new executor, owned by the caller
   */
  BackfillExecutor create(BufferAllocator allocator);
}
