package dev.geneva.benchmarks;

import dev.geneva.Table;
import dev.geneva.examples.Sentences;
import dev.geneva.examples.udf.MiniLmEncoder;
import dev.geneva.examples.udf.QuantizedSentenceEmbedding;
import dev.geneva.examples.udf.SentenceEmbedding;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * (e) Real embeddings: the examples' all-MiniLM-L6-v2 UDF ({@link QuantizedSentenceEmbedding}, the
 * quickstart's, or {@link SentenceEmbedding}) backfilled by Geneva at concurrency = cores, against
 * a hand-written loop that runs the same model on all cores with no Geneva: one thread per core,
 * each loading the model once (one ONNX Runtime thread, as a Geneva worker does) and embedding the
 * same batches the backfill gives the UDF (per fragment, {@code batchSize} rows, nulls dropped),
 * writing nothing. That loop is the physical limit of this machine; the ratio is Geneva's rows/s
 * over the loop's. Also reported: the process CPU time per row of each side (on a machine shared
 * with other work, where wall-clock rates swing with the load, CPU time shows what Geneva adds) and
 * the model alone on one thread, per row.
 */
final class EmbeddingBench {
  private static final int LATENCY_SAMPLE = 256;

  private final BenchmarkConfig config;
  private final Benchmarks bench;
  private final PrintStream out;
  private final int cores = Runtime.getRuntime().availableProcessors();

  EmbeddingBench(BenchmarkConfig config, Benchmarks bench, PrintStream out) {
    this.config = config;
    this.bench = bench;
    this.out = out;
  }

  /** The text of row {@code id}: a generated English sentence, null for every 7th row. */
  static String sentence(long id) {
    return id % 7 == 3 ? null : Sentences.of(id);
  }

  List<Measurement> run(List<NamedExecutor> executors) throws Exception {
    long rows = config.embedRows();
    int fragments = (int) Math.min(rows, 4L * cores);
    int perFragment = (int) ((rows + fragments - 1) / fragments);
    Table base =
        TableData.create(bench.db(), "base-e", rows, perFragment, EmbeddingBench::sentence);
    long expected = Benchmarks.nonNullTexts(rows);
    List<List<String>> batches = batches(rows, perFragment);
    String latency = modelAlone(batches);
    out.println("(e) model alone: " + latency);
    List<Measurement> results = new ArrayList<>();
    for (NamedExecutor executor : executors) {
      List<Double> geneva = new ArrayList<>();
      List<Double> loop = new ArrayList<>();
      List<Double> genevaCpu = new ArrayList<>();
      List<Double> loopCpu = new ArrayList<>();
      for (int run = -config.warmups(); run < config.repeats(); run++) {
        for (int side = 0; side < 2; side++) {
          long cpu = processCpuNanos();
          if ((side + run) % 2 == 0) {
            Benchmarks.record(run, geneva, backfill(base, executor, expected));
            Benchmarks.record(run, genevaCpu, (processCpuNanos() - cpu) / 1e6 / expected);
          } else {
            Benchmarks.record(run, loop, loop(batches, expected));
            Benchmarks.record(run, loopCpu, (processCpuNanos() - cpu) / 1e6 / expected);
          }
        }
      }
      double g = Benchmarks.median(geneva);
      double l = Benchmarks.median(loop);
      double gc = Benchmarks.median(genevaCpu);
      double lc = Benchmarks.median(loopCpu);
      results.add(
          bench.report(
              new Measurement(
                  "e" + executor.suffix(),
                  String.format(
                      Locale.ROOT,
                      "real embeddings: Geneva c=%d (%s) / model loop on %d cores, rows/s",
                      cores,
                      executor.name(),
                      cores),
                  l / g,
                  0.9,
                  false,
                  String.format(
                      Locale.ROOT,
                      "geneva %.0f rows/s (%.3f s), loop %.0f rows/s (%.3f s), %d texts, %s model;"
                          + " CPU time per row: geneva %.2f ms, loop %.2f ms (ratio %.3f); %s",
                      expected / g,
                      g,
                      expected / l,
                      l,
                      expected,
                      config.embedModel(),
                      gc,
                      lc,
                      gc / lc,
                      latency))));
    }
    return results;
  }

