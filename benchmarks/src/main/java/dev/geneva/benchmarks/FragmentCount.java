package dev.geneva.benchmarks;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.Transaction;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.operation.DataReplacement;
import com.lancedb.lance.operation.DataReplacement.DataReplacementGroup;
import com.lancedb.lance.schema.SqlExpressions;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.CompactOptions;
import dev.geneva.CompactResult;
import dev.geneva.Connection;
import dev.geneva.Table;
import dev.geneva.spi.BackfillExecutor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * (f) Cost against fragment count: the same rows in few and in many fragments, on threads and on
 * embedded Ray, and a projection of planning and commit cost to 100,000 fragments from tables of a
 * few thousand.
 */
final class FragmentCount {
  /** The fragment count the projection extrapolates to. */
  static final int PROJECTED_FRAGMENTS = 100_000;

  private final BenchmarkConfig config;
  private final Connection db;
  private final Path root;
  private final PrintStream out;
  private int copies;

  FragmentCount(BenchmarkConfig config, Connection db, Path root, PrintStream out) {
    this.config = config;
    this.db = db;
    this.root = root;
    this.out = out;
  }

  /**
   * Runs (f1) on threads and (f2) on embedded Ray (those of {@code executors}), then (f3) the
   * projection on threads (or the first executor), printing each result.
   */
  List<Measurement> run(List<NamedExecutor> executors) throws Exception {
    int few = config.fragmentCount().few();
    int many = config.fragmentCount().many();
    long rows = config.fragmentCount().rows();
    Table fewTable = TableData.create(db, "base-f-few", rows, perFragment(rows, few));
    Table manyTable = TableData.create(db, "base-f-many", rows, perFragment(rows, many));
    List<Measurement> results = new ArrayList<>();
    results.add(print(lanceReference(fewTable, manyTable)));
    Sides loop = loopFloor(fewTable, manyTable);
    results.add(print(loop.measurement()));
    for (NamedExecutor e : executors) {
      String id = e.name().equals("ray") ? "f2" : "f1";
      results.add(print(compare(id, e.executor(), fewTable, manyTable, loop)));
    }
    BackfillExecutor threads =
        executors.stream()
            .filter(e -> e.name().equals("threads"))
            .findFirst()
            .orElse(executors.get(0))
            .executor();
    results.add(print(compactFirst(threads, fewTable, manyTable)));
    results.add(print(projection(threads)));
    return results;
  }

  private Measurement print(Measurement m) {
    out.println(m);
    return m;
  }

  private static int perFragment(long rows, int fragments) {
    return Math.toIntExact((rows + fragments - 1) / fragments);
  }

  private Measurement compare(
      String id, BackfillExecutor executor, Table few, Table many, Sides loop) {
    int concurrency = Runtime.getRuntime().availableProcessors();
    List<Double> fewTimes = new ArrayList<>();
    List<Double> manyTimes = new ArrayList<>();
    List<Double> fewCpu = new ArrayList<>();
    List<Double> manyCpu = new ArrayList<>();
    int fewCommits = 0;
    int manyCommits = 0;
    for (int run = -config.warmups(); run < config.repeats(); run++) {
      for (int side = 0; side < 2; side++) {
        boolean fewSide = (side + run) % 2 == 0;
        Timing t = backfill(fewSide ? few : many, executor, concurrency);
        if (run >= 0) {
          (fewSide ? fewTimes : manyTimes).add(t.seconds());
          (fewSide ? fewCpu : manyCpu).add(t.cpuSeconds());
        }
        if (fewSide) {
          fewCommits = t.result().commits();
        } else {
          manyCommits = t.result().commits();
        }
      }
    }
    double f = Benchmarks.median(fewTimes);
    double m = Benchmarks.median(manyTimes);
    double fc = Benchmarks.median(fewCpu);
    double mc = Benchmarks.median(manyCpu);
    return new Measurement(
        id,
        "fragments: "
            + config.fragmentCount().many()
            + " / "
            + config.fragmentCount().few()
            + " fragments, same rows ("
            + executor.name()
            + ")",
        m / f,
        2.0,
        true,
        String.format(
            Locale.ROOT,
            "%d rows, c=%d: %d fragments %.3f s (%d commits), %d fragments %.3f s (%d commits);"
                + " process CPU %.3f s / %.3f s = %.2f; against the hand-written loop (f4):"
                + " %.2fx at %d fragments, %.2fx at %d",
            config.fragmentCount().rows(),
            concurrency,
            config.fragmentCount().few(),
            f,
            fewCommits,
            config.fragmentCount().many(),
            m,
            manyCommits,
            mc,
            fc,
            mc / fc,
            f / loop.few(),
            config.fragmentCount().few(),
            m / loop.many(),
            config.fragmentCount().many()));
  }

