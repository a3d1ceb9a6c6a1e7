package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.WriteParams.LanceFileVersion;
import dev.geneva.testing.Faults;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.NestedUdfs;
import dev.geneva.testing.SampleTables;
import dev.geneva.udf.Udf;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;
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
}
