package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.WriteParams.LanceFileVersion;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.schema.LanceField;
import dev.geneva.testing.GroupUdfs;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several columns from one UDF (issue 14 item 2): one backfill computes and commits every member,
 * one data file per fragment, equal row for row to the members computed one column at a time, read
 * back with plain lance-core.
 */
class ColumnGroupTest {
  @TempDir Path dir;
  Connection db;
  BufferAllocator allocator;

  static final List<String> MEMBERS = List.of("words", "lang", "vec");

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    allocator = new RootAllocator();
    GroupUdfs.CALLS.set(0);
  }

  @AfterEach
  void close() {
    allocator.close();
    db.close();
  }

  @ParameterizedTest(name = "file format {0}")
  @EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_0", "V2_1"})
  void backfill_whenGroupOfThreeTypes_equalsPerColumnComputationRowForRow(
      LanceFileVersion version) {
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 900, 250, version);
    t.delete("id % 9 = 0");
    t.addColumns(
        Map.of(
            "stats", new GroupUdfs.Stats(),
            "words1", new GroupUdfs.Words(),
            "lang1", new GroupUdfs.Lang(),
            "vec1", new GroupUdfs.Vec()));
    BackfillOptions split = BackfillOptions.builder().rowsPerTask(90).concurrency(2).build();

    BackfillResult r = t.backfill("stats", split);
    for (String single : List.of("words1", "lang1", "vec1")) {
      t.backfill(single, split);
    }

    assertThat(r.column()).isEqualTo("stats");
    assertThat(r.rowsProcessed()).isEqualTo(800);
    assertThat(GroupUdfs.CALLS.get()).isEqualTo(800);
    assertThat(r.tasks()).isGreaterThan(r.fragments());
    assertMembersEqualPerColumn(t.uri());
    assertOneNewFilePerFragmentHoldingEveryMember(t.uri());
    assertThat(LanceColumns.scanAll(allocator, t.uri())).isEqualTo(800);
    assertThat(t.countRows("words IS NULL OR lang IS NULL OR vec IS NULL"))
        .as("rows the UDF gives a null member; a rerun computes them again")
        .isPositive();
  }

  @ParameterizedTest(name = "file format {0}")
  @EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_0", "V2_1"})
  void backfill_whenBatchUdfNamedByMember_computesEveryMemberInOnePass(LanceFileVersion version) {
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 600, 200, version);
    t.addColumns(
        Map.of(
            "stats", new GroupUdfs.StatsBatch(),
            "words1", new GroupUdfs.Words(),
            "lang1", new GroupUdfs.Lang(),
            "vec1", new GroupUdfs.Vec()));

    BackfillResult r = t.backfill("lang", BackfillOptions.builder().batchSize(64).build());
    for (String single : List.of("words1", "lang1", "vec1")) {
      t.backfill(single);
    }

    assertThat(r.column()).isEqualTo("stats");
    assertThat(r.rowsProcessed()).isEqualTo(600);
    assertMembersEqualPerColumn(t.uri());
    assertOneNewFilePerFragmentHoldingEveryMember(t.uri());
  }

  @ParameterizedTest(name = "file format {0}")
  @EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_0", "V2_1"})
  void backfill_whenWhereFilteredThenRerun_rerunComputesOnlyTheRest(LanceFileVersion version) {
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 700, 300, version);
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));

    t.backfill("stats", BackfillOptions.builder().where("id < 250").rowsPerTask(120).build());

    Map<Long, Object> words = LanceColumns.byId(allocator, t.uri(), "words");
    Map<Long, Object> lang = LanceColumns.byId(allocator, t.uri(), "lang");
    for (long id = 0; id < 700; id++) {
      Object w = id < 250 ? GroupUdfs.expectedWords(id) : null;
      Object l = id < 250 ? GroupUdfs.expectedLang(id) : null;
      assertThat(words.get(id)).as("words of id %d after the filtered run", id).isEqualTo(w);
      assertThat(lang.get(id)).as("lang of id %d after the filtered run", id).isEqualTo(l);
    }
    long nullRowsBelow = 0;
    for (long id = 0; id < 250; id++) {
      boolean anyNull =
          GroupUdfs.expectedWords(id) == null
              || GroupUdfs.expectedLang(id) == null
              || GroupUdfs.expectedVec(id) == null;
      nullRowsBelow += anyNull ? 1 : 0;
    }
    GroupUdfs.CALLS.set(0);

    BackfillResult rerun = t.backfill("vec");

    assertThat(rerun.rowsProcessed())
        .as("the rest, and the filtered rows where the UDF gave a member null")
        .isEqualTo(450 + nullRowsBelow);
    assertThat(GroupUdfs.CALLS.get()).isEqualTo(450 + nullRowsBelow);
    assertMembersEqualExpected(t.uri(), 700);
  }

  @Test
  void alterColumns_whenGroupGetsNewVersion_defaultBackfillRecomputesEveryMember() {
    Table t = SampleTables.create(db, "docs", 400, 150);
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));
    t.backfill("stats");

    t.alterColumns(Map.of("stats", new GroupUdfs.StatsV2()));
    BackfillResult r = t.backfill("words");

    assertThat(r.udfChange()).contains("version 1 -> 2");
    assertThat(r.rowsProcessed()).isEqualTo(400);
    Map<Long, Object> words = LanceColumns.byId(allocator, t.uri(), "words");
    words.forEach(
        (id, w) -> {
          Long v1 = (Long) GroupUdfs.expectedWords(id);
          assertThat(w).as("words of id %d", id).isEqualTo(v1 == null ? null : -v1);
        });
    for (String member : MEMBERS) {
      assertThat(t.schema().findField(member).getMetadata())
          .as("metadata of %s", member)
          .containsEntry("geneva.udf.class", GroupUdfs.StatsV2.class.getName())
          .containsEntry("geneva.udf.version", "2");
    }
    assertThat(t.planBackfill("stats").rowsSelected())
        .as("only rows with a null member are left")
        .isEqualTo(t.countRows("words IS NULL OR lang IS NULL OR vec IS NULL"));
  }

  @Test
  void planBackfill_whenGroup_namesTheGroupAndEveryMembersNullFilter() {
    Table t = SampleTables.create(db, "docs", 300, 100);
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));

    BackfillPlanSummary plan = t.planBackfill("words");

    assertThat(plan.column()).isEqualTo("stats");
    assertThat(plan.filter()).isEqualTo("`words` IS NULL OR `lang` IS NULL OR `vec` IS NULL");
    assertThat(plan.rowsSelected()).isEqualTo(300);
    assertThat(plan.fragments()).isEqualTo(3);
  }

  private void assertMembersEqualPerColumn(String uri) {
    for (String member : MEMBERS) {
      Map<Long, Object> group = LanceColumns.byId(allocator, uri, member);
      Map<Long, Object> single = LanceColumns.byId(allocator, uri, member + "1");
      assertThat(group).as("ids of %s", member).containsOnlyKeys(single.keySet());
      single.forEach(
          (id, v) -> assertThat(group.get(id)).as("%s of id %d", member, id).isEqualTo(v));
    }
    assertMembersEqualExpected(uri, -1);
  }

  /** Every live row's members equal the functions'; {@code rows} live rows unless negative. */
  private void assertMembersEqualExpected(String uri, int rows) {
    Map<String, LongFunction<Object>> expected =
        Map.of(
            "words", GroupUdfs::expectedWords,
            "lang", GroupUdfs::expectedLang,
            "vec", GroupUdfs::expectedVec);
    for (String member : MEMBERS) {
      Map<Long, Object> values = LanceColumns.byId(allocator, uri, member);
      if (rows >= 0) {
        assertThat(values).as("rows of %s", member).hasSize(rows);
      }
      values.forEach(
          (id, v) ->
              assertThat(v)
                  .as("%s of id %d", member, id)
                  .isEqualTo(expected.get(member).apply(id)));
    }
  }

  /**
   * Each fragment has one data file listing every member's field ids and no other file holding any
   * of them: the group was written and committed together.
   */
  private void assertOneNewFilePerFragmentHoldingEveryMember(String uri) {
    try (Dataset ds = Dataset.open(uri, allocator)) {
      Set<Integer> memberIds = new java.util.HashSet<>();
      for (LanceField f : ds.getLanceSchema().fields()) {
        if (MEMBERS.contains(f.getName())) {
          collectIds(f, memberIds);
        }
      }
      Map<Integer, List<String>> holders = new TreeMap<>();
      for (var fragment : ds.getFragments()) {
        List<String> files = new ArrayList<>();
        for (DataFile file : fragment.metadata().getFiles()) {
          Set<Integer> ids = Arrays.stream(file.getFields()).boxed().collect(Collectors.toSet());
          if (ids.stream().anyMatch(memberIds::contains)) {
            assertThat(ids)
                .as("fields of %s in fragment %d", file.getPath(), fragment.getId())
                .containsAll(topLevelIdsPresentIn(ds, ids));
            files.add(file.getPath());
          }
        }
        holders.put(fragment.getId(), files);
      }
      holders.forEach(
          (fragment, files) ->
              assertThat(files).as("files holding the group in fragment %d", fragment).hasSize(1));
    }
  }

  /** The ids of the members whose (leaf) fields a file lists: all three must be there. */
  private static Set<Integer> topLevelIdsPresentIn(Dataset ds, Set<Integer> fileIds) {
    Set<Integer> listed = new java.util.HashSet<>();
    for (LanceField f : ds.getLanceSchema().fields()) {
      if (MEMBERS.contains(f.getName())) {
        Set<Integer> ids = new java.util.HashSet<>();
        collectIds(f, ids);
        assertThat(ids.stream().anyMatch(fileIds::contains))
            .as("the group's file lists member %s", f.getName())
            .isTrue();
        ids.retainAll(fileIds);
        listed.addAll(ids);
      }
    }
    return listed;
  }

  private static void collectIds(LanceField f, Set<Integer> ids) {
    ids.add(f.getId());
    f.getChildren().forEach(c -> collectIds(c, ids));
  }
}