  /** The medians of a reference on both tables, and its measurement. */
  private record Sides(double few, double many, Measurement measurement) {}

  /**
   * (f4) The floor with Geneva taken out, report only: {@link ParallelLoop}, lance-core alone on c
   * threads, one scan per thread, one file per fragment, one commit. Its own many/few ratio is what
   * a file per fragment costs on this machine; (f1) and (f2) print Geneva against it.
   */
  private Sides loopFloor(Table few, Table many) throws Exception {
    int concurrency = Runtime.getRuntime().availableProcessors();
    List<Double> fewTimes = new ArrayList<>();
    List<Double> manyTimes = new ArrayList<>();
    List<Double> fewCpu = new ArrayList<>();
    List<Double> manyCpu = new ArrayList<>();
    List<Double> manyCommit = new ArrayList<>();
    for (int run = -config.warmups(); run < config.repeats(); run++) {
      for (int side = 0; side < 2; side++) {
        boolean fewSide = (side + run) % 2 == 0;
        String copy = "copy-f-" + copies++;
        Table base = fewSide ? few : many;
        Path dir = root.resolve(copy + ".lance");
        TableData.copy(root.resolve(base.name() + ".lance"), dir);
        try {
          ParallelLoop.addColumn(db.allocator(), dir.toString(), "id2");
          long start = System.nanoTime();
          long cpu = EmbeddingBench.processCpuNanos();
          ParallelLoop.Result r =
              ParallelLoop.run(
                  db.allocator(), dir.toString(), "id2", concurrency, config.batchSize());
          double s = (System.nanoTime() - start) / 1e9;
          double c = (EmbeddingBench.processCpuNanos() - cpu) / 1e9;
          Table t = db.openTable(copy);
          if (t.countRows("id2 = id * 2") != t.countRows()) {
            throw new IllegalStateException("the loop left rows of " + copy + " uncomputed");
          }
          if (run >= 0) {
            (fewSide ? fewTimes : manyTimes).add(s);
            (fewSide ? fewCpu : manyCpu).add(c);
            if (!fewSide) {
              manyCommit.add(r.commitSeconds());
            }
          }
        } finally {
          TableData.delete(dir);
        }
      }
    }
    double f = Benchmarks.median(fewTimes);
    double m = Benchmarks.median(manyTimes);
    double fc = Benchmarks.median(fewCpu);
    double mc = Benchmarks.median(manyCpu);
    Measurement measurement =
        new Measurement(
            "f4",
            "floor: hand-written lance-core loop, c threads, "
                + config.fragmentCount().many()
                + " / "
                + config.fragmentCount().few()
                + " fragments",
            m / f,
            Double.NaN,
            true,
            String.format(
                Locale.ROOT,
                "%d rows, c=%d: %d fragments %.3f s, %d fragments %.3f s (its one commit %.3f s);"
                    + " process CPU %.3f s / %.3f s = %.2f",
                config.fragmentCount().rows(),
                concurrency,
                config.fragmentCount().few(),
                f,
                config.fragmentCount().many(),
                m,
                Benchmarks.median(manyCommit),
                mc,
                fc,
                mc / fc));
    return new Sides(f, m, measurement);
  }

