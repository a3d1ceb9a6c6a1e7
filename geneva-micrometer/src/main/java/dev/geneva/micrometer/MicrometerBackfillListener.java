package dev.geneva.micrometer;

import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import dev.geneva.JobRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exports backfill metrics to a Micrometer {@link MeterRegistry}, under Geneva's metric names: when
 * a backfill ends, each of its {@link dev.geneva.JobMetrics} is added to the counter {@code
 * geneva.job.<name>} (e.g. {@code geneva.job.rows_committed}, {@code
 * geneva.job.commit_conflict_retries}; times in milliseconds), the job is counted in {@code
 * geneva.jobs} and its duration recorded in the timer {@code geneva.job.duration}, all tagged
 * {@code table}, {@code column}, {@code state} and {@code executor}. While it runs, the gauges
 * {@code geneva.backfill.rows.done} and {@code geneva.backfill.tasks.done} (tagged {@code column})
 * follow its progress.
 *
 * <pre>{@code
 * BackfillListener meters = MicrometerBackfillListener.create(registry);
 * table.backfill("embedding", BackfillOptions.builder().listener(meters).build());
 * }</pre>
 *
 * <p>One listener may serve many backfills at once; it holds no resources.
 */
public final class MicrometerBackfillListener implements BackfillListener {
  private final MeterRegistry registry;
  private final Tags tags;
  private final ConcurrentHashMap<String, AtomicLong> rowsDone = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> tasksDone = new ConcurrentHashMap<>();

  private MicrometerBackfillListener(MeterRegistry registry, Tags tags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.tags = tags;
  }

  /**
   * A listener reporting to a registry.
   *
   * @param registry the registry
   * @return the listener
   */
  public static MicrometerBackfillListener create(MeterRegistry registry) {
    return new MicrometerBackfillListener(registry, Tags.empty());
  }

  /**
   * A listener reporting to a registry with extra tags on every meter (such as {@code
   * Tags.of("pipeline", "nightly")}).
   *
   * @param registry the registry
   * @param tags the extra tags
   * @return the listener
   */
  public static MicrometerBackfillListener create(MeterRegistry registry, Tags tags) {
    return new MicrometerBackfillListener(registry, Objects.requireNonNull(tags, "tags"));
  }

  @Override
  public void onProgress(BackfillProgress progress) {
    gauge(rowsDone, "geneva.backfill.rows.done", progress.column()).set(progress.rowsDone());
    gauge(tasksDone, "geneva.backfill.tasks.done", progress.column()).set(progress.tasksDone());
  }

  private AtomicLong gauge(ConcurrentHashMap<String, AtomicLong> values, String name, String c) {
    return values.computeIfAbsent(
        c, k -> registry.gauge(name, tags.and("column", k), new AtomicLong()));
  }

  @Override
  public void onJobRecorded(JobRecord job) {
    if (!job.state().isTerminal()) {
      return;
    }
    Tags t =
        tags.and(
            "table", job.table(),
            "column", job.column(),
            "state", job.state().name(),
            "executor", job.executor());
    Counter.builder("geneva.jobs")
        .description("Backfills ended, by state")
        .tags(t)
        .register(registry)
        .increment();
    job.metrics()
        .forEach(
            (name, value) ->
                Counter.builder("geneva.job." + name)
                    .description("Geneva job metric " + name + ", summed over ended backfills")
                    .tags(t)
                    .register(registry)
                    .increment(value));
    job.startedAt()
        .ifPresent(
            start ->
                job.endedAt()
                    .ifPresent(
                        end ->
                            Timer.builder("geneva.job.duration")
                                .description("Wall-clock time of ended backfills")
                                .tags(t)
                                .register(registry)
                                .record(Duration.between(start, end))));
  }

  @Override
  public String toString() {
    return "MicrometerBackfillListener{" + registry.getClass().getSimpleName() + "}";
  }
}
