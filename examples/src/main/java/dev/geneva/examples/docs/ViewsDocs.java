package dev.geneva.examples.docs;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshJob;
import dev.geneva.RefreshOptions;
import dev.geneva.RefreshProgress;
import dev.geneva.RefreshResult;
import dev.geneva.Table;
import dev.geneva.examples.udf.WordCount;
import dev.geneva.ray.RayExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;

/** Code of the materialized views page of the docs. */
public final class ViewsDocs {
  private ViewsDocs() {}

  /**
   * A shuffled sample of a table, as a training set.
   *
   * @param db the database
   * @param docs a table with {@code id} and {@code text} columns
   * @return the view
   */
  public static MaterializedView sample(Connection db, Table docs) {
    // docs:begin views-sample
    MaterializedView training =
        db.createMaterializedView(
            "training_sample",
            docs.query().select("id", "text").where("text IS NOT NULL").sample(0.1, 42).shuffle(7),
            Map.of("words", new WordCount()));
    training.refresh(); // about 10% of the rows, in a seeded random order
    // docs:end views-sample
    return training;
  }

  /**
   * A refresh in the background, watched and cancelled.
   *
   * @param view a view with a UDF column
   * @throws InterruptedException when interrupted while watching
   */
  public static void async(MaterializedView view) throws InterruptedException {
    // docs:begin views-refresh-async
    RefreshJob job = view.refreshAsync(RefreshOptions.defaults());
    while (!job.future().isDone()) {
      RefreshProgress p = job.progress();
      System.out.printf(
          "%s: %d/%d fragments, %d rows added, %d values computed%n",
          p.phase(), p.fragmentsDone(), p.fragmentsTotal(), p.viewRowsAdded(), p.rowsComputed());
      if (p.elapsed().compareTo(Duration.ofHours(1)) > 0) {
        job.cancel(); // stops at a safe point; the next refresh finishes the job
      }
      Thread.sleep(1_000);
    }
    try {
      System.out.println(job.join().sourceRowsAdded() + " source rows added");
    } catch (CancellationException e) {
      view.refresh(); // resumes
    }
    // docs:end views-refresh-async
  }

  /**
   * A refresh that fails at once when another refresh of the view is running.
   *
   * @param view the view
   * @return the result
   */
  public static RefreshResult noWait(MaterializedView view) {
    // docs:begin views-refresh-no-wait
    RefreshResult result =
        view.refresh(RefreshOptions.builder().waitForOtherRefresh(Duration.ZERO).build());
    // docs:end views-refresh-no-wait
    return result;
  }

  /** Refreshes a UDTF view with its expansion on embedded Ray, four source fragments at a time. */
  public static void refreshOnRay() {
    // docs:begin views-refresh-executor
    try (RayExecutor ray = RayExecutor.local();
        Connection db = Geneva.connect("/data/db")) {
      MaterializedView passages = db.openMaterializedView("passages");
      RefreshResult r =
          passages.refresh(
              RefreshOptions.builder()
                  .backfillOptions(BackfillOptions.builder().executor(ray).concurrency(4).build())
                  .build()); // the chunker runs in Ray tasks, up to 4 at a time
      System.out.println(r.viewRowsAdded() + " passages added");
    }
    // docs:end views-refresh-executor
  }
}
