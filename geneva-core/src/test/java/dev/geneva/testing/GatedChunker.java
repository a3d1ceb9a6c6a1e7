package dev.geneva.testing;

import dev.geneva.udf.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@link TextChunker} counting its calls per id, which fails on {@link #failAt} only once a file
 * whose name starts with {@link #gatePrefix} exists in {@link #gateDirectory}: so a refresh stops
 * on one fragment after another fragment's piece was recorded, whatever the scheduling.
 */
public class GatedChunker extends TextChunker {
  /** Calls per source id. */
  public static final Map<Long, AtomicInteger> CALLS = new ConcurrentHashMap<>();

  /** The id to fail on, or -1. */
  public static volatile long failAt = -1;

  /** The directory to watch. */
  public static volatile Path gateDirectory;

  /** The file name prefix to wait for. */
  public static volatile String gatePrefix = "";

  /** Forgets calls and the fault. */
  public static void reset() {
    CALLS.clear();
    failAt = -1;
    gateDirectory = null;
    gatePrefix = "";
  }

  /** Calls for ids in {@code [from, to)}. */
  public static int calls(long from, long to) {
    int n = 0;
    for (var e : CALLS.entrySet()) {
      if (e.getKey() >= from && e.getKey() < to) {
        n += e.getValue().get();
      }
    }
    return n;
  }

  @Override
  public Iterable<Map<String, ?>> apply(Row row) {
    long id = row.getLong("id");
    CALLS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    if (id == failAt) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!gateOpen() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      throw new IllegalStateException("gated failure for id " + id);
    }
    return super.apply(row);
  }

  private static boolean gateOpen() {
    Path dir = gateDirectory;
    if (dir == null || !Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().startsWith(gatePrefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
