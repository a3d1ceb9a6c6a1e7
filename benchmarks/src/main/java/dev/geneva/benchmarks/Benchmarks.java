package dev.geneva.benchmarks;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.schema.SqlExpressions;
import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The measurement code behind {@link BenchmarkMain}: each benchmark builds a base table, runs both
 * sides on fresh copies of it (alternating which goes first), and reports the ratio of medians.
 */
final class Benchmarks {
  private final BenchmarkConfig config;
  private final PrintStream out;
  private Path root;
  private Connection db;
  private int copies;

  Benchmarks(BenchmarkConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  List<Measurement> runAll() throws Exception {
    out.println("Geneva benchmarks, " + ZonedDateTime.now());
    out.println(
        "  "
            + Runtime.getRuntime().availableProcessors()
            + " processors, Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + "), max heap "
            + Runtime.getRuntime().maxMemory() / (1 << 20)
            + " MiB");
    out.println("  " + config);
    out.println("  load average at start: " + loadAverage());
    List<Measurement> results = new ArrayList<>();
    Files.createDirectories(config.workDir());
    root = Files.createTempDirectory(config.workDir(), "geneva-bench-");
    try (Connection connection = Geneva.connect(root.toString());
        BenchExecutors executors =
            new BenchExecutors(
                // Embedded Ray starts only for the benchmarks that run on it (not c).
                config.only().equals(Set.of("c")) ? Set.of() : config.executors(),
                connection.allocator())) {
      db = connection;
      if (config.only().contains("a")) {
        for (NamedExecutor e : executors.all()) {
          results.add(report(overhead(e)));
        }
      }
      if (config.only().contains("b")) {
        for (NamedExecutor e : executors.all()) {
          results.add(report(scaling(e)));
        }
      }
      if (config.only().contains("c")) {
        results.addAll(memory().stream().map(this::report).toList());
      }
      if (config.only().contains("d")) {
        for (NamedExecutor e : executors.all()) {
          results.add(report(lanceSql(e)));
        }
      }
      if (config.only().contains("e")) {
        results.addAll(new EmbeddingBench(config, this, out).run(executors.all()));
      }
    } finally {
      TableData.delete(root);
    }
    out.println("  load average at end: " + loadAverage());
    out.println();
    out.println("| id | comparison | ratio | target | result | medians |");
    out.println("|---|---|---|---|---|---|");
    for (Measurement m : results) {
      out.printf(
          Locale.ROOT,
          "| %s | %s | %.3f | %s | %s | %s |%n",
          m.id(),
          m.title(),
          m.ratio(),
          m.targetText(),
          m.verdict(),
          m.detail());
    }
    return results;
  }

  /** The connection of the run's temporary tables. */
  Connection db() {
    return db;
  }

  Measurement report(Measurement m) {
    out.println(m + "  (load " + loadAverage() + ")");
    return m;
  }

  /** (a) Geneva at concurrency 1 vs the hand-written lance-core loop. */
  private Measurement overhead(NamedExecutor executor) throws Exception {
    Table base = TableData.create(db, "base-a", config.rows(), config.fragmentRows());
    long expected = nonNullTexts(config.rows());
    List<Double> geneva = new ArrayList<>();
    List<Double> baseline = new ArrayList<>();
    for (int run = -config.warmups(); run < config.repeats(); run++) {
      for (int side = 0; side < 2; side++) {
        boolean genevaSide = (side + run) % 2 == 0;
        if (genevaSide) {
          record(run, geneva, genevaTextLength(base, options(executor, 1), expected));
        } else {
          record(run, baseline, baselineTextLength(base, expected));
        }
      }
    }
    double g = median(geneva);
    double b = median(baseline);
    return new Measurement(
        "a" + executor.suffix(),
        "engine overhead: Geneva c=1 (" + executor.name() + ") / hand-written loop",
        g / b,
        executor.name().equals("ray") ? 1.25 : 1.15,
        true,
        String.format(Locale.ROOT, "geneva %.3f s, baseline %.3f s", g, b));
  }

