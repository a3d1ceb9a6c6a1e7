package dev.geneva.examples;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillListener;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillProgress;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.examples.udf.HashingEmbedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code backfillAsync}: starts a backfill, watches it through a progress listener and {@link
 * BackfillJob#progress()}, cancels it part-way (finished fragments are committed, the rest stays
 * checkpointed), then finishes the column with a second run that reuses the checkpoints.
 */
public final class AsyncBackfill {
  private AsyncBackfill() {}

  /**
   * Runs the example locally.
   *
   * @param args database directory (default {@code ./async-db}) and row count (default 200,000)
   * @throws IOException when the database cannot be written
   * @throws InterruptedException when interrupted while waiting
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    Path dir = Path.of(args.length > 0 ? args[0] : "async-db");
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    Quickstart.deleteRecursively(dir);
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = Quickstart.createDocs(db, rows);
      docs.addColumns(Map.of("embedding", new HashingEmbedding()));

      // docs:begin async-backfill
      CountDownLatch started = new CountDownLatch(1);
      BackfillListener listener =
          new BackfillListener() {
            @Override
            public void onProgress(BackfillProgress p) {
              System.out.printf(
                  "%s: %.0f%% (%d/%d tasks)%n",
                  p.column(), p.fraction() * 100, p.tasksDone(), p.tasksTotal());
              if (p.rowsDone() > 0) {
                started.countDown();
              }
            }

            @Override
            public void onCommit(long version, int fragments) {
              System.out.printf("committed %d fragment(s) as version %d%n", fragments, version);
            }
          };
      BackfillJob job =
          docs.backfillAsync(
              "embedding", BackfillOptions.builder().listener(listener).concurrency(1).build());
      started.await(60, TimeUnit.SECONDS);
      System.out.println("progress now: " + job.progress());
      job.cancel(); // finished fragments are committed; the rest stays checkpointed
      try {
        job.join();
      } catch (CancellationException e) {
        System.out.println("cancelled");
      }
      BackfillResult rest = docs.backfill("embedding"); // computes only what is still null
      // docs:end async-backfill
      System.out.printf(
          "second run: %,d rows; rows without embedding: %d%n",
          rest.rowsProcessed(), docs.countRows("text IS NOT NULL AND embedding IS NULL"));
    }
  }
}
