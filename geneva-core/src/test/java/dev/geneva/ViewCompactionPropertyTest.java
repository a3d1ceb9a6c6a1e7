package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.compaction.CompactionOptions;
import dev.geneva.testing.ChunkEmbedding;
import dev.geneva.testing.Faults;
import dev.geneva.testing.FlakyLength;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextChunker;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random histories of a source table — appends, deletes, compactions by plain lance-core and by
 * {@link Table#compact}, backfills of a source UDF column that a view copies (after a compaction
 * they separate the column from the shared file), refreshes that fail part-way — with a plain view
 * (a copied source UDF column and a UDF column of its own) and a UDTF view: after every finished
 * refresh each view equals a view of the same query built from scratch at the same source version,
 * every column (the source row ids included) read with plain lance-core.
 */
class ViewCompactionPropertyTest {
  @TempDir Path dir;
  Connection db;

  @BeforeEach
  void open() {
    Faults.reset();
    db = Geneva.connect(dir.toString());
  }

  @AfterEach
  void close() {
    Faults.reset();
    db.close();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void refresh_afterHistoryWithCompactions_equalsViewsBuiltFromScratch(long seed) {
    Random random = new Random(seed);
    Table docs =
        SampleTables.create(db, "docs", 100 + random.nextInt(150), 10 + random.nextInt(40));
    docs.addColumns(Map.of("len", new TextLength()));
    long nextId = docs.countRows();
    Query plainQuery = docs.query().select("id", "text", "len").where("id % 5 <> 0");
    Query udtfQuery = docs.query().select("id", "text");
    MaterializedView plain =
        db.createMaterializedView("plain", plainQuery, Map.of("vlen", new FlakyLength()));
    MaterializedView chunks =
        db.createUdtfView(
            "chunks", udtfQuery, new TextChunker(), Map.of("embedding", new ChunkEmbedding()));
    RefreshOptions options =
        RefreshOptions.builder()
            .backfillOptions(BackfillOptions.builder().concurrency(2).batchSize(16).build())
            .build();
    List<String> history = new ArrayList<>();
    // Every history starts with a refresh, a delete, a compaction and a backfill of the copied
    // source UDF column (which then lives in the compacted file), then goes random.
    int[] start = {5, 1, 2 + random.nextInt(2), 4};
    for (int step = 0; step < 7; step++) {
      int action = step < start.length ? start[step] : random.nextInt(6);
      switch (action) {
        case 0 -> {
          int rows = 1 + random.nextInt(60);
          try (ArrowStreamReader r = SampleTables.rows(db.allocator(), nextId, rows)) {
            docs.add(r);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          nextId += rows;
          history.add("append " + rows);
        }
        case 1 -> {
          String filter = "id % " + (3 + random.nextInt(9)) + " = " + random.nextInt(3);
          docs.delete(filter);
          history.add("delete " + filter);
        }
        case 2 -> {
          boolean materialize = random.nextBoolean();
          long target = random.nextBoolean() ? 60 : 1_000_000;
          CompactedTableBackfillTest.compactWithLance(
              docs.uri(),
              CompactionOptions.builder()
                  .withTargetRowsPerFragment(target)
                  .withMaterializeDeletions(materialize)
                  .build());
          history.add("lance compact target " + target + " materialize " + materialize);
        }
        case 3 -> {
          CompactResult r =
              docs.compact(
                  CompactOptions.builder().targetRowsPerFragment(50 + random.nextInt(200)).build());
          history.add("Table.compact " + r);
        }
        case 4 -> {
          String where = random.nextBoolean() ? null : "id % 2 = " + random.nextInt(2);
          docs.backfill(
              "len",
              where == null
                  ? BackfillOptions.defaults()
                  : BackfillOptions.builder().where(where).build());
          history.add("backfill len where " + where);
        }
        default -> {
          long failing = random.nextInt((int) nextId);
          Faults.FAILING_IDS.add(failing);
          MaterializedView view = random.nextBoolean() ? plain : chunks;
          try {
            view.refresh(options);
            history.add("refresh " + view.name() + " (failing id " + failing + " not hit)");
          } catch (GenevaException expected) {
            history.add("refresh " + view.name() + " failed at id " + failing);
          }
          Faults.reset();
        }
      }
      if (step == start.length - 1 || (step >= start.length && random.nextInt(3) > 0)) {
        plain.refresh(options);
        chunks.refresh(options);
        String when = "seed " + seed + " after " + history;
        assertEqualsScratch(plain, plainQuery, Map.of("vlen", new FlakyLength()), null, when);
        assertEqualsScratch(
            chunks, udtfQuery, Map.of("embedding", new ChunkEmbedding()), new TextChunker(), when);
        history.add("refreshed both");
      }
    }
  }

  /**
   * A refresh that stopped after adding the rows of appended fragments, the source compacted (those
   * fragments gone), a refresh cancelled while it deletes the rows of the gone fragments, then a
   * finished refresh: no row of a gone fragment may stay behind.
   */
  @org.junit.jupiter.api.Test
  void refresh_whenCancelledWhileDeletingCompactedFragmentsOfAnUnfinishedRefresh_leavesNoOrphans()
      throws Exception {
    Table docs = SampleTables.create(db, "docs", 40, 20);
    MaterializedView view =
        db.createMaterializedView(
            "view", docs.query().select("id", "text"), Map.of("vlen", new FlakyLength()));
    RefreshOptions options =
        RefreshOptions.builder()
            .backfillOptions(BackfillOptions.builder().concurrency(1).build())
            .build();
    view.refresh(options);
    for (long id = 40; id < 240; id += 5) {
      try (ArrowStreamReader r = SampleTables.rows(db.allocator(), id, 5)) {
        docs.add(r);
      }
    }
    Faults.FAILING_IDS.add(237L);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> view.refresh(options))
        .isInstanceOf(GenevaException.class);
    Faults.reset();
    assertThat(view.planRefresh().resuming()).isTrue();
    docs.compact();

    RefreshJob job = view.refreshAsync(options);
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
    while (job.progress().viewRowsDeleted() == 0
        && !job.future().isDone()
        && java.time.Instant.now().isBefore(deadline)) {
      Thread.sleep(1);
    }
    boolean cancelled = job.cancel();
    try {
      job.join();
    } catch (java.util.concurrent.CancellationException expected) {
      // stopped part-way, as intended
    }
    assertThat(cancelled).as("the refresh was still running when cancelled").isTrue();

    view.refresh(options);

    assertEqualsScratch(
        view,
        docs.query().select("id", "text"),
        Map.of("vlen", new FlakyLength()),
        null,
        "after a cancelled refresh of a compacted source");
  }

  private int scratchCount;

  private void assertEqualsScratch(
      MaterializedView view,
      Query query,
      Map<String, dev.geneva.udf.Udf> udfs,
      dev.geneva.udf.Udtf udtf,
      String when) {
    String name = view.name() + "_scratch" + scratchCount++;
    MaterializedView scratch =
        udtf == null
            ? db.createMaterializedView(name, query, udfs)
            : db.createUdtfView(name, query, udtf, udfs);
    scratch.refresh(
        RefreshOptions.builder()
            .sourceVersion(view.refreshedVersion().orElseThrow())
            .backfillOptions(BackfillOptions.builder().concurrency(2).build())
            .build());
    assertThat(MaterializedViewTest.rows(view.table().uri()))
        .as("view %s, %s", view.name(), when)
        .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
    db.dropTable(name);
  }
}