  /** (b) a CPU-bound UDF at concurrency 2 vs 1. */
  private Measurement scaling(NamedExecutor executor) throws Exception {
    SpinHash.rounds(config.hashRounds());
    int perFragment =
        (int) ((config.cpuRows() + config.cpuFragments() - 1) / config.cpuFragments());
    Table base = TableData.create(db, "base-b", config.cpuRows(), perFragment);
    List<Double> one = new ArrayList<>();
    List<Double> two = new ArrayList<>();
    for (int run = -config.warmups(); run < config.repeats(); run++) {
      for (int side = 0; side < 2; side++) {
        boolean first = (side + run) % 2 == 0;
        int concurrency = first ? 1 : 2;
        record(run, first ? one : two, genevaSpinHash(base, options(executor, concurrency)));
      }
    }
    double s1 = median(one);
    double s2 = median(two);
    return new Measurement(
        "b" + executor.suffix(),
        "scaling: CPU-bound UDF, c=2 speedup over c=1 (" + executor.name() + ")",
        s1 / s2,
        1.8,
        false,
        String.format(
            Locale.ROOT,
            "c=1 %.3f s, c=2 %.3f s, %d rows x %d rounds, %d cores",
            s1,
            s2,
            config.cpuRows(),
            config.hashRounds(),
            Runtime.getRuntime().availableProcessors()));
  }

  /** (c) peak RSS of a backfill on 4x the rows, in child JVMs. */
  private List<Measurement> memory() throws Exception {
    long small = config.rssRows();
    int half = (int) ((small + 1) / 2);
    TableData.create(db, "rss-base", small, half);
    TableData.create(db, "rss-more-fragments", 4 * small, half);
    TableData.create(db, "rss-bigger-fragments", 4 * small, 4 * half);
    int concurrency = 2;
    for (int w = 0; w < config.warmups(); w++) {
      rss("rss-base", concurrency, "geneva");
    }
    List<Double> base = new ArrayList<>();
    List<Double> more = new ArrayList<>();
    List<Double> bigger = new ArrayList<>();
    List<Double> loopBase = new ArrayList<>();
    List<Double> loopBigger = new ArrayList<>();
    for (int run = 0; run < config.repeats(); run++) {
      base.add((double) rss("rss-base", concurrency, "geneva"));
      more.add((double) rss("rss-more-fragments", concurrency, "geneva"));
      bigger.add((double) rss("rss-bigger-fragments", concurrency, "geneva"));
      loopBase.add((double) rss("rss-base", 1, "baseline"));
      loopBigger.add((double) rss("rss-bigger-fragments", 1, "baseline"));
    }
    double b = median(base);
    double m = median(more);
    double g = median(bigger);
    double lb = median(loopBase);
    double lg = median(loopBigger);
    String common =
        String.format(
            Locale.ROOT,
            "base %d rows in 2 fragments: %.0f MiB; -Xms=-Xmx%s, c=%d",
            small,
            b / 1024,
            config.rssXmx(),
            concurrency);
    return List.of(
        new Measurement(
            "c1",
            "memory: peak RSS, 4x rows in 4x fragments / base",
            m / b,
            1.25,
            true,
            String.format(Locale.ROOT, "4x: %.0f MiB; %s", m / 1024, common)),
        new Measurement(
            "c2",
            "memory: peak RSS, 4x rows in 4x larger fragments / base",
            g / b,
            1.25,
            true,
            String.format(Locale.ROOT, "4x: %.0f MiB; %s", g / 1024, common)),
        new Measurement(
            "c3",
            "memory: hand-written loop, 4x larger fragments / base (reference for c2)",
            lg / lb,
            Double.NaN,
            true,
            String.format(
                Locale.ROOT, "loop base %.0f MiB, 4x %.0f MiB, c=1", lb / 1024, lg / 1024)));
  }

  /** (d) Geneva's addColumns+backfill of {@code id * 2} vs Lance's SQL addColumns. */
  private Measurement lanceSql(NamedExecutor executor) throws Exception {
    Table base = TableData.create(db, "base-d", config.rows(), config.fragmentRows());
    int concurrency = Runtime.getRuntime().availableProcessors();
    List<Double> geneva = new ArrayList<>();
    List<Double> lance = new ArrayList<>();
    for (int run = -config.warmups(); run < config.repeats(); run++) {
      for (int side = 0; side < 2; side++) {
        boolean genevaSide = (side + run) % 2 == 0;
        if (genevaSide) {
          record(run, geneva, genevaTimesTwo(base, options(executor, concurrency)));
        } else {
          record(run, lance, lanceTimesTwo(base));
        }
      }
    }
    double g = median(geneva);
    double l = median(lance);
    return new Measurement(
        "d" + executor.suffix(),
        "Geneva UDF id*2 (c=" + concurrency + ", " + executor.name() + ") / Lance SQL addColumns",
        g / l,
        Double.NaN,
        true,
        String.format(Locale.ROOT, "geneva %.3f s, lance sql %.3f s", g, l));
  }