  /**
   * (f0) The floor, report only: Lance's own SQL {@code addColumns} of {@code id * 2} on the same
   * two tables. It too writes one data file per fragment, so the cost of a file per fragment on
   * this machine's file system shows here without Geneva.
   */
  private Measurement lanceReference(Table few, Table many) {
    List<Double> fewTimes = new ArrayList<>();
    List<Double> manyTimes = new ArrayList<>();
    List<Double> fewCpu = new ArrayList<>();
    List<Double> manyCpu = new ArrayList<>();
    for (int run = -config.warmups(); run < config.repeats(); run++) {
      for (int side = 0; side < 2; side++) {
        boolean fewSide = (side + run) % 2 == 0;
        String copy = "copy-f-" + copies++;
        Table base = fewSide ? few : many;
        TableData.copy(root.resolve(base.name() + ".lance"), root.resolve(copy + ".lance"));
        try (Dataset ds =
            Dataset.open(
                db.allocator(),
                root.resolve(copy + ".lance").toString(),
                new ReadOptions.Builder().build())) {
          long start = System.nanoTime();
          long cpu = EmbeddingBench.processCpuNanos();
          ds.addColumns(
              new SqlExpressions.Builder().withExpression("id2", "id * 2").build(),
              Optional.empty());
          double s = (System.nanoTime() - start) / 1e9;
          double c = (EmbeddingBench.processCpuNanos() - cpu) / 1e9;
          if (run >= 0) {
            (fewSide ? fewTimes : manyTimes).add(s);
            (fewSide ? fewCpu : manyCpu).add(c);
          }
        } finally {
          TableData.delete(root.resolve(copy + ".lance"));
        }
      }
    }
    double f = Benchmarks.median(fewTimes);
    double m = Benchmarks.median(manyTimes);
    double fc = Benchmarks.median(fewCpu);
    double mc = Benchmarks.median(manyCpu);
    return new Measurement(
        "f0",
        "floor: Lance SQL addColumns, "
            + config.fragmentCount().many()
            + " / "
            + config.fragmentCount().few()
            + " fragments",
        m / f,
        Double.NaN,
        true,
        String.format(
            Locale.ROOT,
            "%d rows: %d fragments %.3f s, %d fragments %.3f s; process CPU %.3f s / %.3f s = %.2f",
            config.fragmentCount().rows(),
            config.fragmentCount().few(),
            f,
            config.fragmentCount().many(),
            m,
            mc,
            fc,
            mc / fc));
  }

  private record Timing(double seconds, double cpuSeconds, BackfillResult result) {}

  /** One backfill: wall-clock and process CPU seconds (other processes do not change the CPU). */
  private Timing backfill(Table base, BackfillExecutor executor, int concurrency) {
    String copy = "copy-f-" + copies++;
    TableData.copy(root.resolve(base.name() + ".lance"), root.resolve(copy + ".lance"));
    try {
      Table t = db.openTable(copy);
      t.addColumns(Map.of("id2", new TimesTwo()));
      long start = System.nanoTime();
      long cpu = EmbeddingBench.processCpuNanos();
      BackfillResult r = t.backfill("id2", options(executor, concurrency));
      double s = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (EmbeddingBench.processCpuNanos() - cpu) / 1e9;
      long expected = t.countRows();
      if (t.countRows("id2 = id * 2") != expected) {
        throw new IllegalStateException("backfill of " + copy + " left rows uncomputed");
      }
      return new Timing(s, cpuSeconds, r);
    } finally {
      TableData.delete(root.resolve(copy + ".lance"));
    }
  }

