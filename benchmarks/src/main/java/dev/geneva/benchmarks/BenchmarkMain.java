package dev.geneva.benchmarks;

import java.io.PrintStream;
import java.util.List;

/**
 * Runs the benchmarks and prints each ratio with its target: {@code java -jar geneva-benchmarks.jar
 * [--rows 2m] [--repeats 3] ...}, or {@code rss <db> <table> <concurrency> <batch>} (the memory
 * benchmark's child process).
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  /**
   * The command line.
   *
   * @param args flags (see {@code --help}) or the {@code rss} sub-command
   * @throws Exception when a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("rss")) {
      RssProbe.child(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      usage(System.out);
      return;
    }
    BenchmarkConfig config;
    try {
      config = BenchmarkConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      usage(System.err);
      System.exit(2);
      return;
    }
    List<Measurement> results = run(config, System.out);
    System.exit(results.stream().allMatch(Measurement::pass) ? 0 : 1);
  }

  /**
   * Runs the benchmarks the configuration selects and prints a report.
   *
   * @param config sizes and repetitions
   * @param out where the report goes
   * @return the measurements, in order
   * @throws Exception when a benchmark fails
   */
  public static List<Measurement> run(BenchmarkConfig config, PrintStream out) throws Exception {
    return new Benchmarks(config, out).runAll();
  }

  private static void usage(PrintStream out) {
    BenchmarkConfig d = BenchmarkConfig.defaults();
    out.println(
        String.join(
            "\n",
            "usage: benchmarks/run.sh [flags]   (counts take k and m suffixes)",
            "  --rows N           rows of the overhead (a) and Lance SQL (d) tables ["
                + d.rows()
                + "]",
            "  --fragment-rows N  rows per fragment [" + d.fragmentRows() + "]",
            "  --cpu-rows N       rows of the scaling (b) table [" + d.cpuRows() + "]",
            "  --cpu-fragments N  fragments of the scaling table [" + d.cpuFragments() + "]",
            "  --hash-rounds N    hash rounds per row in (b) [" + d.hashRounds() + "]",
            "  --rss-rows N       rows of the memory (c) base table; large = 4x ["
                + d.rssRows()
                + "]",
            "  --rss-xmx SIZE     -Xmx of the memory benchmark's child JVMs [" + d.rssXmx() + "]",
            "  --repeats N        measured runs, median reported [" + d.repeats() + "]",
            "  --warmups N        unmeasured runs first [" + d.warmups() + "]",
            "  --batch-size N     rows per batch [" + d.batchSize() + "]",
            "  --embed-rows N     rows of the real-embedding (e) table [" + d.embedRows() + "]",
            "  --embed-model M    int8 (the quickstart's) or fp32 [" + d.embedModel() + "]",
            "  --only a,b,c,d,e   run a subset",
            "  --executors L      threads,ray: the executors of a, b, d, e [threads,ray]",
            "  --work-dir DIR     where temporary tables go [" + d.workDir() + "]",
            "exit code: 0 when every target is met, 1 when one is missed, 2 for bad flags"));
  }
}