  private double genevaTextLength(Table base, BackfillOptions options, long expected) {
    return onCopy(
        base,
        t -> {
          t.addColumns(Map.of("len", new TextLength()));
          long start = System.nanoTime();
          t.backfill("len", options);
          double s = seconds(start);
          check(t.countRows("len IS NOT NULL"), expected, "geneva len");
          return s;
        });
  }

  private double baselineTextLength(Table base, long expected) {
    return onCopy(
        base,
        t -> {
          BufferAllocator allocator = db.allocator();
          BaselineBackfill.addColumn(allocator, t.uri(), "len");
          long start = System.nanoTime();
          BaselineBackfill.run(allocator, t.uri(), "len", config.batchSize());
          double s = seconds(start);
          check(t.countRows("len IS NOT NULL"), expected, "baseline len");
          return s;
        });
  }

  private double genevaSpinHash(Table base, BackfillOptions options) {
    return onCopy(
        base,
        t -> {
          t.addColumns(Map.of("h", new SpinHash()));
          long start = System.nanoTime();
          t.backfill("h", options);
          double s = seconds(start);
          check(t.countRows("h IS NOT NULL"), config.cpuRows(), "spin hash");
          return s;
        });
  }

  private double genevaTimesTwo(Table base, BackfillOptions options) {
    return onCopy(
        base,
        t -> {
          long start = System.nanoTime();
          t.addColumns(Map.of("id2", new TimesTwo()));
          t.backfill("id2", options);
          double s = seconds(start);
          check(t.countRows("id2 = id * 2"), config.rows(), "geneva id2");
          return s;
        });
  }

  private double lanceTimesTwo(Table base) {
    return onCopy(
        base,
        t -> {
          try (Dataset ds =
              Dataset.open(db.allocator(), t.uri(), new ReadOptions.Builder().build())) {
            long start = System.nanoTime();
            ds.addColumns(
                new SqlExpressions.Builder().withExpression("id2", "id * 2").build(),
                Optional.empty());
            double s = seconds(start);
            check(t.countRows("id2 = id * 2"), config.rows(), "lance id2");
            return s;
          }
        });
  }

  BackfillOptions options(NamedExecutor executor, int concurrency) {
    return BackfillOptions.builder()
        .concurrency(concurrency)
        .batchSize(config.batchSize())
        .executor(executor.executor())
        .build();
  }

  private long rss(String table, int concurrency, String mode) throws Exception {
    String copy = "copy-" + copies++;
    TableData.copy(root.resolve(table + ".lance"), root.resolve(copy + ".lance"));
    try {
      return RssProbe.measure(root, copy, concurrency, config.batchSize(), config.rssXmx(), mode);
    } finally {
      TableData.delete(root.resolve(copy + ".lance"));
    }
  }

  interface Timed {
    double run(Table copy) throws Exception;
  }

  /** Runs {@code body} on a fresh copy of {@code base}, deleted afterwards. */
  double onCopy(Table base, Timed body) {
    String copy = "copy-" + copies++;
    TableData.copy(root.resolve(base.name() + ".lance"), root.resolve(copy + ".lance"));
    try {
      return body.run(db.openTable(copy));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      TableData.delete(root.resolve(copy + ".lance"));
    }
  }

  static void record(int run, List<Double> into, double seconds) {
    if (run >= 0) {
      into.add(seconds);
    }
  }

  static void check(long actual, long expected, String what) {
    if (actual != expected) {
      throw new IllegalStateException(
          what + ": expected " + expected + " computed rows but the table has " + actual);
    }
  }

  /** Rows of {@code 0..rows-1} whose text is not null. */
  static long nonNullTexts(long rows) {
    long nulls = rows / 7 + (rows % 7 > 3 ? 1 : 0);
    return rows - nulls;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The 1, 5 and 15 minute load averages (other work on the machine distorts every ratio). */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
