package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.LanceColumns;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Table#add(List)} with struct fields and list items declared not nullable: a null there is
 * refused up front, naming the row and the field's path, before anything is written.
 */
class AddRowsNullabilityTest {
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

  /**
   * {@code id int64 not null, info struct<lang utf8 not null, n int32>, tags list<utf8 not null>}.
   */
  private Table table() throws IOException {
    Schema schema =
        new Schema(
            List.of(
                new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                new Field(
                    "info",
                    FieldType.nullable(ArrowType.Struct.INSTANCE),
                    List.of(
                        new Field("lang", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
                        Field.nullable("n", new ArrowType.Int(32, true)))),
                new Field(
                    "tags",
                    FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(
                        new Field("item", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null)))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot empty = VectorSchemaRoot.create(schema, db.allocator());
        ArrowStreamWriter writer = new ArrowStreamWriter(empty, null, out)) {
      writer.start();
      writer.end();
    }
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(out.toByteArray()), db.allocator())) {
      return db.createTable("nested", reader);
    }
  }

  private static Map<String, Object> row(long id, Map<String, Object> info, List<String> tags) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("info", info);
    row.put("tags", tags);
    return row;
  }

  private static Map<String, Object> info(String lang, Integer n) {
    Map<String, Object> info = new HashMap<>();
    info.put("lang", lang);
    info.put("n", n);
    return info;
  }

  @Test
  void add_whenANonNullableStructFieldIsNullOrMissing_refusesNamingRowAndPathAndWritesNothing()
      throws IOException {
    Table t = table();
    long version = t.version();
    Map<String, Object> good = row(1, info("en", 3), List.of("a"));

    assertThatThrownBy(() -> t.add(List.of(good, good, row(3, info(null, 1), List.of()))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 2")
        .hasMessageContaining("'info.lang'")
        .hasMessageContaining("not nullable");
    assertThatThrownBy(() -> t.add(List.of(good, row(4, Map.of("n", 2), null))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 1")
        .hasMessageContaining("'info.lang'");
    assertThatThrownBy(() -> t.add(List.of(row(5, info("de", null), Arrays.asList("x", null)))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 0")
        .hasMessageContaining("'tags[1]'")
        .hasMessageContaining("not nullable");

    assertThat(t.version()).isEqualTo(version);
    assertThat(LanceColumns.byId(t.uri(), "id")).isEmpty();
  }

  @Test
  void add_whenNestedValuesAreGivenOrNullableFieldsNull_writesThem() throws IOException {
    Table t = table();

    t.add(List.of(row(1, info("en", null), List.of("a", "b")), row(2, info("fr", 7), null)));

    Map<Long, Object> infos = LanceColumns.byId(t.uri(), "info");
    assertThat(infos).hasSize(2);
    assertThat(String.valueOf(infos.get(1L))).contains("\"lang\":\"en\"");
    assertThat(String.valueOf(infos.get(2L))).contains("\"lang\":\"fr\"").contains("\"n\":7");
    assertThat(String.valueOf(LanceColumns.byId(t.uri(), "tags").get(1L))).contains("a", "b");
  }
}
