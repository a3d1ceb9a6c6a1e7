package dev.geneva.examples.docs;

import dev.geneva.AddResult;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillPlanSummary;
import dev.geneva.BackfillResult;
import dev.geneva.CompactOptions;
import dev.geneva.CompactResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.MergeInsertResult;
import dev.geneva.Table;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/** Code of {@code docs/backfill.md} and the README's append and plan example. */
public final class BackfillDocs {
  private BackfillDocs() {}

  /**
   * Appends rows from an Arrow IPC stream, then computes only the new rows.
   *
   * @throws IOException when the file cannot be read
   */
  public static void append() throws IOException {
    // docs:begin backfill-append
    try (Connection db = Geneva.connect("/data/db");
        InputStream in = Files.newInputStream(Path.of("new-docs.arrows"));
        ArrowReader rows = new ArrowStreamReader(in, db.allocator())) {
      Table docs = db.openTable("docs");
      AddResult added = docs.add(rows); // every column but the UDF columns, which read null
      BackfillResult r = docs.backfill("embedding"); // computes exactly the appended rows
      System.out.println(added.rowsAdded() + " rows added, " + r.rowsProcessed() + " computed");
    }
    // docs:end backfill-append
  }

  /**
   * Upserts rows by key, then recomputes the updated rows' UDF column.
   *
   * @throws IOException when the file cannot be read
   */
  public static void mergeInsert() throws IOException {
    // docs:begin backfill-merge-insert
    try (Connection db = Geneva.connect("/data/db");
        InputStream in = Files.newInputStream(Path.of("changed-docs.arrows"));
        ArrowReader rows = new ArrowStreamReader(in, db.allocator())) {
      Table docs = db.openTable("docs");
      MergeInsertResult m = docs.mergeInsert("id", rows); // update by id, insert the rest
      docs.backfill("embedding"); // the inserted rows (their UDF columns are null)
      // Updated rows keep their old values: recompute them by key.
      docs.backfill("embedding", BackfillOptions.builder().where("id IN (17, 42)").build());
      System.out.println(m.rowsInserted() + " inserted, " + m.rowsUpdated() + " updated");
    }
    // docs:end backfill-merge-insert
  }

  /** Plans a backfill without running it. */
  public static void plan() {
    // docs:begin backfill-plan
    try (Connection db = Geneva.connect("/data/db")) {
      Table docs = db.openTable("docs");
      BackfillPlanSummary plan = docs.planBackfill("embedding"); // computes and writes nothing
      System.out.printf(
          "%d rows in %d fragments, %d tasks; %d rows from checkpoints, %d to compute%n",
          plan.rowsSelected(),
          plan.fragments(),
          plan.tasks(),
          plan.rowsReusable(),
          plan.rowsToCompute());
    }
    // docs:end backfill-plan
  }

  /**
   * Compacts a table of many small fragments before backfilling it.
   *
   * @param docs the table
   */
  public static void compact(Table docs) {
    // docs:begin backfill-compact
    CompactResult r = docs.compact(); // Lance's defaults: fragments of about 1 M rows
    CompactResult s =
        docs.compact(
            CompactOptions.builder()
                .targetRowsPerFragment(250_000) // rows a compacted fragment aims at
                .maxRowsPerGroup(1_024) // rows per row group in the files written
                .materializeDeletions(true) // drop deleted rows (the default) ...
                .materializeDeletionsThreshold(0.1f) // ... from fragments with 10% or more deleted
                .build());
    System.out.println(r.fragmentsRemoved() + " fragments into " + r.fragmentsAdded());
    // docs:end backfill-compact
  }

  /**
   * Appends rows of Java values, then computes only the new rows.
   *
   * @param db the connection
   */
  public static void addRows(Connection db) {
    // docs:begin backfill-add-rows
    Table docs = db.openTable("docs");
    docs.add(
        List.of(
            Map.of("id", 4_501L, "text", "a new document"),
            Map.of("id", 4_502L, "text", "another one")));
    docs.backfill("embedding"); // computes exactly these two rows
    // docs:end backfill-add-rows
  }

  // docs:begin backfill-output-columns-udf
  /** Word count and language of a text, computed by one UDF into two columns. */
  public static class TextStats implements ScalarUdf<Map<String, Object>> {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder()
          .inputs("text")
          .outputColumns(
              UdfTypes.named("words", UdfTypes.int64()), UdfTypes.named("lang", UdfTypes.utf8()))
          .build();
    }

    @Override
    public Map<String, Object> apply(Row row) {
      if (row.isNull("text")) {
        return null; // every column null
      }
      String text = row.getString("text");
      return Map.of(
          "words",
          (long) text.split("\\s+").length,
          "lang",
          text.chars().allMatch(c -> c < 128) ? "en" : "other");
    }
  }

  // docs:end backfill-output-columns-udf

  /** Adds the two columns of {@link TextStats} and computes both in one pass. */
  public static void outputColumns() {
    // docs:begin backfill-output-columns
    try (Connection db = Geneva.connect("/data/db")) {
      Table docs = db.openTable("docs");
      docs.addColumns(Map.of("stats", new TextStats())); // adds columns "words" and "lang"
      BackfillResult r = docs.backfill("stats"); // or "words", or "lang": computes both
      System.out.println(r.rowsProcessed() + " rows, two columns, one pass");
    }
    // docs:end backfill-output-columns
  }
}
