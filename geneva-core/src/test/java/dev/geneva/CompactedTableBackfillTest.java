package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.compaction.CompactionOptions;
import dev.geneva.testing.Faults;
import dev.geneva.testing.IdSignature;
import dev.geneva.testing.IdSignatures;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.udf.Udf;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backfills of tables compacted with plain lance-core ({@code Dataset.compact}), which writes every
 * column of a fragment, UDF columns included, into one new data file under a new fragment id. Every
 * result is read back with plain lance-core and compared with the independent computation and with
 * a clean twin that was never interrupted nor compacted. {@code -Dgeneva.compact.seeds=N} runs more
 * seeds, {@code -Dgeneva.compact.firstSeed=S} replays one.
 */
class CompactedTableBackfillTest {
  @TempDir Path dir;

  @BeforeEach
  @AfterEach
  void reset() {
    Faults.reset();
    IdSignature.NULL_EVERY.set(0);
  }

  /** Plain lance-core's compaction, as anyone else would run it on the table. */
  static void compactWithLance(String uri, CompactionOptions options) {
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator)) {
      ds.compact(options);
    }
  }

  static Set<Integer> fragmentIds(String uri) {
    Set<Integer> ids = new HashSet<>();
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator)) {
      ds.getFragments().forEach(f -> ids.add(f.getId()));
    }
    return ids;
  }

  @Test
  void backfill_whenColumnWasCompactedIntoOneFileWithTheInputs_computesEveryRow() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 300, 50);
      t.delete("id % 7 = 1");
      t.addColumns(Map.of("sig", new IdSignature()));
      t.backfill("sig", BackfillOptions.builder().where("id < 120").build());
      compactWithLance(
          t.uri(),
          CompactionOptions.builder()
              .withTargetRowsPerFragment(1_000)
              .withMaterializeDeletions(true)
              .build());
      assertThat(fragmentIds(t.uri())).hasSize(1);

      BackfillResult r = t.backfill("sig");

      // Before the fix: "Expected to modify the fragment but no changes were made" from Lance.
      assertThat(r.rowsProcessed()).isEqualTo(t.countRows("id >= 120"));
      assertThat(LanceColumns.byId(t.uri(), "sig")).isEqualTo(expected(t.uri(), "sig"));
      // The column now has a file of its own: a later backfill replaces it as usual.
      t.backfill("sig", BackfillOptions.builder().where("id % 3 = 0").build());
      assertThat(LanceColumns.byId(t.uri(), "sig")).isEqualTo(expected(t.uri(), "sig"));
      assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(300 - 43);
    }
  }

  static Stream<Long> seeds() {
    long first = Long.getLong("geneva.compact.firstSeed", 1L);
    return LongStream.range(first, first + Integer.getInteger("geneva.compact.seeds", 8)).boxed();
  }

  /**
   * A backfill interrupted by a failing row, the table compacted by plain lance-core (some
   * fragments, or all; deletions materialised or not), more rows deleted, then resumed: equal to a
   * clean run row for row, and no checkpoint of a rewritten fragment reused.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void backfill_whenInterruptedThenTableCompactedThenResumed_equalsCleanRunRowForRow(long seed) {
    Random rng = new Random(seed);
    boolean group = seed % 3 == 0;
    int rows = 150 + rng.nextInt(450);
    int rowsPerFragment = 10 + rng.nextInt(70);
    long deleteModulus = rng.nextBoolean() ? 3 + rng.nextInt(6) : 0;
    long prefillBelow = rng.nextInt(3) == 0 ? 1 + rng.nextInt(rows / 2) : 0;
    long rowsPerTask = rng.nextBoolean() ? 5 + rng.nextInt(rowsPerFragment) : rowsPerFragment * 4L;
    int commitEvery = 1 + rng.nextInt(3);
    int concurrency = 1 + rng.nextInt(2);
    long nullEvery = rng.nextBoolean() ? 0 : 5 + rng.nextInt(10);
    long target = List3.pick(rng, rowsPerFragment * 3L, 250L, 1_000_000L);
    boolean materialize = rng.nextBoolean();
    long deleteBetween = rng.nextInt(3) == 0 ? 4 + rng.nextInt(5) : 0;
    long poison = prefillBelow + rng.nextInt((int) (rows - prefillBelow));
    while (deleteModulus > 0 && poison % deleteModulus == 0) {
      poison = (poison + 1) % rows;
    }
    String what =
        String.format(
            "seed %d: rows %d per fragment %d delete %%%d prefill <%d per task %d commitEvery %d"
                + " concurrency %d nullEvery %d target %d materialize %s deleteBetween %%%d"
                + " poison %d group %s",
            seed,
            rows,
            rowsPerFragment,
            deleteModulus,
            prefillBelow,
            rowsPerTask,
            commitEvery,
            concurrency,
            nullEvery,
            target,
            materialize,
            deleteBetween,
            poison,
            group);
    IdSignature.NULL_EVERY.set(nullEvery);
    BackfillOptions options =
        BackfillOptions.builder()
            .rowsPerTask(rowsPerTask)
            .commitEvery(commitEvery)
            .concurrency(concurrency)
            .batchSize(16)
            .build();
    String column = group ? "sigs" : "sig";
    Udf udf = group ? new IdSignatures() : new IdSignature();

    String clean;
    try (Connection db = Geneva.connect(dir.resolve("clean").toString())) {
      Table t = SampleTables.create(db, "docs", rows, rowsPerFragment);
      if (deleteModulus > 0) {
        t.delete("id % " + deleteModulus + " = 0");
      }
      t.addColumns(Map.of(column, udf));
      if (deleteBetween > 0) {
        t.delete("id % " + deleteBetween + " = 1");
      }
      t.backfill(column, options);
      clean = t.uri();
    }

    try (Connection db = Geneva.connect(dir.resolve("compacted").toString())) {
      Table t = SampleTables.create(db, "docs", rows, rowsPerFragment);
      if (deleteModulus > 0) {
        t.delete("id % " + deleteModulus + " = 0");
      }
      t.addColumns(Map.of(column, udf));
      if (prefillBelow > 0) {
        t.backfill(column, options.toBuilder().where("id < " + prefillBelow).build());
      }
      Faults.FAILING_IDS.add(poison);
      boolean interrupted;
      try {
        t.backfill(column, options);
        interrupted = false;
      } catch (BackfillFailedException expected) {
        interrupted = true;
      }
      Faults.reset();
      assertThat(interrupted).as(what).isTrue();

      Set<Integer> before = fragmentIds(t.uri());
      compactWithLance(
          t.uri(),
          CompactionOptions.builder()
              .withTargetRowsPerFragment(target)
              .withMaterializeDeletions(materialize)
              .build());
      Set<Integer> untouched = new HashSet<>(fragmentIds(t.uri()));
      untouched.retainAll(before);
      if (deleteBetween > 0) {
        t.delete("id % " + deleteBetween + " = 1");
      }

      BackfillResult resumed = t.backfill(column, options);

      if (untouched.isEmpty()) {
        // Every fragment was rewritten: no checkpoint of the old fragments may be taken for them.
        assertThat(resumed.rowsSkipped()).as("rows reused from checkpoints, %s", what).isZero();
      }
      assertThat(LanceColumns.byId(t.uri(), "sig"))
          .as("sig read with lance-core, %s", what)
          .isEqualTo(LanceColumns.byId(clean, "sig"))
          .isEqualTo(expected(clean, "sig"));
      if (group) {
        assertThat(text(LanceColumns.byId(t.uri(), "sig_text")))
            .as("sig_text, %s", what)
            .isEqualTo(text(LanceColumns.byId(clean, "sig_text")))
            .isEqualTo(expected(clean, "sig_text"));
      }
      assertThat(t.countRows()).as(what).isEqualTo(LanceColumns.scanAll(db.allocator(), clean));

      // Compacted again (the column's own file joins the others again), then a partial recompute.
      compactWithLance(
          t.uri(), CompactionOptions.builder().withTargetRowsPerFragment(1_000_000).build());
      t.backfill(column, options.toBuilder().where("id % 4 = 2").build());
      assertThat(LanceColumns.byId(t.uri(), "sig"))
          .as("after a second compaction and a partial recompute, %s", what)
          .isEqualTo(expected(clean, "sig"));
      // Only rows whose computed value is null are selected again.
      assertThat(t.backfill(column, options).rowsProcessed())
          .as(what)
          .isEqualTo(t.countRows(group ? "sig IS NULL OR sig_text IS NULL" : "sig IS NULL"));
      assertThat(LanceColumns.byId(t.uri(), "sig")).as(what).isEqualTo(expected(clean, "sig"));
    }
  }

  private static Map<Long, Object> text(Map<Long, Object> values) {
    Map<Long, Object> out = new TreeMap<>();
    values.forEach((id, v) -> out.put(id, v == null ? null : v.toString()));
    return out;
  }

  /** The independently computed value of every live row of the table. */
  static Map<Long, Object> expected(String uri, String column) {
    Map<Long, Object> out = new TreeMap<>();
    for (long id : LanceColumns.byId(uri, "id").keySet()) {
      out.put(id, column.equals("sig") ? IdSignature.expected(id) : IdSignatures.expectedText(id));
    }
    return out;
  }

  /** Picks one of a few values. */
  private static final class List3 {
    static long pick(Random rng, long a, long b, long c) {
      return switch (rng.nextInt(3)) {
        case 0 -> a;
        case 1 -> b;
        default -> c;
      };
    }
  }
}
