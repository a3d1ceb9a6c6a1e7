package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.IdSignature;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Table#add(List)}: rows of Java values, read back with plain lance-core. */
class AddRowsTest {
  @TempDir Path dir;
  Connection db;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static BackfillOptions options() {
    return BackfillOptions.builder().concurrency(2).batchSize(64).build();
  }

  /** A table with every column type the rows form fills, created empty. */
  private Table typedTable() throws IOException {
    Schema schema =
        new Schema(
            List.of(
                new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                Field.nullable("small", new ArrowType.Int(16, true)),
                Field.nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                Field.nullable("flag", ArrowType.Bool.INSTANCE),
                Field.nullable("data", ArrowType.Binary.INSTANCE),
                new Field(
                    "tags",
                    FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(Field.nullable("item", ArrowType.Utf8.INSTANCE))),
                Field.nullable("at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
                Field.nullable("price", new ArrowType.Decimal(10, 2, 128)),
                new Field(
                    "info",
                    FieldType.nullable(ArrowType.Struct.INSTANCE),
                    List.of(
                        Field.nullable("lang", ArrowType.Utf8.INSTANCE),
                        Field.nullable("n", new ArrowType.Int(32, true))))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot empty = VectorSchemaRoot.create(schema, db.allocator());
        ArrowStreamWriter writer = new ArrowStreamWriter(empty, null, out)) {
      writer.start();
      writer.end();
    }
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(out.toByteArray()), db.allocator())) {
      return db.createTable("typed", reader);
    }
  }

  @Test
  void add_whenRows_appendsThemAndRerunComputesExactlyTheNewRows() {
    Table t = SampleTables.create(db, "docs", 300, 100);
    t.addColumns(Map.of("sig", new IdSignature()));
    assertThat(t.backfill("sig", options()).rowsProcessed()).isEqualTo(300);
    long before = t.version();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long id = 300; id < 350; id++) {
      // An Integer widens losslessly to the int64 column.
      rows.add(Map.of("id", id % 2 == 0 ? (Object) id : (Object) (int) id, "text", "row " + id));
    }

    AddResult added = t.add(rows);

    assertThat(added.rowsAdded()).isEqualTo(50);
    assertThat(added.version()).isEqualTo(before + 1).isEqualTo(t.version());
    Map<Long, Object> text = LanceColumns.byId(t.uri(), "text");
    Map<Long, Object> sig = LanceColumns.byId(t.uri(), "sig");
    assertThat(text).hasSize(350);
    for (long id = 300; id < 350; id++) {
      assertThat(String.valueOf(text.get(id))).isEqualTo("row " + id);
      assertThat(sig.get(id)).as("sig of new id %d", id).isNull();
    }

    BackfillResult rerun = t.backfill("sig", options());

