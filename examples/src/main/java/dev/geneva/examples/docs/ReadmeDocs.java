package dev.geneva.examples.docs;

import dev.geneva.BackfillExecutors;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.examples.udf.HashingEmbedding;
import dev.geneva.ray.RayExecutor;
import dev.geneva.spi.BackfillExecutor;
import java.util.Map;

/** Code of {@code README.md}. */
public final class ReadmeDocs {
  private ReadmeDocs() {}

  /** The README's first example. */
  public static void intro() {
    // docs:begin readme-intro
    try (Connection db = Geneva.connect("/data/db")) { // or s3://bucket/db, gs://bucket/db
      Table docs = db.openTable("docs");
      docs.addColumns(Map.of("embedding", new HashingEmbedding())); // all null, UDF in the schema
      BackfillResult r = docs.backfill("embedding"); // computes every null row
      System.out.println(r.rowsProcessed() + " rows computed");
    }
    // docs:end readme-intro
  }

  /** The README's choice of executor. */
  public static void executors() {
    // docs:begin readme-executors
    try (BackfillExecutor threads = BackfillExecutors.threads(); // or RayExecutor.local()
        Connection db =
            Geneva.connect("/data/db", ConnectOptions.builder().executor(threads).build())) {
      Table docs = db.openTable("docs");
      docs.backfill("embedding"); // on threads, even with geneva-ray on the class path
      try (RayExecutor ray = RayExecutor.local()) {
        docs.backfill("summary", BackfillOptions.builder().executor(ray).build()); // on Ray
      }
    }
    // docs:end readme-executors
  }
}
