package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.NestedUdfs;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.udf.BatchUdf;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values a column cannot hold (out of range, wrong Java type, null in a not-nullable output) fail
 * their row under the error policy, and types Geneva cannot store are refused before the table
 * changes. After every refused or failed attempt, plain lance-core still reads the whole table.
 */
class OutputValuesTest {
  @TempDir Path dir;
  Connection db;
  Table table;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    table = SampleTables.create(db, "docs", 200, 100);
  }

  @AfterEach
  void close() {
    Scripted.spec = null;
    Scripted.function = null;
    db.close();
  }

  private void script(Field output, ErrorPolicy policy, LongFunction<Object> function) {
    Scripted.spec = UdfSpec.builder().inputs("id").output(output).errorPolicy(policy).build();
    Scripted.function = function;
  }

  private void assertReadableByLance() {
    assertThat(LanceColumns.scanAll(db.allocator(), table.uri())).isEqualTo(200);
    assertThat(table.head(200)).hasSize(200);
  }

  private static final long TOO_BIG = 5_000_000_000L;

  @Test
  void backfill_whenInt32UdfReturnsLongThatDoesNotFit_failsNamingUdfRowAndValue() {
    script(UdfTypes.int32(), ErrorPolicy.failFast(), id -> id == 150 ? TOO_BIG : id);
    table.addColumns(Map.of("n", new Scripted()));

    assertThatThrownBy(() -> table.backfill("n"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining(Scripted.class.getName())
        .hasMessageContaining("column 'n'")
        .hasMessageContaining("fragment 1 row offset 50")
        .hasMessageContaining("5000000000 (java.lang.Long)")
        .hasMessageContaining("does not fit the column's int32");
    assertReadableByLance();
    Map<Long, Object> n = LanceColumns.byId(db.allocator(), table.uri(), "n");
    assertThat(n.get(150L)).isNull();
    assertThat(n.values()).doesNotContain((int) TOO_BIG);
  }

  @Test
  void backfill_whenInt32UdfReturnsLongThatDoesNotFitUnderSkip_rowIsNullAndCounted() {
    script(UdfTypes.int32(), ErrorPolicy.skip(), id -> id % 50 == 7 ? TOO_BIG : id);
    table.addColumns(Map.of("n", new Scripted()));

    BackfillResult r = table.backfill("n");

    assertThat(r.rowsFailed()).isEqualTo(4);
    Map<Long, Object> n = LanceColumns.byId(db.allocator(), table.uri(), "n");
    n.forEach(
        (id, v) -> assertThat(v).as("n %d", id).isEqualTo(id % 50 == 7 ? null : (int) (long) id));
  }

  @Test
  void backfill_whenValuesFitNarrowerTypes_storesThemExactly() {
    script(UdfTypes.int8(), ErrorPolicy.failFast(), id -> (int) (id % 256) - 128);
    table.addColumns(Map.of("b", new Scripted()));

    table.backfill("b");

    Map<Long, Object> b = LanceColumns.byId(db.allocator(), table.uri(), "b");
    b.forEach((id, v) -> assertThat(v).as("b %d", id).isEqualTo((byte) ((id % 256) - 128)));
  }

  @Test
  void backfill_whenInt8UdfReturns200_failsNamingTheValue() {
    script(UdfTypes.int8(), ErrorPolicy.failFast(), id -> 200);
    table.addColumns(Map.of("b", new Scripted()));

    assertThatThrownBy(() -> table.backfill("b"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("200 (java.lang.Integer)")
        .hasMessageContaining("int8 (-128..127)");
    assertReadableByLance();
  }

  @Test
  void backfill_whenUdfReturnsStringForInt32_failsNamingTheJavaType() {
    script(UdfTypes.int32(), ErrorPolicy.failFast(), id -> "seven");
    table.addColumns(Map.of("n", new Scripted()));

    assertThatThrownBy(() -> table.backfill("n"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("seven (java.lang.String)")
        .hasMessageContaining("needs an integer");
    assertReadableByLance();
  }

  @Test
  void backfill_whenUdfReturnsDoubleForInt64_failsInsteadOfTruncating() {
    script(UdfTypes.int64(), ErrorPolicy.failFast(), id -> id + 0.5);
    table.addColumns(Map.of("n", new Scripted()));

    assertThatThrownBy(() -> table.backfill("n"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("(java.lang.Double)");
    assertReadableByLance();
  }

  @Test
  void backfill_whenFloat32UdfReturnsDoubles_roundsThemAndRefusesOverflow() {
    script(UdfTypes.float32(), ErrorPolicy.skip(), id -> id == 3 ? 1e300 : id / 3.0);
    table.addColumns(Map.of("f", new Scripted()));

    BackfillResult r = table.backfill("f");

    assertThat(r.rowsFailed()).isEqualTo(1);
    Map<Long, Object> f = LanceColumns.byId(db.allocator(), table.uri(), "f");
    assertThat(f.get(3L)).isNull();
    assertThat(f.get(10L)).isEqualTo((float) (10 / 3.0));
  }

  @Test
  void backfill_whenListItemDoesNotFit_failsNamingTheItem() {
    script(
        UdfTypes.list(UdfTypes.int32()),
        ErrorPolicy.failFast(),
        id -> id == 20 ? List.of(1L, 2L, TOO_BIG) : List.of(id));
    table.addColumns(Map.of("l", new Scripted()));

    assertThatThrownBy(() -> table.backfill("l"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("at [2]")
        .hasMessageContaining("5000000000 (java.lang.Long)");
    assertReadableByLance();
  }

  @Test
  void backfill_whenNotNullableScalarUdfReturnsNull_failsNamingTheRow() {
    script(UdfTypes.notNull(UdfTypes.int64()), ErrorPolicy.failFast(), id -> id == 42 ? null : id);
    table.addColumns(Map.of("n", new Scripted()));

    assertThatThrownBy(() -> table.backfill("n"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("fragment 0 row offset 42")
        .hasMessageContaining("returned null, but the column's output is declared not nullable");
    assertReadableByLance();
  }

  @Test
  void backfill_whenNotNullableScalarUdfReturnsValues_storesEveryRowAndRecordsTheDeclaration() {
    script(UdfTypes.notNull(UdfTypes.int64()), ErrorPolicy.failFast(), id -> id * 2);
    table.addColumns(Map.of("n", new Scripted()));

    table.backfill("n");

    Field stored = table.schema().findField("n");
    assertThat(stored.isNullable()).as("Lance stores the column nullable").isTrue();
    assertThat(stored.getMetadata()).containsEntry("geneva.udf.nullable", "false");
    Map<Long, Object> n = LanceColumns.byId(db.allocator(), table.uri(), "n");
    n.forEach((id, v) -> assertThat(v).isEqualTo(id * 2));
  }

  /** A batch UDF declared not nullable that leaves row 7 of each batch null. */
  public static class LeavesNulls implements BatchUdf {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("id").output(UdfTypes.notNull(UdfTypes.int32())).build();
    }

    @Override
    public void apply(VectorSchemaRoot input, FieldVector output) {
      BigIntVector ids = (BigIntVector) input.getVector(0);
      for (int i = 0; i < input.getRowCount(); i++) {
        if (i != 7) {
          ((IntVector) output).setSafe(i, (int) ids.get(i));
        }
      }
    }
  }

  @Test
  void backfill_whenNotNullableBatchUdfLeavesNull_failsNamingTheRow() {
    table.addColumns(Map.of("n", new LeavesNulls()));

    assertThatThrownBy(() -> table.backfill("n"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining(LeavesNulls.class.getName())
        .hasMessageContaining("row offset 7 null")
        .hasMessageContaining("declared not nullable");
    assertReadableByLance();
  }

  /** A batch UDF that computes {@code id * 2} and sets the value count to rows + {@code DELTA}. */
  public static class MiscountedBatch implements BatchUdf {
    static volatile int delta;
    static volatile ErrorPolicy policy = ErrorPolicy.failFast();

    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().inputs("id").output(UdfTypes.int64()).errorPolicy(policy).build();
    }

    @Override
    public void apply(VectorSchemaRoot input, FieldVector output) {
      BigIntVector ids = (BigIntVector) input.getVector(0);
      BigIntVector out = (BigIntVector) output;
      int count = input.getRowCount() + delta;
      for (int i = 0; i < count; i++) {
        out.setSafe(i, i < input.getRowCount() ? ids.get(i) * 2 : -1);
      }
      out.setValueCount(count);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 5})
  void backfill_whenBatchUdfSetsAnotherValueCount_failsInsteadOfMisaligningRows(int delta) {
    MiscountedBatch.delta = delta;
    MiscountedBatch.policy = ErrorPolicy.failFast();
    table.addColumns(Map.of("n", new MiscountedBatch()));

    assertThatThrownBy(() -> table.backfill("n", BackfillOptions.builder().batchSize(10).build()))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining(MiscountedBatch.class.getName())
        .hasMessageContaining("value count to " + (10 + delta) + " for a batch of 10 rows")
        .hasMessageContaining("exactly one value per input row");
    assertThat(LanceColumns.byId(db.allocator(), table.uri(), "n").values()).containsOnlyNulls();
    assertReadableByLance();
  }

  @Test
  void backfill_whenBatchUdfSetsTheBatchsValueCount_storesEveryRow() {
    MiscountedBatch.delta = 0;
    MiscountedBatch.policy = ErrorPolicy.failFast();
    table.addColumns(Map.of("n", new MiscountedBatch()));

    table.backfill("n", BackfillOptions.builder().batchSize(10).build());

    Map<Long, Object> n = LanceColumns.byId(db.allocator(), table.uri(), "n");
    assertThat(n).hasSize(200);
    n.forEach((id, v) -> assertThat(v).isEqualTo(id * 2));
  }

  @Test
  void backfill_whenBatchUdfMiscountsUnderSkip_itsBatchesAreSkippedAndCounted() {
    MiscountedBatch.delta = -1;
    MiscountedBatch.policy = ErrorPolicy.skip();
    table.addColumns(Map.of("n", new MiscountedBatch()));

    BackfillResult result = table.backfill("n", BackfillOptions.builder().batchSize(10).build());

    assertThat(result.rowsFailed()).isEqualTo(200);
    assertThat(LanceColumns.byId(db.allocator(), table.uri(), "n").values()).containsOnlyNulls();
    assertReadableByLance();
  }

  @Test
  void addColumns_whenNotNullableOutputWithSkipPolicy_refusesBeforeTheTableChanges() {
    script(UdfTypes.notNull(UdfTypes.int32()), ErrorPolicy.skip(), id -> 1);
    long version = table.version();

    assertThatThrownBy(() -> table.addColumns(Map.of("n", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'n'")
        .hasMessageContaining("not-nullable output but an ErrorPolicy that can skip rows");
    assertThat(table.version()).isEqualTo(version);
    assertReadableByLance();
  }

  @Test
  void addColumns_whenOutputTypeUnsupported_refusesNamingTypeAndWhatIsSupported() {
    Field float16 =
        new Field(
            "value",
            FieldType.nullable(
                new ArrowType.FloatingPoint(
                    org.apache.arrow.vector.types.FloatingPointPrecision.HALF)),
            null);
    Field listOfStructs = UdfTypes.list(UdfTypes.struct(UdfTypes.named("a", UdfTypes.int32())));
    Field listOfZonedTimestamps =
        UdfTypes.list(UdfTypes.timestamp(org.apache.arrow.vector.types.TimeUnit.SECOND, "UTC"));
    Field blobInStruct = UdfTypes.struct(UdfTypes.named("b", UdfTypes.blob()));
    Field time =
        new Field(
            "value",
            FieldType.nullable(
                new ArrowType.Time(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, 64)),
            null);
    long version = table.version();

    for (Field type : List.of(float16, listOfStructs, listOfZonedTimestamps, blobInStruct, time)) {
      script(type, ErrorPolicy.failFast(), id -> null);
      assertThatThrownBy(
              () -> table.addColumns(Map.of("ok", new NestedUdfs.IntList(), "bad", new Scripted())))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("column 'bad'")
          .hasMessageContaining(type.getType().toString())
          .hasMessageContaining("Supported: int8..int64, uint8..uint64");
    }
    assertThat(table.version()).isEqualTo(version);
    assertThat(table.schema().getFields()).extracting(Field::getName).containsExactly("id", "text");
    assertReadableByLance();
  }

  @Test
  void addColumns_whenStructFieldNameHasADotOrBacktick_refusesBeforeTheTableChanges() {
    long version = table.version();

    for (String name : List.of("a.b", "a`b")) {
      script(
          UdfTypes.struct(
              UdfTypes.named(name, UdfTypes.int64()), UdfTypes.named("c", UdfTypes.int64())),
          ErrorPolicy.failFast(),
          id -> null);
      assertThatThrownBy(() -> table.addColumns(Map.of("s", new Scripted())))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("column 's'")
          .hasMessageContaining("cannot be part of a struct field name")
          .hasMessageContaining("(field '" + name + "')");
    }
    assertThat(table.version()).isEqualTo(version);
    assertReadableByLance();
  }

  @Test
  void addColumns_whenBatchUdfDeclaresNonNullableListItems_refuses() {
    Field item = UdfTypes.notNull(UdfTypes.int32());
    script(UdfTypes.list(item), ErrorPolicy.failFast(), id -> null);

    assertThatThrownBy(() -> table.addColumns(Map.of("l", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nested field 'item' is not nullable");
    assertReadableByLance();
  }
}