    assertThat(rerun.rowsProcessed()).isEqualTo(50);
    sig = LanceColumns.byId(t.uri(), "sig");
    assertThat(sig).hasSize(350);
    sig.forEach(
        (id, v) -> assertThat(v).as("sig of id %d", id).isEqualTo(IdSignature.expected(id)));
  }

  @Test
  void add_whenTypedColumns_convertsJavaValuesToTheColumnTypes() throws IOException {
    Table t = typedTable();
    Map<String, Object> full = new HashMap<>();
    full.put("id", 1L);
    full.put("small", (short) -7);
    full.put("score", 0.5);
    full.put("flag", true);
    full.put("data", new byte[] {1, 2, 3});
    full.put("tags", List.of("a", "b"));
    full.put("at", Instant.parse("2024-05-01T12:00:00.000123Z"));
    full.put("day", LocalDate.of(2024, 5, 1));
    full.put("price", new BigDecimal("12.5"));
    full.put("info", Map.of("lang", "en", "n", 3));
    Map<String, Object> sparse = new HashMap<>();
    sparse.put("id", BigInteger.TWO);
    sparse.put("small", 300);
    sparse.put("tags", null);

    AddResult added = t.add(List.of(full, sparse));

    assertThat(added.rowsAdded()).isEqualTo(2);
    String uri = t.uri();
    assertThat(LanceColumns.byId(uri, "small"))
        .containsEntry(1L, (short) -7)
        .containsEntry(2L, (short) 300);
    assertThat(LanceColumns.byId(uri, "score")).containsEntry(1L, 0.5f).containsEntry(2L, null);
    assertThat(LanceColumns.byId(uri, "flag")).containsEntry(1L, true).containsEntry(2L, null);
    assertThat((byte[]) LanceColumns.byId(uri, "data").get(1L)).containsExactly(1, 2, 3);
    assertThat(String.valueOf(LanceColumns.byId(uri, "tags").get(1L))).isEqualTo("[\"a\",\"b\"]");
    assertThat(LanceColumns.byId(uri, "tags").get(2L)).isNull();
    long micros = Instant.parse("2024-05-01T12:00:00Z").getEpochSecond() * 1_000_000L + 123;
    assertThat(LanceColumns.byId(uri, "at")).containsEntry(1L, micros).containsEntry(2L, null);
    assertThat(LanceColumns.byId(uri, "day"))
        .containsEntry(1L, (int) LocalDate.of(2024, 5, 1).toEpochDay());
    assertThat(LanceColumns.byId(uri, "price")).containsEntry(1L, new BigDecimal("12.50"));
    assertThat(String.valueOf(LanceColumns.byId(uri, "info").get(1L)))
        .contains("\"lang\":\"en\"")
        .contains("\"n\":3");
    // Lance file format 2.0 stores no struct-level null: a null struct reads as one of nulls.
    Object noInfo = LanceColumns.byId(uri, "info").get(2L);
    assertThat(noInfo == null || ((Map<?, ?>) noInfo).values().stream().allMatch(v -> v == null))
        .as("info of row 2: %s", noInfo)
        .isTrue();
  }

  @Test
  void add_whenARowIsBad_throwsNamingRowAndColumnAndWritesNothing() throws IOException {
    Table docs = SampleTables.create(db, "docs", 10, 10);
    docs.addColumns(Map.of("sig", new IdSignature()));
    Table typed = typedTable();
    long docsVersion = docs.version();
    long typedVersion = typed.version();
    Map<String, Object> good = Map.of("id", 10L, "text", "ok");

    assertThatThrownBy(() -> docs.add(List.of(good, Map.of("id", 11L, "txt", "x"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 1")
        .hasMessageContaining("column 'txt' is not in the table")
        .hasMessageContaining("id Int(64, true)");
    assertThatThrownBy(() -> docs.add(List.of(Map.of("id", 11L, "text", "x", "sig", 5L))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 0")
        .hasMessageContaining("column 'sig' is a UDF column");
    assertThatThrownBy(() -> docs.add(List.of(good, good, Map.of("id", 12.0, "text", "x"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 2")
        .hasMessageContaining("column 'id' is 12.0 (java.lang.Double)")
        .hasMessageContaining("needs an integer");
    assertThatThrownBy(() -> typed.add(List.of(Map.of("id", 1L, "small", 70_000))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 0")
        .hasMessageContaining("column 'small' is 70000")
        .hasMessageContaining("does not fit the column's int16");
    assertThatThrownBy(() -> typed.add(List.of(Map.of("id", 1L), Map.of("small", 1))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 1")
        .hasMessageContaining("column 'id' is null or missing, but the column is not nullable");
    assertThatThrownBy(() -> typed.add(List.of(Map.of("id", 1L, "price", new BigDecimal("1.234")))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'price' is 1.234")
        .hasMessageContaining("setScale(2");
    assertThatThrownBy(() -> typed.add(List.of(Map.of("id", 1L, "info", Map.of("lang", 1)))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'info' is 1 (java.lang.Integer) at lang");
    assertThatThrownBy(() -> typed.add(List.of(Map.of("id", 1L, "at", LocalDate.now()))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'at'")
        .hasMessageContaining("an Instant");

    assertThat(docs.version()).isEqualTo(docsVersion);
    assertThat(typed.version()).isEqualTo(typedVersion);
    assertThat(LanceColumns.byId(docs.uri(), "text")).hasSize(10);
    assertThat(LanceColumns.byId(typed.uri(), "id")).isEmpty();
  }
}
