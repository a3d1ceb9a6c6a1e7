package dev.geneva.ray.testing;

import dev.geneva.testing.TextChunker;
import dev.geneva.udf.Row;
import io.ray.api.Ray;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link TextChunker} recording, for every call, the Ray task it ran in (as Ray's runtime context
 * reports it) and its thread: one JVM in LOCAL mode, so a test can tell where the UDTF ran.
 */
public class RayRecordingChunker extends TextChunker {
  /** Ray task ids of the calls; clear before a refresh. */
  public static final Set<String> TASKS = ConcurrentHashMap.newKeySet();

  /** Thread names of the calls; clear before a refresh. */
  public static final Set<String> THREADS = ConcurrentHashMap.newKeySet();

  @Override
  public Iterable<Map<String, ?>> apply(Row row) {
    TASKS.add(Ray.getRuntimeContext().getCurrentTaskId().toString());
    THREADS.add(Thread.currentThread().getName());
    return super.apply(row);
  }
}