  /**
   * (f5) Compact first, report only: a copy of the many-fragment table, its UDF column already
   * added, compacted with {@link Table#compact} to fragments of the few-fragment table's size and
   * then backfilled, against the backfill of the few-fragment table, both on {@code executor} and
   * alternating. The compaction writes the still-null column into the compacted files, so the
   * backfill also takes the path that separates it again.
   */
  private Measurement compactFirst(BackfillExecutor executor, Table few, Table many) {
    int concurrency = Runtime.getRuntime().availableProcessors();
    long target = perFragment(config.fragmentCount().rows(), config.fragmentCount().few());
    List<Double> fewTimes = new ArrayList<>();
    List<Double> totals = new ArrayList<>();
    List<Double> compactTimes = new ArrayList<>();
    List<Double> backfillTimes = new ArrayList<>();
    long fragmentsAfter = 0;
    for (int run = -config.warmups(); run < config.repeats(); run++) {
      for (int side = 0; side < 2; side++) {
        boolean fewSide = (side + run) % 2 == 0;
        if (fewSide) {
          Timing t = backfill(few, executor, concurrency);
          if (run >= 0) {
            fewTimes.add(t.seconds());
          }
          continue;
        }
        String copy = "copy-f-" + copies++;
        Path dir = root.resolve(copy + ".lance");
        TableData.copy(root.resolve(many.name() + ".lance"), dir);
        try {
          Table t = db.openTable(copy);
          t.addColumns(Map.of("id2", new TimesTwo()));
          long start = System.nanoTime();
          CompactResult r =
              t.compact(CompactOptions.builder().targetRowsPerFragment(target).build());
          double compacted = (System.nanoTime() - start) / 1e9;
          t.backfill("id2", options(executor, concurrency));
          double total = (System.nanoTime() - start) / 1e9;
          if (t.countRows("id2 = id * 2") != t.countRows()) {
            throw new IllegalStateException("backfill of compacted " + copy + " left rows");
          }
          fragmentsAfter = r.fragmentsAdded();
          if (run >= 0) {
            totals.add(total);
            compactTimes.add(compacted);
            backfillTimes.add(total - compacted);
          }
        } finally {
          TableData.delete(dir);
        }
      }
    }
    double f = Benchmarks.median(fewTimes);
    double m = Benchmarks.median(totals);
    return new Measurement(
        "f5",
        "compact first: compact "
            + config.fragmentCount().many()
            + " fragments then backfill / backfill of "
            + config.fragmentCount().few()
            + " fragments ("
            + executor.name()
            + ")",
        m / f,
        Double.NaN,
        true,
        String.format(
            Locale.ROOT,
            "%d rows, c=%d: compact %d fragments into %d %.3f s + backfill %.3f s = %.3f s;"
                + " backfill of %d fragments %.3f s",
            config.fragmentCount().rows(),
            concurrency,
            config.fragmentCount().many(),
            fragmentsAfter,
            Benchmarks.median(compactTimes),
            Benchmarks.median(backfillTimes),
            m,
            config.fragmentCount().few(),
            f));
  }

  private BackfillOptions options(BackfillExecutor executor, int concurrency) {
    return BackfillOptions.builder()
        .concurrency(concurrency)
        .batchSize(config.batchSize())
        .executor(executor)
        .build();
  }

  /** One projection point: costs measured on a table of {@code fragments} fragments. */
  private record Point(
      int fragments,
      double planSeconds,
      double commitSeconds,
      double backfillSeconds,
      int commits) {}

