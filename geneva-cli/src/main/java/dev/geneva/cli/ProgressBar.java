package dev.geneva.cli;

import dev.geneva.BackfillListener;
import dev.geneva.BackfillProgress;
import java.io.PrintWriter;

/**
 * Shows a backfill's progress: on a terminal one line redrawn with {@code \r}, otherwise a plain
 * line at most every few seconds (and at each 10%).
 */
public final class ProgressBar implements BackfillListener {
  private static final int WIDTH = 30;
  private static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private long lastPlain = Long.MIN_VALUE;
  private int lastDecile = -1;
  private boolean drawn;

  /**
   * Creates a bar.
   *
   * @param err where to draw it
   * @param terminal whether {@code err} is a terminal (one redrawn line) or not (plain lines)
   */
  public ProgressBar(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public synchronized void onProgress(BackfillProgress p) {
    double f = p.fraction();
    String text =
        String.format(
            "%s %5.1f%% %d/%d rows, %d/%d tasks, %d fragments committed, %ds",
            p.column(),
            f * 100,
            p.rowsDone(),
            p.rowsTotal(),
            p.tasksDone(),
            p.tasksTotal(),
            p.fragmentsCommitted(),
            p.elapsed().toSeconds());
    if (terminal) {
      int filled = (int) Math.round(f * WIDTH);
      err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + text + "\u001b[K");
      drawn = true;
      err.flush();
      return;
    }
    long now = System.nanoTime();
    int decile = (int) Math.floor(f * 10);
    if (decile != lastDecile || now - lastPlain >= PLAIN_INTERVAL_NANOS) {
      lastDecile = decile;
      lastPlain = now;
      err.println("progress: " + text);
      err.flush();
    }
  }

  /** Ends the redrawn line, if one was drawn. */
  public synchronized void finish() {
    if (terminal && drawn) {
      err.println();
      err.flush();
    }
  }
}
