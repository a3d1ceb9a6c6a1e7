package dev.geneva.ray.testing;

import dev.geneva.testing.TextChunker;
import dev.geneva.udf.Row;
import dev.geneva.udf.StatefulUdtf;
import dev.geneva.udf.UdfContext;
import io.ray.api.Ray;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful {@link TextChunker} recording the Ray actor each call ran in and its opens and closes
 * per worker.
 */
public class RayActorChunker extends TextChunker implements StatefulUdtf {
  /** Ray actor ids of the calls (Ray's nil id outside an actor); clear before a refresh. */
  public static final Set<String> ACTORS = ConcurrentHashMap.newKeySet();

  /** Opens per worker id. */
  public static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();

  /** Closes per worker id. */
  public static final Map<String, AtomicInteger> CLOSES = new ConcurrentHashMap<>();

  private String workerId;

  /** Forgets what was recorded. */
  public static void reset() {
    ACTORS.clear();
    OPENS.clear();
    CLOSES.clear();
  }

  @Override
  public void open(UdfContext context) {
    workerId = context.workerId();
    OPENS.computeIfAbsent(workerId, k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public Iterable<Map<String, ?>> apply(Row row) {
    ACTORS.add(Ray.getRuntimeContext().getCurrentActorId().toString());
    return super.apply(row);
  }

  @Override
  public void close() {
    CLOSES.computeIfAbsent(workerId, k -> new AtomicInteger()).incrementAndGet();
  }
}
