package dev.geneva.benchmarks;

import dev.geneva.spi.BackfillExecutor;

/**
 * An executor a benchmark runs on, with the suffix of its measurement ids: {@code ""} for threads
 * (so {@code a}, {@code b}, {@code d}, {@code e} keep their ids) and {@code "-ray"} for embedded
 * Ray.
 *
 * @param name {@code threads} or {@code ray}
 * @param suffix appended to the measurement id
 * @param executor the executor, owned by {@link BenchExecutors}
 */
record NamedExecutor(String name, String suffix, BackfillExecutor executor) {}
