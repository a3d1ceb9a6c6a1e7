package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.WriteParams.LanceFileVersion;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.RowScripted;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unsigned, temporal, decimal and blob outputs, fixed-size lists of every numeric type and structs
 * holding lists are written, committed, and read back by plain lance-core in every Lance file
 * format; typed {@code Row} getters read them (struct paths included) as inputs of another UDF.
 */
class TypedColumnsTest {
  @TempDir Path dir;
  Connection db;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
  }

  @AfterEach
  void close() {
    Scripted.spec = null;
    Scripted.function = null;
    RowScripted.spec = null;
    RowScripted.function = null;
    db.close();
  }

  private static final Instant EPOCH_PLUS = Instant.parse("2024-02-29T12:34:56.789123Z");

  static Stream<Arguments> types() {
    List<Arguments> cases =
        List.of(
            type(UdfTypes.uint8(), id -> (int) (id % 256), id -> (byte) (id % 256)),
            type(UdfTypes.uint16(), id -> (int) (60_000 + id), id -> (char) (60_000 + id)),
            type(UdfTypes.uint32(), id -> 4_000_000_000L + id, id -> (int) (4_000_000_000L + id)),
            type(
                UdfTypes.uint64(),
                id -> BigInteger.TWO.pow(64).subtract(BigInteger.valueOf(id + 1)),
                id -> -(id + 1)),
            type(
                UdfTypes.timestamp(TimeUnit.MICROSECOND, "UTC"),
                id -> EPOCH_PLUS.plusSeconds(id),
                id -> (EPOCH_PLUS.getEpochSecond() + id) * 1_000_000L + 789_123L),
            type(
                UdfTypes.timestamp(TimeUnit.NANOSECOND, null),
                id -> LocalDateTime.ofInstant(EPOCH_PLUS.plusNanos(id), ZoneOffset.UTC),
                id -> LocalDateTime.ofInstant(EPOCH_PLUS.plusNanos(id), ZoneOffset.UTC)),
            type(
                UdfTypes.timestamp(TimeUnit.MILLISECOND, "Europe/Paris"),
                id -> EPOCH_PLUS.atOffset(ZoneOffset.ofHours(2)).plusDays(id),
                id -> EPOCH_PLUS.plusSeconds(86_400 * id).toEpochMilli()),
            type(
                UdfTypes.date32(),
                id -> LocalDate.of(2000, 1, 1).plusDays(id),
                id -> (int) LocalDate.of(2000, 1, 1).plusDays(id).toEpochDay()),
            type(
                UdfTypes.date64(),
                id -> LocalDate.of(1969, 12, 1).plusDays(id),
                id -> LocalDate.of(1969, 12, 1).plusDays(id).atStartOfDay()),
            type(
                UdfTypes.decimal(10, 2),
                id -> BigDecimal.valueOf(id * 3, 1),
                id -> BigDecimal.valueOf(id * 3, 1).setScale(2)),
            type(
                UdfTypes.decimal(40, 3),
                id -> new BigDecimal("12345678901234567890123456789012345.5").add(BigDecimal.ONE),
                id -> new BigDecimal("12345678901234567890123456789012346.500")),
            type(
                UdfTypes.fixedSizeList(UdfTypes.uint8(), 3),
                id -> new int[] {(int) id % 100, 1, 2},
                id -> List.of((byte) (id % 100), (byte) 1, (byte) 2)),
            type(
                UdfTypes.fixedSizeList(UdfTypes.int8(), 2),
                id -> List.of((byte) -1, (byte) (id % 100)),
                id -> List.of((byte) -1, (byte) (id % 100))),
            type(
                UdfTypes.fixedSizeList(UdfTypes.uint64(), 2),
                id -> new long[] {id, 7},
                id -> List.of(id, 7L)),
            type(
                UdfTypes.list(UdfTypes.timestamp(TimeUnit.SECOND, null)),
                id -> List.of(LocalDateTime.of(2020, 1, 1, 0, 0).plusSeconds(id)),
                id -> List.of(LocalDateTime.of(2020, 1, 1, 0, 0).plusSeconds(id))),
            type(
                UdfTypes.largeList(UdfTypes.decimal(6, 1)),
                id -> Arrays.asList(BigDecimal.valueOf(id), null),
                id -> Arrays.asList(BigDecimal.valueOf(id).setScale(1), null)),
            type(
                UdfTypes.list(UdfTypes.date32()),
                id -> List.of(LocalDate.ofEpochDay(id)),
                id -> List.of((int) id)),
            type(
                UdfTypes.struct(
                    UdfTypes.named("lang", UdfTypes.utf8()),
                    UdfTypes.named("tags", UdfTypes.list(UdfTypes.int32())),
                    UdfTypes.named("price", UdfTypes.decimal(8, 2))),
                id -> Map.of("lang", "en", "tags", List.of((int) id), "price", BigDecimal.ONE),
                id -> null));
    return Stream.of(LanceFileVersion.V2_0, LanceFileVersion.V2_1, LanceFileVersion.V2_2)
        .flatMap(v -> cases.stream().map(c -> Arguments.of(v, c.get()[0], c.get()[1], c.get()[2])));
  }

  /** Multi-byte text of varying length, longer than a few hundred bytes for some rows. */
  private static String multiByteText(long id) {
    if (id % 7 == 3) {
      return null;
    }
    return "\u00e9t\u00e9-\u65e5\u672c-\ud83d\ude00-".repeat((int) (id % 40)) + id;
  }

  @Test
  void backfill_whenUdfReadsMultiByteStringsOfManyLengths_getsEachStringExactly() {
    Scripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.utf8()).build();
    Scripted.function = TypedColumnsTest::multiByteText;
    Table t = SampleTables.create(db, "texts", 300, 70);
    t.addColumns(Map.of("s", new Scripted()));
    t.backfill("s");
    RowScripted.spec = UdfSpec.builder().inputs("s").output(UdfTypes.utf8()).build();
    RowScripted.function =
        row ->
            row.isNull("s")
                ? "none"
                : new StringBuilder(row.getString("s")).reverse() + "|" + row.getString("s");

    t.addColumns(Map.of("echo", new RowScripted()));
    t.backfill("echo");

    Map<Long, Object> echoes = LanceColumns.byId(db.allocator(), t.uri(), "echo");
    assertThat(echoes).hasSize(300);
    echoes.forEach(
        (id, v) -> {
          String text = multiByteText(id);
          assertThat(String.valueOf(v))
              .as("row %d", id)
              .isEqualTo(text == null ? "none" : new StringBuilder(text).reverse() + "|" + text);
        });
  }

  @ParameterizedTest(name = "file format {0}")
  @org.junit.jupiter.params.provider.EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_0", "V2_1"})
  void backfill_whenUdfReadsTypedStructFieldsByPath_getsTheValuesAnotherUdfWrote(
      LanceFileVersion version) {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .output(
                UdfTypes.struct(
                    UdfTypes.named("lang", UdfTypes.utf8()),
                    UdfTypes.named("ts", UdfTypes.timestamp(TimeUnit.MICROSECOND, "UTC")),
                    UdfTypes.named("local", UdfTypes.timestamp(TimeUnit.MILLISECOND, null)),
                    UdfTypes.named("day", UdfTypes.date64()),
                    UdfTypes.named("price", UdfTypes.decimal(10, 2)),
                    UdfTypes.named("n", UdfTypes.uint64()),
                    UdfTypes.named("vec", UdfTypes.fixedSizeList(UdfTypes.int16(), 3))))
            .build();
    Scripted.function =
        id -> {
          if (id % 9 == 5) {
            return null;
          }
          Map<String, Object> info = new HashMap<>();
          info.put("lang", id % 2 == 0 ? "en" : null);
          info.put("ts", EPOCH_PLUS.plusSeconds(id));
          info.put("local", LocalDateTime.of(2024, 1, 1, 8, 0).plusMinutes(id));
          info.put("day", LocalDate.of(2024, 1, 1).plusDays(id));
          info.put("price", BigDecimal.valueOf(id, 2));
          info.put("n", id * 1_000_000_000_000L);
          info.put("vec", new short[] {(short) id, 0, (short) -id});
          return info;
        };
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 200, 100, version);
    t.addColumns(Map.of("info", new Scripted()));
    t.backfill("info");
    RowScripted.spec = UdfSpec.builder().inputs("id", "info").output(UdfTypes.utf8()).build();
    RowScripted.function =
        row -> {
          if (row.isNull("info.ts")) {
            return "no info";
          }
          return (row.isNull("info.lang") ? "-" : row.getString("info.lang"))
              + "|"
              + row.getInstant("info.ts")
              + "|"
              + row.getLocalDateTime("info.local")
              + "|"
              + row.getLocalDate("info.day")
              + "|"
              + row.getBigDecimal("info.price")
              + "|"
              + row.getLong("info.n")
              + "|"
              + Arrays.toString(row.getLongArray("info.vec"))
              + "|"
              + Arrays.toString(row.getDoubleArray("info.vec"));
        };

    t.addColumns(Map.of("summary", new RowScripted()));
    t.backfill("summary");

    Map<Long, Object> summaries = LanceColumns.byId(db.allocator(), t.uri(), "summary");
    assertThat(summaries).hasSize(200);
    summaries.forEach(
        (id, v) ->
            assertThat(String.valueOf(v))
                .as("row %d", id)
                .isEqualTo(
                    id % 9 == 5
                        ? "no info"
                        : (id % 2 == 0 ? "en" : "-")
                            + "|"
                            + EPOCH_PLUS.plusSeconds(id)
                            + "|"
                            + LocalDateTime.of(2024, 1, 1, 8, 0).plusMinutes(id)
                            + "|"
                            + LocalDate.of(2024, 1, 1).plusDays(id)
                            + "|"
                            + BigDecimal.valueOf(id, 2)
                            + "|"
                            + id * 1_000_000_000_000L
                            + "|"
                            + Arrays.toString(new long[] {id, 0, -id})
                            + "|"
                            + Arrays.toString(new double[] {id, 0, -id})));
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(200);
  }

  @ParameterizedTest(name = "file format {0}")
  @org.junit.jupiter.params.provider.EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_1", "V2_2"})
  void backfill_whenOutputIsBlob_lanceTakesEveryBlobBackByRowAddress(LanceFileVersion version) {
    Scripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.blob()).build();
    Scripted.function = id -> id % 5 == 2 ? null : bytes(id);
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 300, 100, version);
    t.delete("id % 10 = 4");
    t.addColumns(Map.of("out", new Scripted()));

    t.backfill("out", BackfillOptions.builder().rowsPerTask(40).batchSize(32).build());

    Map<Long, byte[]> blobs = LanceColumns.blobsById(db.allocator(), t.uri(), "out");
    assertThat(blobs).hasSize(270);
    blobs.forEach(
        (id, v) -> assertThat(v).as("row %d", id).isEqualTo(id % 5 == 2 ? null : bytes(id)));
    assertThat(t.schema().findField("out").getMetadata()).containsEntry(UdfTypes.BLOB_KEY, "true");
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(270);
    assertThat(db.openTable("docs").countRows("out IS NULL")).isEqualTo(60);
  }

  @ParameterizedTest(name = "file format {0}")
  @org.junit.jupiter.params.provider.EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_1", "V2_2"})
  void backfill_whenBatchUdfFillsTimestampAndDecimalStruct_lanceReadsItBack(
      LanceFileVersion version) {
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 300, 100, version);
    t.delete("id % 10 = 4");
    t.addColumns(Map.of("quote", new dev.geneva.testing.TypedBatch()));

    t.backfill("quote", BackfillOptions.builder().rowsPerTask(40).batchSize(32).build());

    Map<Long, Object> values = LanceColumns.byId(db.allocator(), t.uri(), "quote");
    assertThat(values).hasSize(270);
    values.forEach(
        (id, v) ->
            assertThat(v == null ? null : v.toString())
                .as("row %d", id)
                .isEqualTo(dev.geneva.testing.TypedBatch.expected(id)));
  }

  @ParameterizedTest(name = "file format {0}")
  @org.junit.jupiter.params.provider.EnumSource(CreateTableOptions.FileFormat.class)
  void createTable_whenFileFormatChosen_lanceWritesEveryFragmentInIt(
      CreateTableOptions.FileFormat format) {
    Table t =
        SampleTables.create(
            db,
            "docs",
            300,
            CreateTableOptions.builder().maxRowsPerFile(100).fileFormat(format).build());

    try (com.lancedb.lance.Dataset ds =
        com.lancedb.lance.Dataset.open(
            db.allocator(), t.uri(), new com.lancedb.lance.ReadOptions.Builder().build())) {
      assertThat(ds.getFragments()).hasSize(3);
      for (var fragment : ds.getFragments()) {
        for (var file : fragment.metadata().getFiles()) {
          assertThat(file.getFileMajorVersion() + "_" + file.getFileMinorVersion())
              .isEqualTo(format.name().substring(1));
        }
      }
    }
  }

  @Test
  void backfill_whenBlobOnATableCreatedInFormat21_lanceTakesEveryBlobBack() {
    Scripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.blob()).build();
    Scripted.function = TypedColumnsTest::bytes;
    Table t =
        SampleTables.create(
            db,
            "docs",
            100,
            CreateTableOptions.builder().fileFormat(CreateTableOptions.FileFormat.V2_1).build());
    t.addColumns(Map.of("out", new Scripted()));

    t.backfill("out");

    Map<Long, byte[]> blobs = LanceColumns.blobsById(db.allocator(), t.uri(), "out");
    assertThat(blobs).hasSize(100);
    blobs.forEach((id, v) -> assertThat(v).as("row %d", id).isEqualTo(bytes(id)));
  }

  @Test
  void addColumns_whenBlobOnFileFormat20_refusesBeforeTheTableChanges() {
    Scripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.blob()).build();
    Scripted.function = TypedColumnsTest::bytes;
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 100, 100, LanceFileVersion.V2_0);
    long version = t.version();

    assertThatThrownBy(() -> t.addColumns(Map.of("out", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'out' is a blob")
        .hasMessageContaining("file format 2.0")
        .hasMessageContaining("UdfTypes.largeBinary()")
        .hasMessageContaining("fileFormat(CreateTableOptions.FileFormat.V2_1)");
    assertThat(t.version()).isEqualTo(version);
  }

  private static byte[] bytes(long id) {
    byte[] b = new byte[(int) (id % 300) + 1];
    Arrays.fill(b, (byte) id);
    return b;
  }

  private static Arguments type(
      Field type, LongFunction<Object> value, LongFunction<Object> expected) {
    LongFunction<Object> withNulls = id -> id % 5 == 2 ? null : value.apply(id);
    LongFunction<Object> expectedWithNulls = id -> id % 5 == 2 ? null : expected.apply(id);
    return Arguments.of(type, withNulls, expectedWithNulls);
  }

  @ParameterizedTest(name = "{1} in file format {0}")
  @MethodSource("types")
  void backfill_whenScalarUdfReturnsTypedValues_lanceReadsThemBackAfterReopen(
      LanceFileVersion version, Field type, LongFunction<Object> value, LongFunction<Object> want) {
    Scripted.spec = UdfSpec.builder().inputs("id").output(type).build();
    Scripted.function = value;
    Table t = SampleTables.createWithFileVersion(db, dir, "docs", 300, 100, version);
    t.delete("id % 10 = 4");
    t.addColumns(Map.of("out", new Scripted()));

    BackfillResult r =
        t.backfill("out", BackfillOptions.builder().rowsPerTask(40).batchSize(32).build());

    assertThat(r.rowsProcessed()).isEqualTo(270);
    Map<Long, Object> values = LanceColumns.byId(db.allocator(), t.uri(), "out");
    assertThat(values).hasSize(270);
    if (type.getType() instanceof ArrowType.Struct) {
      values.forEach(
          (id, v) -> {
            if (id % 5 == 2) {
              // Lance's 2.0 files keep no struct validity: a null struct reads back empty.
              assertThat(v == null || v.toString().equals("{}")).as("row %d: %s", id, v).isTrue();
            } else {
              assertThat(v.toString())
                  .as("row %d", id)
                  .contains("\"lang\":\"en\"", "\"tags\":[" + id + "]", "\"price\":1.00");
            }
          });
    } else {
      values.forEach((id, v) -> assertThat(v).as("row %d", id).isEqualTo(want.apply(id)));
    }
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(270);
    Table reopened = db.openTable("docs");
    assertThat(reopened.schema().findField("out").getType()).isEqualTo(type.getType());
    assertThat(reopened.head(300)).hasSize(270);
    boolean structIn20 =
        type.getType() instanceof ArrowType.Struct && version == LanceFileVersion.V2_0;
    assertThat(reopened.countRows("out IS NULL")).isEqualTo(structIn20 ? 0 : 60);
  }
}
