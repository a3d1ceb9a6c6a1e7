package dev.geneva.examples.docs;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.examples.ConsoleProgress;
import dev.geneva.ray.RayExecutor;
import dev.geneva.spi.BackfillExecutor;
import java.time.Duration;

/** Code of {@code docs/configuration.md}. */
public final class ConfigurationDocs {
  private ConfigurationDocs() {}

  /**
   * Connect and backfill options.
   *
   * @return the result
   */
  public static BackfillResult options() {
    // docs:begin configuration-options
    ConnectOptions connect =
        ConnectOptions.builder()
            .storageOption("aws_region", "us-east-1") // Lance storage options
            .build();
    try (Connection db = Geneva.connect("s3://my-bucket/db", connect)) {
      Table table = db.openTable("docs");
      BackfillOptions options =
          BackfillOptions.builder()
              .where("id < 1000") // default: embedding IS NULL
              .concurrency(8) // default: available processors
              .batchSize(1024) // default 4096
              .rowsPerTask(100_000) // default: one task per fragment
              .commitEvery(4) // default: max(16, fragments / 10) per commit
              .commitInterval(Duration.ofSeconds(30)) // default 60 s
              .maxCommitAttempts(20) // default 10
              .listener(new ConsoleProgress(System.out))
              .build();
      return table.backfill("embedding", options);
    }
    // docs:end configuration-options
  }

  /**
   * Choosing executors per connection and per backfill.
   *
   * @return the result of the backfill on Ray
   */
  public static BackfillResult executors() {
    // docs:begin configuration-executors
    try (BackfillExecutor threads = BackfillExecutors.threads(); // threads of this JVM
        RayExecutor ray = RayExecutor.local(); // embedded Ray (geneva-ray)
        Connection db =
            Geneva.connect("/data/db", ConnectOptions.builder().executor(threads).build())) {
      Table table = db.openTable("docs");
      table.backfill("length"); // the connection's executor: threads
      BackfillOptions onRay = BackfillOptions.builder().executor(ray).build();
      return table.backfill("embedding", onRay); // this backfill's executor: Ray
    } // the executors close after the connection that uses them
    // docs:end configuration-executors
  }
}
