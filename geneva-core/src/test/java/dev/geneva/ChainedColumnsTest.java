package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A UDF column read by another UDF column: when the input is recomputed by another UDF, the column
 * reading it is recomputed too, and an ordinary incremental pipeline recomputes nothing twice.
 * Values are read back with plain lance-core.
 */
class ChainedColumnsTest {
  @TempDir Path dir;
  Connection db;

  /** Length of {@code text} plus one: the input's UDF after an {@code alterColumns}. */
  public static class LengthPlusOne implements ScalarUdf<Integer> {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
    }

    @Override
    public Integer apply(Row row) {
      String t = row.getString("text");
      return t == null ? null : t.length() + 1;
    }
  }

  /** {@code len * 2}, and -1 where {@code len} is null (a value, so it is not recomputed). */
  public static class Doubled implements ScalarUdf<Integer> {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("len").output(UdfTypes.int32()).build();
    }

    @Override
    public Integer apply(Row row) {
      return row.isNull("len") ? -1 : row.getInt("len") * 2;
    }
  }

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static void assertDoubledReads(Table t, Map<Long, Object> len) {
    Map<Long, Object> doubled = LanceColumns.byId(t.uri(), "doubled");
    assertThat(doubled).hasSameSizeAs(len);
    len.forEach(
        (id, v) ->
            assertThat(doubled.get(id))
                .as("doubled of id %d", id)
                .isEqualTo(v == null ? -1 : (Integer) v * 2));
  }

  @Test
  void backfill_whenAnInputColumnWasRecomputedByAnotherUdf_recomputesEveryRowFromTheNewValues() {
    Table t = SampleTables.create(db, "docs", 600, 200);
    t.addColumns(Map.of("len", new TextLength()));
    t.backfill("len");
    t.addColumns(Map.of("doubled", new Doubled()));
    t.backfill("doubled");
    assertDoubledReads(t, LanceColumns.byId(t.uri(), "len"));

    t.alterColumns(Map.of("len", new LengthPlusOne()));
    t.backfill("len");
    BackfillResult again = t.backfill("doubled");

    Map<Long, Object> len = LanceColumns.byId(t.uri(), "len");
    len.forEach(
        (id, v) ->
            assertThat(v)
                .isEqualTo(TextLength.expected(id) == null ? null : TextLength.expected(id) + 1));
    assertThat(again.rowsProcessed()).as("every row recomputed").isEqualTo(600);
    assertDoubledReads(t, len);
    assertThat(t.backfill("doubled").rowsProcessed()).as("and then nothing is stale").isZero();
  }

  @Test
  void backfill_whenRowsAreAppendedAndBothColumnsBackfilled_computesOnlyTheNewRows() {
    Table t = SampleTables.create(db, "docs", 300, 100);
    t.addColumns(Map.of("len", new TextLength()));
    t.addColumns(Map.of("doubled", new Doubled()));
    t.backfill("len");
    t.backfill("doubled");

    SampleTables.append(t, db.allocator(), 300, 150);
    t.backfill("len");
    BackfillResult r = t.backfill("doubled");

    assertThat(r.rowsProcessed()).isEqualTo(150);
    assertDoubledReads(t, LanceColumns.byId(t.uri(), "len"));
  }

  @Test
  void backfill_whenTheReaderRanBeforeItsInputWasComputed_keepsWhatItComputedUntilAskedAgain() {
    Table t = SampleTables.create(db, "docs", 200, 100);
    t.addColumns(Map.of("len", new TextLength()));
    t.addColumns(Map.of("doubled", new Doubled()));
    t.backfill("doubled"); // warns: 'len' is null in every selected row
    t.backfill("len");

    assertThat(t.backfill("doubled").rowsProcessed())
        .as("a value computed from a null input is kept (the warning said so)")
        .isZero();
    t.backfill("doubled", BackfillOptions.builder().where("`len` IS NOT NULL").build());

    assertDoubledReads(t, LanceColumns.byId(t.uri(), "len"));
  }
}