  /** The UDF's batches: per fragment, {@code batchSize} rows at a time, null texts dropped. */
  private List<List<String>> batches(long rows, int perFragment) {
    List<List<String>> batches = new ArrayList<>();
    for (long from = 0; from < rows; from += perFragment) {
      long end = Math.min(rows, from + perFragment);
      for (long b = from; b < end; b += config.batchSize()) {
        List<String> batch = new ArrayList<>();
        for (long id = b; id < Math.min(end, b + config.batchSize()); id++) {
          String s = sentence(id);
          if (s != null) {
            batch.add(s);
          }
        }
        if (!batch.isEmpty()) {
          batches.add(batch);
        }
      }
    }
    return batches;
  }

  private double backfill(Table base, NamedExecutor executor, long expected) {
    return bench.onCopy(
        base,
        t -> {
          t.addColumns(Map.of("embedding", udf()));
          long start = System.nanoTime();
          t.backfill("embedding", bench.options(executor, cores));
          double s = Benchmarks.seconds(start);
          Benchmarks.check(t.countRows("embedding IS NOT NULL"), expected, "geneva embedding");
          return s;
        });
  }

  /** The hand-written loop: one thread per core, each with its own model, no Geneva. */
  private double loop(List<List<String>> batches, long expected) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(cores);
    try {
      AtomicInteger next = new AtomicInteger();
      long start = System.nanoTime();
      List<Future<Long>> workers = new ArrayList<>();
      for (int i = 0; i < cores; i++) {
        workers.add(
            pool.submit(
                () -> {
                  long n = 0;
                  try (MiniLmEncoder model = open()) {
                    for (int b = next.getAndIncrement();
                        b < batches.size();
                        b = next.getAndIncrement()) {
                      n += model.embed(batches.get(b)).length;
                    }
                  }
                  return n;
                }));
      }
      long embedded = 0;
      for (Future<Long> w : workers) {
        embedded += w.get();
      }
      double s = Benchmarks.seconds(start);
      Benchmarks.check(embedded, expected, "loop embedding");
      return s;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The model alone on this thread: load time, then time per row once warm. */
  private String modelAlone(List<List<String>> batches) throws Exception {
    List<String> sample = new ArrayList<>();
    for (List<String> batch : batches) {
      for (String s : batch) {
        if (sample.size() < LATENCY_SAMPLE) {
          sample.add(s);
        }
      }
    }
    long start = System.nanoTime();
    try (MiniLmEncoder model = open()) {
      double load = Benchmarks.seconds(start);
      model.embed(sample.subList(0, Math.min(sample.size(), 32)));
      List<Double> perRow = new ArrayList<>();
      List<Double> cpuPerRow = new ArrayList<>();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      for (int run = 0; run < Math.max(1, config.repeats()); run++) {
        long t = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        model.embed(sample);
        cpuPerRow.add((threads.getCurrentThreadCpuTime() - cpu) / 1e6 / sample.size());
        perRow.add(Benchmarks.seconds(t) * 1000 / sample.size());
      }
      return String.format(
          Locale.ROOT,
          "%.2f ms/row wall, %.2f ms/row CPU on 1 thread (%s, %d texts, median of %d), load %.0f ms",
          Benchmarks.median(perRow),
          Benchmarks.median(cpuPerRow),
          model.executionProvider(),
          sample.size(),
          perRow.size(),
          load * 1000);
    }
  }

  /** CPU time of this whole process (all threads, native code included), or 0 if unknown. */
  static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }

  private MiniLmEncoder open() throws Exception {
    return MiniLmEncoder.open(
        variant(), MiniLmEncoder.Device.fromSettings(MiniLmEncoder.Device.AUTO), 1);
  }

  private MiniLmEncoder.Variant variant() {
    return config.embedModel().equals("fp32")
        ? MiniLmEncoder.Variant.FP32
        : MiniLmEncoder.Variant.INT8;
  }

  private SentenceEmbedding udf() {
    return config.embedModel().equals("fp32")
        ? new SentenceEmbedding()
        : new QuantizedSentenceEmbedding();
  }
}
