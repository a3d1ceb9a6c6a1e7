package dev.geneva.micrometer;

import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import dev.geneva.JobMetrics;
import dev.geneva.JobRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
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
 * follow its progress, and the metrics that are values rather than totals ({@link
 * JobMetrics#gauges()}: {@code rows_ready_for_commit}, {@code cnt_geneva_workers_active}) are the
 * gauges {@code geneva.job.<name>} (tagged {@code table} and {@code column}), set at every report
 * of the job (its start, a heartbeat at least every minute, its end) rather than summed.
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
  private final ConcurrentHashMap<List<String>, AtomicLong> jobGauges = new ConcurrentHashMap<>();

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
    for (String name : JobMetrics.gauges()) {
      Long value = job.metrics().get(name);
      if (value != null) {
        jobGauges
            .computeIfAbsent(
                List.of(name, job.table(), job.column()),
                k ->
                    registry.gauge(
                        "geneva.job." + name,
                        tags.and("table", job.table(), "column", job.column()),
                        new AtomicLong()))
            .set(value);
      }
    }
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
    job.metrics().entrySet().stream()
        .filter(e -> !JobMetrics.gauges().contains(e.getKey()))
        .forEach(
            e ->
                Counter.builder("geneva.job." + e.getKey())
                    .description(
                        "Geneva job metric " + e.getKey() + ", summed over ended backfills")
                    .tags(t)
                    .register(registry)
                    .increment(e.getValue()));
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
