package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import dev.geneva.testing.Faults;
import dev.geneva.testing.FlakyLength;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializedViewTest {
  @TempDir Path dir;
  Connection db;
  Table docs;

  @BeforeEach
  void open() {
    Faults.reset();
    db = Geneva.connect(dir.toString());
    docs = SampleTables.create(db, "docs", 300, 100);
  }

  @AfterEach
  void close() {
    Faults.reset();
    db.close();
  }

  static RefreshOptions options() {
    return RefreshOptions.builder()
        .backfillOptions(BackfillOptions.builder().concurrency(2).batchSize(64).build())
        .build();
  }

  void append(Table table, long firstId, int rows) {
    try (ArrowStreamReader reader = SampleTables.rows(db.allocator(), firstId, rows)) {
      table.add(reader);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every live row of a table, every column, read with plain lance-core, sorted. */
  static List<String> rows(String uri) {
    return dev.geneva.testing.LanceColumns.sortedRows(uri);
  }

  /** Row address to id of the live source rows, read with plain lance-core. */
  static Map<Long, Long> liveAddresses(String uri) {
    return LanceColumns.liveAddresses(uri);
  }

  /** Lengths the view must hold: text length of each live source row matching {@code id < 250}. */
  Map<Long, Object> expectedLengths() {
    Map<Long, Object> expected = new TreeMap<>();
    LanceColumns.byId(db.allocator(), docs.uri(), "text")
        .forEach(
            (id, text) -> {
              if (id < 250 || id >= 400) {
                expected.put(id, text == null ? null : text.toString().length());
              }
            });
    return expected;
  }

  MaterializedView lengthsView(String name) {
    return db.createMaterializedView(
        name,
        docs.query().select("id", "text").where("id < 250 OR id >= 400"),
        Map.of("len", new TextLength()));
  }

  @Test
  void createMaterializedView_beforeRefresh_isEmptyAndRecordsItsSource() {
    MaterializedView view = lengthsView("lengths");

    assertThat(view.table().countRows()).isZero();
    assertThat(view.refreshedVersion()).isEmpty();
    MaterializedView reopened = db.openMaterializedView("lengths");
    assertThat(reopened.sourceUri()).isEqualTo(docs.uri());
    assertThat(reopened.sourceName()).isEqualTo("docs");
    assertThat(reopened.sourceColumns()).containsExactly("id", "text");
    assertThat(reopened.filter()).contains("id < 250 OR id >= 400");
    assertThat(reopened.table().schema().getFields().stream().map(f -> f.getName()))
        .containsExactly("id", "text", MaterializedView.SOURCE_ROW_ID, "len");
  }

  @Test
  void refresh_afterAppendsAndDeletes_equalsViewBuiltFromScratch() {
    MaterializedView view = lengthsView("lengths");
    RefreshResult first = view.refresh(options());
    assertThat(first.sourceRowsAdded()).isEqualTo(250);
    assertThat(LanceColumns.byId(db.allocator(), view.table().uri(), "len"))
        .isEqualTo(expectedLengths());

    append(docs, 300, 250);
    docs.delete("id % 10 = 1 OR (id >= 50 AND id < 60) OR id = 420");
    RefreshResult second = view.refresh(options());

    Map<Long, Object> expected = expectedLengths();
    assertThat(LanceColumns.byId(db.allocator(), view.table().uri(), "len")).isEqualTo(expected);
    assertThat(second.fromVersion()).hasValue(first.toVersion());
    assertThat(second.toVersion()).isEqualTo(docs.version());
    // ids 400..549 but those ending in 1 and 420; deleted: ids ending in 1 and 50..59 below 250
    assertThat(second.sourceRowsAdded()).isEqualTo(150 - 15 - 1);
    assertThat(second.viewRowsDeleted()).isEqualTo(25 + 9);
    // Rows whose UDF value is null are recomputed by every refresh, as by a default backfill.
    assertThat(second.backfills().get("len").rowsProcessed())
        .isEqualTo(134 + view.table().countRows("text IS NULL AND id < 300"));
    assertThat(view.refreshedVersion()).hasValue(docs.version());

    MaterializedView scratch = lengthsView("scratch");
    scratch.refresh(options());
    assertThat(rows(view.table().uri())).isEqualTo(rows(scratch.table().uri()));
  }

  @Test
  void refresh_whenNothingChanged_addsAndDeletesNothing() {
    MaterializedView view = lengthsView("lengths");
    view.refresh(options());
    long version = view.table().version();

    RefreshPlan plan = view.planRefresh();
    RefreshResult again = view.refresh(options());

    assertThat(plan.rowsUpToDate()).isTrue();
    assertThat(plan.fragmentsToSync()).isZero();
    assertThat(again.sourceRowsAdded()).isZero();
    assertThat(again.viewRowsDeleted()).isZero();
    assertThat(again.backfills().get("len").rowsProcessed())
        .isEqualTo(view.table().countRows("text IS NULL"));
    assertThat(view.table().countRows()).isEqualTo(250);
    // the null values' backfill, the refreshed version, and the refresh lease taken and released
    assertThat(view.table().version() - version).isLessThanOrEqualTo(4);
  }

  @Test
  void planRefresh_afterAppendsAndDeletes_reportsTheWorkWithoutWriting() {
    MaterializedView view = lengthsView("lengths");
    view.refresh(options());
    append(docs, 300, 150);
    docs.delete("id < 20");
    long viewVersion = view.table().version();

    RefreshPlan plan = view.planRefresh();

    assertThat(plan.fromVersion()).isPresent();
    assertThat(plan.toVersion()).isEqualTo(docs.version());
    assertThat(plan.sourceRowsToAdd()).isEqualTo(50);
    assertThat(plan.viewRowsToDelete()).isEqualTo(20);
    assertThat(plan.fragmentsToSync()).isEqualTo(2);
    assertThat(plan.udfColumns()).containsExactly("len");
    assertThat(plan.resuming()).isFalse();
    assertThat(view.table().version()).isEqualTo(viewVersion);

    RefreshResult done = view.refresh(options());
    assertThat(done.sourceRowsAdded()).isEqualTo(plan.sourceRowsToAdd());
    assertThat(done.viewRowsDeleted()).isEqualTo(plan.viewRowsToDelete());
  }

  @Test
  void refresh_toAnOlderSourceVersion_holdsThatVersionsRows() {
    MaterializedView view = lengthsView("lengths");
    long v1 = docs.version();
    append(docs, 300, 200);
    docs.delete("id < 100");
    view.refresh(options());
    assertThat(view.table().countRows()).isEqualTo(150 + 100);

    view.refresh(RefreshOptions.builder().sourceVersion(v1).build());

    assertThat(view.refreshedVersion()).hasValue(v1);
    assertThat(LanceColumns.byId(db.allocator(), view.table().uri(), "len").keySet())
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 250).boxed().toList());
  }

  @Test
  void refresh_whenUdfFailsMidway_resumesToTheCleanResult() {
    MaterializedView view =
        db.createMaterializedView(
            "flaky", docs.query().select("id", "text"), Map.of("len", new FlakyLength()));
    view.refresh(options());
    append(docs, 300, 200);
    docs.delete("id % 3 = 0");
    Faults.FAILING_IDS.add(421L);

    assertThatThrownBy(() -> view.refresh(options())).isInstanceOf(GenevaException.class);
    assertThat(view.refreshedVersion()).isPresent();
    assertThat(view.planRefresh().resuming()).isTrue();

    Faults.reset();
    RefreshResult resumed = view.refresh(options());

    assertThat(resumed.sourceRowsAdded()).isZero();
    assertThat(view.refreshedVersion()).hasValue(docs.version());
    MaterializedView scratch =
        db.createMaterializedView(
            "scratch", docs.query().select("id", "text"), Map.of("len", new FlakyLength()));
    scratch.refresh(options());
    assertThat(rows(view.table().uri())).isEqualTo(rows(scratch.table().uri()));
    assertThat(view.table().countRows("len IS NULL AND text IS NOT NULL")).isZero();
  }

  @Test
  void refresh_afterSourceCompaction_equalsViewBuiltFromScratch() {
    MaterializedView view = lengthsView("lengths");
    view.refresh(options());
    append(docs, 300, 30);
    append(docs, 330, 30);
    docs.delete("id % 4 = 0");
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(docs.uri(), allocator)) {
      ds.compact();
    }

    view.refresh(options());

    assertThat(LanceColumns.byId(db.allocator(), view.table().uri(), "len"))
        .isEqualTo(expectedLengths());
    MaterializedView scratch = lengthsView("scratch");
    scratch.refresh(options());
    assertThat(rows(view.table().uri())).isEqualTo(rows(scratch.table().uri()));
    Map<Long, Long> live = liveAddresses(docs.uri());
    assertThat(
            LanceColumns.byId(db.allocator(), view.table().uri(), MaterializedView.SOURCE_ROW_ID))
        .allSatisfy((id, address) -> assertThat(live.get((Long) address)).isEqualTo(id));
  }

  @Test
  void refresh_whenASelectedSourceColumnIsBackfilledInPlace_copiesTheNewValues() {
    docs.addColumns(Map.of("len", new TextLength()));
    MaterializedView view = db.createMaterializedView("copies", docs.query().select("id", "len"));
    view.refresh(options());
    assertThat(view.table().countRows("len IS NOT NULL")).isZero();

    docs.backfill("len");
    RefreshPlan plan = view.planRefresh();
    view.refresh(options());

    assertThat(plan.fragmentsToRecompute()).isEqualTo(3);
    assertThat(LanceColumns.byId(db.allocator(), view.table().uri(), "len"))
        .isEqualTo(LanceColumns.byId(db.allocator(), docs.uri(), "len"));
  }

  @Test
  void refresh_whenAnUnselectedSourceColumnIsBackfilled_recomputesNothing() {
    docs.addColumns(Map.of("other", new TextLength()));
    MaterializedView view =
        db.createMaterializedView(
            "lengths", docs.query().select("id", "text"), Map.of("len", new TextLength()));
    view.refresh(options());

    docs.backfill("other");
    RefreshPlan plan = view.planRefresh();

    assertThat(plan.fragmentsToSync()).isZero();
    assertThat(plan.rowsUpToDate()).isTrue();
  }

  @Test
  void createMaterializedView_whenColumnMissing_failsBeforeCreatingAnything() {
    assertThatThrownBy(
            () -> db.createMaterializedView("bad", docs.query().select("id", "txt"), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'txt'")
        .hasMessageContaining("[id, text]");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void createMaterializedView_whenFilterInvalid_failsBeforeCreatingAnything() {
    assertThatThrownBy(
            () -> db.createMaterializedView("bad", docs.query().where("nope > 3"), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope > 3");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void createMaterializedView_whenUdfReadsAColumnTheViewLacks_failsBeforeCreatingAnything() {
    assertThatThrownBy(
            () ->
                db.createMaterializedView(
                    "bad", docs.query().select("id"), Map.of("len", new TextLength())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("text");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void
      createMaterializedView_whenUdfColumnDiffersFromACopiedColumnOnlyInCase_failsBeforeCreating() {
    assertThatThrownBy(
            () ->
                db.createMaterializedView(
                    "bad", docs.query().select("id", "text"), Map.of("TEXT", new TextLength())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'TEXT' differs from the existing column 'text' only in letter case");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void refresh_whenViewHasAColumnGroup_computesEachRowOnceForAllMembers() {
    MaterializedView view =
        db.createMaterializedView(
            "stats",
            docs.query().select("id", "text"),
            Map.of("stats", new dev.geneva.testing.GroupUdfs.Stats()));
    append(docs, 300, 50);
    dev.geneva.testing.GroupUdfs.CALLS.set(0);

    RefreshResult result = view.refresh(options());

    assertThat(result.backfills()).containsOnlyKeys("stats");
    assertThat(dev.geneva.testing.GroupUdfs.CALLS.get()).isEqualTo(350);
    String uri = view.table().uri();
    for (var e : LanceColumns.byId(db.allocator(), uri, "words").entrySet()) {
      assertThat(e.getValue())
          .as("words of %d", e.getKey())
          .isEqualTo(dev.geneva.testing.GroupUdfs.expectedWords(e.getKey()));
    }
    for (var e : LanceColumns.byId(db.allocator(), uri, "lang").entrySet()) {
      assertThat(e.getValue())
          .as("lang of %d", e.getKey())
          .isEqualTo(dev.geneva.testing.GroupUdfs.expectedLang(e.getKey()));
    }
    assertThat(LanceColumns.byId(db.allocator(), uri, "vec")).hasSize(350);
  }

  @Test
  void createMaterializedView_whenNameTaken_fails() {
    assertThatThrownBy(() -> db.createMaterializedView("docs", docs.query(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("already exists");
  }

  @Test
  void openMaterializedView_whenPlainTable_saysItIsNotAView() {
    assertThatThrownBy(() -> db.openMaterializedView("docs"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not a materialized view");
  }

  @Test
  void refresh_whenSourceVersionDoesNotExist_failsWithoutWriting() {
    MaterializedView view = lengthsView("lengths");
    long version = view.table().version();

    assertThatThrownBy(() -> view.refresh(999))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("versions 1 to");
    assertThat(view.table().version()).isEqualTo(version);
  }

  @Test
  void refreshOptions_whenBackfillWhereSet_refused() {
    assertThatThrownBy(
            () ->
                RefreshOptions.builder()
                    .backfillOptions(BackfillOptions.builder().where("id < 3").build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("where");
  }

  @Test
  void materializedView_ofAView_keepsItsOwnSourceRowIdsAndFollowsDeletes() {
    MaterializedView lengths = lengthsView("lengths");
    lengths.refresh(options());
    MaterializedView longOnes =
        db.createMaterializedView("long_ones", lengths.table().query().where("len > 10"));
    assertThat(longOnes.table().schema().getFields().stream().map(f -> f.getName()))
        .containsExactly("id", "text", "len", MaterializedView.SOURCE_ROW_ID);

    longOnes.refresh(options());
    docs.delete("id < 100");
    lengths.refresh(options());
    longOnes.refresh(options());

    Map<Long, Object> expected = new TreeMap<>();
    expectedLengths()
        .forEach(
            (id, len) -> {
              if (len != null && (Integer) len > 10) {
                expected.put(id, len);
              }
            });
    assertThat(LanceColumns.byId(db.allocator(), longOnes.table().uri(), "len"))
        .isEqualTo(expected);
    Map<Long, Long> live = liveAddresses(lengths.table().uri());
    assertThat(
            LanceColumns.byId(
                db.allocator(), longOnes.table().uri(), MaterializedView.SOURCE_ROW_ID))
        .allSatisfy((id, address) -> assertThat(live.get((Long) address)).isEqualTo(id));
  }
}
