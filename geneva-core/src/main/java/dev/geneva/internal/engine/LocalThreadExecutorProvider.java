package dev.geneva.internal.engine;

import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillExecutorProvider;
import org.apache.arrow.memory.BufferAllocator;

/** The fallback executor: threads of this JVM, used when no other provider is on the classpath. */
public final class LocalThreadExecutorProvider implements BackfillExecutorProvider {
  @Override
  public int priority() {
    return 0;
  }

  @Override
  public BackfillExecutor create(BufferAllocator allocator) {
    return new LocalThreadExecutor(allocator);
  }
}