  /**
   * (f3) Plans, backfills and commits on tables of growing fragment counts (few rows each), fits
   * each cost linearly in the fragment count and projects it to {@value #PROJECTED_FRAGMENTS}.
   */
  private Measurement projection(BackfillExecutor threads) throws Exception {
    int concurrency = Runtime.getRuntime().availableProcessors();
    List<Point> points = new ArrayList<>();
    for (int fragments : config.fragmentCount().projectionFragments()) {
      int perFragment = config.fragmentCount().projectionRowsPerFragment();
      String name = "proj-" + fragments;
      long created = System.nanoTime();
      Table t = TableData.create(db, name, (long) fragments * perFragment, perFragment);
      double createSeconds = (System.nanoTime() - created) / 1e9;
      t.addColumns(Map.of("id2", new TimesTwo()));
      List<Double> plans = new ArrayList<>();
      for (int i = 0; i < Math.max(3, config.repeats()); i++) {
        long start = System.nanoTime();
        t.planBackfill("id2", options(threads, concurrency));
        plans.add((System.nanoTime() - start) / 1e9);
      }
      long start = System.nanoTime();
      BackfillResult r = t.backfill("id2", options(threads, concurrency));
      double backfill = (System.nanoTime() - start) / 1e9;
      double commit = commitSeconds(t.uri());
      Point p = new Point(fragments, Benchmarks.median(plans), commit, backfill, r.commits());
      points.add(p);
      out.printf(
          Locale.ROOT,
          "    (f3) %6d fragments: table built in %.1f s, plan %.3f s, one commit %.4f s,"
              + " backfill %.2f s with %d commits%n",
          fragments,
          createSeconds,
          p.planSeconds(),
          p.commitSeconds(),
          p.backfillSeconds(),
          p.commits());
      TableData.delete(root.resolve(name + ".lance"));
    }
    double[] plan = fit(points, Point::planSeconds);
    double[] commit = fit(points, Point::commitSeconds);
    double[] backfill = fit(points, Point::backfillSeconds);
    int n = PROJECTED_FRAGMENTS;
    double planAt = plan[0] + plan[1] * n;
    double commitAt = commit[0] + commit[1] * n;
    double backfillAt = backfill[0] + backfill[1] * n;
    int lastCommits = points.get(points.size() - 1).commits();
    double fixedCountCommits = Math.ceil(n / 16.0) * commitAt;
    String caveat =
        plan[1] > 0 && commit[1] > 0 && backfill[1] > 0
            ? ""
            : "; a cost fell as fragments grew: the fit means nothing at these sizes, measure"
                + " larger --f-projection counts";
    String detail =
        String.format(
                Locale.ROOT,
                "fit over %s fragments x %d rows; at %d fragments: plan %.2f s, one commit %.3f s,"
                    + " threads backfill %.1f s (%.2f ms per fragment); the old fixed 16 fragments per"
                    + " commit would spend %.0f s in %d commits; largest measured run made %d commits",
                config.fragmentCount().projectionFragments(),
                config.fragmentCount().projectionRowsPerFragment(),
                n,
                planAt,
                commitAt,
                backfillAt,
                backfill[1] * 1e3,
                fixedCountCommits,
                (int) Math.ceil(n / 16.0),
                lastCommits)
            + caveat;
    // The ratio is measured, not projected: backfill time per fragment at the largest table over
    // the smallest (1.0 = linear in the fragment count; more = a per-fragment cost that grows).
    Point first = points.get(0);
    Point last = points.get(points.size() - 1);
    return new Measurement(
        "f3",
        "projection: backfill s/fragment at "
            + last.fragments()
            + " / at "
            + first.fragments()
            + " fragments (linear=1)",
        (last.backfillSeconds() / last.fragments()) / (first.backfillSeconds() / first.fragments()),
        Double.NaN,
        true,
        detail);
  }

  private interface Cost {
    double of(Point p);
  }

  /** Least-squares line {@code a + b * fragments}; returns {@code {a, b}}. */
  static double[] fit(List<Point> points, Cost cost) {
    int n = points.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Point p : points) {
      double x = p.fragments();
      double y = cost.of(p);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double denominator = n * sxx - sx * sx;
    if (n < 2 || denominator == 0) {
      return new double[] {0, sy / Math.max(1, sx)};
    }
    double b = (n * sxy - sx * sy) / denominator;
    return new double[] {(sy - b * sx) / n, b};
  }

  /**
   * The median time of a commit like the backfill's when no other writer committed meanwhile: open
   * the latest version and replace fragment 0's column file with a copy of itself (so the values
   * stay as they were). (With other writers the backfill also reads every fragment's metadata.)
   */
  private double commitSeconds(String uri) throws Exception {
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < Math.max(3, config.repeats()); i++) {
      DataReplacementGroup group;
      try (Dataset ds = Dataset.open(db.allocator(), uri, new ReadOptions.Builder().build())) {
        FragmentMetadata first = ds.getFragments().get(0).metadata();
        DataFile file = first.getFiles().get(first.getFiles().size() - 1);
        String copy = "bench-" + UUID.randomUUID() + ".lance";
        Path data = Path.of(uri).resolve("data");
        Files.copy(data.resolve(file.getPath()), data.resolve(copy));
        group =
            new DataReplacementGroup(
                first.getId(),
                new DataFile(
                    copy,
                    file.getFields(),
                    file.getColumnIndices(),
                    file.getFileMajorVersion(),
                    file.getFileMinorVersion(),
                    null,
                    null));
      }
      long start = System.nanoTime();
      try (Dataset latest = Dataset.open(db.allocator(), uri, new ReadOptions.Builder().build())) {
        Transaction tx =
            latest
                .newTransactionBuilder()
                .readVersion(latest.version())
                .operation(DataReplacement.builder().replacements(List.of(group)).build())
                .build();
        try (Dataset committed = tx.commit()) {
          times.add((System.nanoTime() - start) / 1e9);
        }
      }
    }
    return Benchmarks.median(times);
  }
}
