package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.WriteParams.LanceFileVersion;
import dev.geneva.testing.Faults;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.NestedUdfs;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every supported output type is written, committed and read back by plain lance-core. */
class OutputTypesTest {
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
    Scripted.spec = null;
    Scripted.function = null;
    db.close();
  }

  static Stream<LanceFileVersion> fileVersions() {
    return Stream.of(LanceFileVersion.V2_0, LanceFileVersion.V2_1);
  }

  static Stream<Arguments> nestedBatchUdfs() {
    return Stream.of(LanceFileVersion.V2_0, LanceFileVersion.V2_1)
        .flatMap(
            v ->
                Stream.of(
                    Arguments.of(
                        v,
                        new NestedUdfs.IntList(),
                        (LongFunction<Object>) NestedUdfs.IntList::expected),
                    Arguments.of(
                        v,
                        new NestedUdfs.LongLargeList(),
                        (LongFunction<Object>) NestedUdfs.LongLargeList::expected),
                    Arguments.of(
                        v,
                        new NestedUdfs.IntTriple(),
                        (LongFunction<Object>) NestedUdfs.IntTriple::expected),
                    Arguments.of(
                        v,
                        new NestedUdfs.Pair(),
                        (LongFunction<Object>)
                            id -> NestedUdfs.Pair.expected(id, v != LanceFileVersion.V2_0))));
  }

  @ParameterizedTest(name = "{1} in file format {0}")
  @MethodSource("nestedBatchUdfs")
  void backfill_whenBatchUdfHasNestedOutput_lanceReadsEveryRowBack(
      LanceFileVersion version, Udf udf, LongFunction<Object> expected) {
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 300, 100, version);
    t.delete("id % 10 = 4");
    t.addColumns(Map.of("out", udf));

    BackfillResult r =
        t.backfill("out", BackfillOptions.builder().concurrency(2).batchSize(64).build());

    Map<Long, Object> values = LanceColumns.byId(db.allocator(), t.uri(), "out");
    assertThat(values).hasSize(270);
    values.forEach((id, v) -> assertThat(v).as("row %d", id).isEqualTo(expected.apply(id)));
    assertThat(r.rowsProcessed()).isEqualTo(270);
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(270);
    assertThat(t.head(3)).hasSize(3);
  }

  @ParameterizedTest(name = "file format {0}")
  @MethodSource("fileVersions")
  void backfill_whenNestedBackfillFailsThenReruns_resumesFromCheckpointsAndKeepsValues(
      LanceFileVersion version) {
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 300, 100, version);
    t.addColumns(Map.of("tags", new NestedUdfs.IntList(), "pair", new NestedUdfs.Pair()));
    BackfillOptions split =
        BackfillOptions.builder()
            .concurrency(1)
            .batchSize(16)
            .rowsPerTask(40)
            .commitEvery(1)
            .build();
    Faults.FAILING_IDS.add(250L);

    assertThatThrownBy(() -> t.backfill("tags", split))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("injected failure for id 250");
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(300);
    assertThat(t.head(300)).hasSize(300);
    Faults.reset();
    BackfillResult resumed = t.backfill("tags", split);
    t.backfill("pair", split);
    BackfillResult subset =
        t.backfill("tags", BackfillOptions.builder().where("id < 50 OR id >= 280").build());

    assertThat(resumed.rowsSkipped()).as("tasks reused from checkpoints").isPositive();
    assertThat(subset.rowsProcessed()).isEqualTo(70);
    Map<Long, Object> tags = LanceColumns.byId(db.allocator(), t.uri(), "tags");
    Map<Long, Object> pairs = LanceColumns.byId(db.allocator(), t.uri(), "pair");
    assertThat(tags).hasSize(300);
    tags.forEach(
        (id, v) -> assertThat(v).as("tags %d", id).isEqualTo(NestedUdfs.IntList.expected(id)));
    pairs.forEach(
        (id, v) ->
            assertThat(v)
                .as("pair %d", id)
                .isEqualTo(NestedUdfs.Pair.expected(id, version != LanceFileVersion.V2_0)));
  }

  static Stream<Arguments> scalarTypes() {
    return Stream.of(
        scalar(UdfTypes.int16(), id -> (short) -id, id -> (short) -id),
        scalar(UdfTypes.bool(), id -> id % 2 == 0, id -> id % 2 == 0),
        scalar(UdfTypes.largeUtf8(), id -> "t" + id, id -> new Text("t" + id)),
        scalar(UdfTypes.largeBinary(), id -> new byte[] {(byte) id}, id -> new byte[] {(byte) id}),
        scalar(
            UdfTypes.list(UdfTypes.int32()),
            id -> new int[] {(int) id, 1},
            id -> List.of((int) id, 1)),
        scalar(
            UdfTypes.largeList(UdfTypes.utf8()),
            id -> java.util.Arrays.asList("a" + id, null),
            id -> java.util.Arrays.asList(new Text("a" + id), null)),
        scalar(
            UdfTypes.fixedSizeList(UdfTypes.float64(), 2),
            id -> new double[] {id, id / 2.0},
            id -> List.of((double) id, id / 2.0)),
        scalar(
            UdfTypes.struct(
                UdfTypes.named("n", UdfTypes.int64()), UdfTypes.named("s", UdfTypes.utf8())),
            id -> id % 3 == 0 ? Map.of("n", id) : Map.of("n", id, "s", "s" + id),
            id -> id % 3 == 0 ? Map.of("n", id) : Map.of("n", id, "s", new Text("s" + id))));
  }

  private static Arguments scalar(
      Field type, LongFunction<Object> value, LongFunction<Object> expected) {
    LongFunction<Object> withNulls = id -> id % 5 == 2 ? null : value.apply(id);
    LongFunction<Object> expectedWithNulls = id -> id % 5 == 2 ? null : expected.apply(id);
    return Arguments.of(type, withNulls, expectedWithNulls);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scalarTypes")
  void backfill_whenScalarUdfReturnsJavaValues_lanceReadsThemBackAsDeclared(
      Field type, LongFunction<Object> value, LongFunction<Object> expected) {
    Scripted.spec = UdfSpec.builder().inputs("id").output(type).build();
    Scripted.function = value;
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 200, 100, LanceFileVersion.V2_1);
    t.addColumns(Map.of("out", new Scripted()));

    t.backfill("out");

    Map<Long, Object> values = LanceColumns.byId(db.allocator(), t.uri(), "out");
    assertThat(values).hasSize(200);
    values.forEach((id, v) -> assertThat(v).as("row %d", id).isEqualTo(expected.apply(id)));
    assertThat(t.schema().findField("out").getType()).isEqualTo(type.getType());
  }
}
