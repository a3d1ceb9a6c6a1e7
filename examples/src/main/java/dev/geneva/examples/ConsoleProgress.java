package dev.geneva.examples;

import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import java.io.PrintStream;

/** Draws a one-line progress bar for a backfill on a terminal. */
public final class ConsoleProgress implements BackfillListener {
  private static final int WIDTH = 30;
  private final PrintStream out;

  /**
   * Creates a bar on a stream.
   *
   * @param out where to draw, usually {@code System.out}
   */
  public ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized void onProgress(BackfillProgress p) {
    int filled = (int) Math.round(p.fraction() * WIDTH);
    double seconds = p.elapsed().toMillis() / 1000.0;
    out.printf(
        "\r  %-10s [%s%s] %5.1f%%  %,d/%,d rows  %d/%d tasks  %.1fs",
        p.column(),
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        p.fraction() * 100,
        p.rowsDone(),
        p.rowsTotal(),
        p.tasksDone(),
        p.tasksTotal(),
        seconds);
    if (p.tasksDone() == p.tasksTotal()) {
      out.println();
    }
    out.flush();
  }
}
