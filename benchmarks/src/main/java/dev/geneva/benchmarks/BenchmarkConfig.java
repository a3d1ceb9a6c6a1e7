package dev.geneva.benchmarks;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Sizes and repetitions of a benchmark run.
 *
 * @param rows rows of the overhead (a) and Lance SQL (d) tables
 * @param fragmentRows rows per fragment of those tables and of the memory (c) base table
 * @param cpuRows rows of the scaling (b) table
 * @param cpuFragments fragments of the scaling table
 * @param hashRounds hash rounds per row of the CPU-bound UDF
 * @param rssRows rows of the memory base table (the large ones have 4 times as many)
 * @param rssXmx the heap limit of the memory benchmark's child JVMs, e.g. {@code 512m}
 * @param repeats measured repetitions (the median is reported)
 * @param warmups unmeasured runs before them
 * @param batchSize rows per scanned batch, for Geneva and the baseline alike
 * @param only the benchmarks to run, a subset of {@code a b c d e}
 * @param workDir where the temporary tables go
 * @param executors the executors of (a), (b), (d) and (e): {@code threads} and/or {@code ray}
 * @param embedRows rows of the real-embedding (e) table
 * @param embedModel the embedding model of (e): {@code int8} or {@code fp32}
 */
public record BenchmarkConfig(
    long rows,
    int fragmentRows,
    long cpuRows,
    int cpuFragments,
    int hashRounds,
    long rssRows,
    String rssXmx,
    int repeats,
    int warmups,
    int batchSize,
    Set<String> only,
    Path workDir,
    Set<String> executors,
    long embedRows,
    String embedModel) {

  /** All the benchmarks. */
  public static final Set<String> ALL = Set.of("a", "b", "c", "d", "e");

  /** Both executors: geneva-core's threads and embedded Ray (LOCAL mode). */
  public static final Set<String> EXECUTORS = Set.of("threads", "ray");

  /**
   * The defaults: a few minutes on 2 cores.
   *
   * @return the default configuration
   */
  public static BenchmarkConfig defaults() {
    return new BenchmarkConfig(
        4_000_000,
        250_000,
        128_000,
        8,
        4_000,
        1_000_000,
        "512m",
        3,
        1,
        4_096,
        ALL,
        Path.of(System.getProperty("java.io.tmpdir")),
        EXECUTORS,
        6_000,
        "int8");
  }

  /**
   * A tiny configuration for smoke tests: seconds, numbers meaningless.
   *
   * @param workDir where the temporary tables go
   * @return the configuration
   */
  public static BenchmarkConfig tiny(Path workDir) {
    return new BenchmarkConfig(
        4_000, 1_000, 2_000, 4, 10, 4_000, "256m", 1, 0, 512, ALL, workDir, EXECUTORS, 48, "int8");
  }

  /**
   * Parses {@code --name value} flags over the defaults.
   *
   * @param args the flags
   * @return the configuration
   * @throws IllegalArgumentException for an unknown flag or a bad value
   */
  public static BenchmarkConfig parse(String... args) {
    BenchmarkConfig d = defaults();
    long rows = d.rows;
    int fragmentRows = d.fragmentRows;
    long cpuRows = d.cpuRows;
    int cpuFragments = d.cpuFragments;
    int hashRounds = d.hashRounds;
    long rssRows = d.rssRows;
    String rssXmx = d.rssXmx;
    int repeats = d.repeats;
    int warmups = d.warmups;
    int batchSize = d.batchSize;
    Set<String> only = d.only;
    Path workDir = d.workDir;
    Set<String> executors = d.executors;
    long embedRows = d.embedRows;
    String embedModel = d.embedModel;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("flag " + flag + " needs a value");
      }
      String v = args[++i];
      switch (flag) {
        case "--rows" -> rows = number(v);
        case "--fragment-rows" -> fragmentRows = Math.toIntExact(number(v));
        case "--cpu-rows" -> cpuRows = number(v);
        case "--cpu-fragments" -> cpuFragments = Math.toIntExact(number(v));
        case "--hash-rounds" -> hashRounds = Math.toIntExact(number(v));
        case "--rss-rows" -> rssRows = number(v);
        case "--rss-xmx" -> rssXmx = v;
        case "--repeats" -> repeats = Math.toIntExact(number(v));
        case "--warmups" -> warmups = Math.toIntExact(number(v));
        case "--batch-size" -> batchSize = Math.toIntExact(number(v));
        case "--only" -> only = only(v);
        case "--work-dir" -> workDir = Path.of(v);
        case "--executors" -> executors = subset("--executors", v, EXECUTORS);
        case "--embed-rows" -> embedRows = number(v);
        case "--embed-model" -> embedModel = v.toLowerCase(Locale.ROOT);
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    BenchmarkConfig c =
        new BenchmarkConfig(
            rows,
            fragmentRows,
            cpuRows,
            cpuFragments,
            hashRounds,
            rssRows,
            rssXmx,
            repeats,
            warmups,
            batchSize,
            only,
            workDir,
            executors,
            embedRows,
            embedModel);
    c.check();
    return c;
  }

  private void check() {
    if (rows < 1 || fragmentRows < 1 || cpuRows < 1 || cpuFragments < 1 || hashRounds < 1) {
      throw new IllegalArgumentException("sizes must be at least 1: " + this);
    }
    if (rssRows < 2 || repeats < 1 || warmups < 0 || batchSize < 1) {
      throw new IllegalArgumentException(
          "--rss-rows must be at least 2, --repeats and --batch-size at least 1, --warmups at"
              + " least 0: "
              + this);
    }
    if (embedRows < 1 || !(embedModel.equals("int8") || embedModel.equals("fp32"))) {
      throw new IllegalArgumentException(
          "--embed-rows must be at least 1 and --embed-model int8 or fp32: " + this);
    }
  }

  private static Set<String> only(String v) {
    return subset("--only", v, ALL);
  }

  private static Set<String> subset(String flag, String v, Set<String> allowed) {
    Set<String> s = Set.of(v.toLowerCase(Locale.ROOT).split(","));
    if (s.isEmpty() || !allowed.containsAll(s)) {
      throw new IllegalArgumentException(
          flag
              + " takes a comma list of "
              + String.join(",", allowed.stream().sorted().toList())
              + ", got "
              + v);
    }
    return s;
  }

  /**
   * Parses a count with an optional {@code k} or {@code m} suffix.
   *
   * @param v e.g. {@code 250k}
   * @return the number
   */
  static long number(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT).replace("_", "");
    long scale = 1;
    if (s.endsWith("k")) {
      scale = 1_000;
      s = s.substring(0, s.length() - 1);
    } else if (s.endsWith("m")) {
      scale = 1_000_000;
      s = s.substring(0, s.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(s), scale);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a count: " + v, e);
    }
  }
}
