package dev.geneva.benchmarks;

import dev.geneva.BackfillExecutors;
import dev.geneva.ray.RayExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The executors of one benchmark run, in report order: geneva-core's threads ({@link
 * BackfillExecutors#threads(BufferAllocator)}) and embedded Ray ({@link RayExecutor#local()}, Ray
 * LOCAL mode in this JVM), as selected. Closing it closes them (and shuts Ray down).
 */
final class BenchExecutors implements AutoCloseable {
  private final List<NamedExecutor> all = new ArrayList<>();

  BenchExecutors(Set<String> names, BufferAllocator allocator) {
    if (names.contains("threads")) {
      all.add(new NamedExecutor("threads", "", BackfillExecutors.threads(allocator)));
    }
    if (names.contains("ray")) {
      all.add(new NamedExecutor("ray", "-ray", RayExecutor.local()));
    }
  }

  List<NamedExecutor> all() {
    return all;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (NamedExecutor e : all) {
      try {
        e.executor().close();
      } catch (RuntimeException ex) {
        if (failure == null) {
          failure = ex;
        } else {
          failure.addSuppressed(ex);
        }
      }
    }
    all.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
