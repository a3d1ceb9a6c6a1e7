package dev.geneva.examples.docs;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MaterializedView;
import dev.geneva.RefreshOptions;
import dev.geneva.RefreshResult;
import dev.geneva.ray.RayExecutor;

/** Code of {@code docs/views.md} beyond what {@code RagPipeline} shows. */
public final class ViewsDocs {
  private ViewsDocs() {}

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
