package dev.geneva.benchmarks;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.spi.BackfillExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Peak resident memory of one backfill, measured in a JVM of its own: the parent starts {@code java
 * <opens> -Xmx<fixed> -cp <same classpath> BenchmarkMain rss ...}; the child backfills and prints
 * its {@code VmHWM} from {@code /proc/self/status}.
 */
public final class RssProbe {
  /** The line prefix the child prints its peak RSS with, in KiB. */
  public static final String PREFIX = "GENEVA_BENCH_VMHWM_KB=";

  private RssProbe() {}

  /**
   * The child side: adds {@link TextLength} as {@code len}, fills it with Geneva's backfill (or,
   * with mode {@code baseline}, the hand-written loop) and prints the peak RSS.
   *
   * @param args database directory, table name, concurrency, batch size, optional mode
   * @throws Exception when the baseline loop fails
   */
  public static void child(String[] args) throws Exception {
    if (args.length != 4 && args.length != 5) {
      throw new IllegalArgumentException(
          "rss needs: <db dir> <table> <concurrency> <batch size> [geneva|baseline]");
    }
    try (Connection db = Geneva.connect(args[0])) {
      Table t = db.openTable(args[1]);
      t.addColumns(Map.of("len", new TextLength()));
      if (args.length == 5 && args[4].equals("baseline")) {
        long rows = BaselineBackfill.run(db.allocator(), t.uri(), "len", Integer.parseInt(args[3]));
        System.out.println("rows=" + rows);
        System.out.println(PREFIX + peakRssKiB());
        return;
      }
      try (BackfillExecutor executor = BackfillExecutors.threads(db.allocator())) {
        BackfillResult r =
            t.backfill(
                "len",
                BackfillOptions.builder()
                    .concurrency(Integer.parseInt(args[2]))
                    .batchSize(Integer.parseInt(args[3]))
                    .executor(executor)
                    .build());
        System.out.println("rows=" + r.rowsProcessed());
      }
    }
    System.out.println(PREFIX + peakRssKiB());
  }

  /**
   * This process's peak resident set size.
   *
   * @return VmHWM in KiB, or -1 where {@code /proc} is missing
   */
  public static long peakRssKiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * The parent side: runs the child on a table and returns its peak RSS.
   *
   * @param dbDir the database directory
   * @param table the table's name
   * @param concurrency backfill concurrency
   * @param batchSize rows per batch
   * @param mode {@code geneva} or {@code baseline} (the hand-written loop)
   * @param xmx the child's heap limit
   * @return the child's VmHWM in KiB
   * @throws InterruptedException when interrupted while waiting
   */
  public static long measure(
      Path dbDir, String table, int concurrency, int batchSize, String xmx, String mode)
      throws InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOpens());
    // A heap of fixed size, touched up front: its pages count the same in every run, so what
    // the ratio shows is whether the rest (Arrow buffers, Lance's native memory) grows with data.
    cmd.add("-Xms" + xmx);
    cmd.add("-Xmx" + xmx);
    cmd.add("-XX:+AlwaysPreTouch");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BenchmarkMain.class.getName());
    cmd.add("rss");
    cmd.add(dbDir.toString());
    cmd.add(table);
    cmd.add(Integer.toString(concurrency));
    cmd.add(Integer.toString(batchSize));
    cmd.add(mode);
    String output;
    int rc;
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      rc = p.waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd.get(0), e);
    }
    if (rc != 0) {
      throw new IllegalStateException("child JVM exited with " + rc + ": " + cmd + "\n" + output);
    }
    return output
        .lines()
        .filter(l -> l.startsWith(PREFIX))
        .mapToLong(l -> Long.parseLong(l.substring(PREFIX.length()).trim()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("child JVM printed no RSS:\n" + output));
  }

  /**
   * The {@code --add-opens} flags of the root pom's {@code geneva.jvm.opens}, filtered into a
   * resource at build time.
   *
   * @return the flags
   */
  static List<String> jvmOpens() {
    Properties p = new Properties();
    try (InputStream in = RssProbe.class.getResourceAsStream("/geneva-benchmarks-jvm.properties")) {
      if (in == null) {
        throw new IllegalStateException("geneva-benchmarks-jvm.properties missing from the jar");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String opens = p.getProperty("jvm.opens", "").trim();
    if (opens.isEmpty() || opens.contains("${")) {
      throw new IllegalStateException("jvm.opens was not filtered by Maven: " + opens);
    }
    return Arrays.asList(opens.split("\\s+"));
  }
}
