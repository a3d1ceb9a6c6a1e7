package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.IdSignature;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Table#add} and {@link Table#mergeInsert}, read back with plain lance-core. */
class AppendTest {
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
    return BackfillOptions.builder().concurrency(2).batchSize(256).build();
  }

  @Test
  void add_whenUdfColumnsLeftOut_rerunComputesExactlyTheNewRows() throws IOException {
    Table t = SampleTables.create(db, "docs", 3_000, 1_000);
    t.addColumns(Map.of("sig", new IdSignature()));
    assertThat(t.backfill("sig", options()).rowsProcessed()).isEqualTo(3_000);
    long before = t.version();

    AddResult added;
    try (ArrowReader rows = SampleTables.rows(db.allocator(), 3_000, 1_500)) {
      added = t.add(rows);
    }

    assertThat(added.rowsAdded()).isEqualTo(1_500);
    assertThat(added.version()).isEqualTo(before + 1).isEqualTo(t.version());
    Map<Long, Object> sig = LanceColumns.byId(t.uri(), "sig");
    assertThat(sig).hasSize(4_500);
    for (long id = 0; id < 4_500; id++) {
      assertThat(sig.get(id))
          .as("sig of id %d", id)
          .isEqualTo(id < 3_000 ? IdSignature.expected(id) : null);
    }
    Map<Long, Object> text = LanceColumns.byId(t.uri(), "text");
    for (long id = 3_000; id < 4_500; id++) {
      String expected = SampleTables.text(id);
      assertThat(text.get(id) == null ? null : text.get(id).toString())
          .as("text of id %d", id)
          .isEqualTo(expected);
    }
    // The UDF's declaration survives the append.
    assertThat(t.schema().findField("sig").getMetadata()).containsKey("geneva.udf.class");

    BackfillResult rerun = t.backfill("sig", options());

    assertThat(rerun.rowsProcessed()).isEqualTo(1_500);
    sig = LanceColumns.byId(t.uri(), "sig");
    assertThat(sig).hasSize(4_500);
    sig.forEach(
        (id, v) -> assertThat(v).as("sig of id %d", id).isEqualTo(IdSignature.expected(id)));
  }

  @Test
  void add_whenVectorSchemaRoot_appendsItAndLeavesItIntact() {
    Table t = SampleTables.create(db, "docs", 100, 100);
    t.addColumns(Map.of("len", new TextLength()));
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("text", ArrowType.Utf8.INSTANCE)));

    try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, db.allocator())) {
      batch.allocateNew();
      for (int i = 0; i < 3; i++) {
        ((BigIntVector) batch.getVector("id")).setSafe(i, 100 + i);
        ((VarCharVector) batch.getVector("text"))
            .setSafe(i, ("new-" + i).getBytes(StandardCharsets.UTF_8));
      }
      batch.setRowCount(3);

      AddResult added = t.add(batch);

      assertThat(added.rowsAdded()).isEqualTo(3);
      assertThat(batch.getRowCount()).isEqualTo(3);
      assertThat(((BigIntVector) batch.getVector("id")).get(2)).isEqualTo(102);
      assertThat(batch.getVector("text").getObject(1)).hasToString("new-1");
    }
    assertThat(LanceColumns.byId(t.uri(), "text").get(101L)).hasToString("new-1");
    assertThat(LanceColumns.byId(t.uri(), "len").get(101L)).isNull();
    assertThat(t.backfill("len", options()).rowsProcessed()).isEqualTo(103);
    assertThat(LanceColumns.byId(t.uri(), "len").get(101L)).isEqualTo(5);
  }

  @Test
  void add_whenNoRows_commitsAnEmptyVersion() {
    Table t = SampleTables.create(db, "docs", 10, 10);
    t.addColumns(Map.of("len", new TextLength()));
    long version = t.version();

    AddResult added;
    try (ArrowReader none = SampleTables.rows(db.allocator(), 10, 0)) {
      added = t.add(none);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }

    assertThat(added.rowsAdded()).isZero();
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(10);
    // Lance commits an append of nothing as a new version, like any other append.
    assertThat(added.version()).isEqualTo(t.version()).isEqualTo(version + 1);
  }

  @Test
  void add_whenUdfColumnGiven_throwsAndWritesNothing() throws IOException {
    Table t = SampleTables.create(db, "docs", 100, 100);
    t.addColumns(Map.of("len", new TextLength()));
    long version = t.version();
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("len", new ArrowType.Int(32, true)),
                Field.nullable("text", ArrowType.Utf8.INSTANCE),
                Field.nullable("id", new ArrowType.Int(64, true))));

    try (ArrowReader rows = reader(schema, root -> {})) {
      assertThatThrownBy(() -> t.add(rows))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("column 'len' is a UDF column: leave it out");
    }
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void add_whenColumnsInAnotherOrder_appendsThemByName() throws IOException {
    Table t = SampleTables.create(db, "docs", 100, 100);
    t.addColumns(Map.of("len", new TextLength()));
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("text", ArrowType.Utf8.INSTANCE),
                Field.nullable("id", new ArrowType.Int(64, true))));

    try (ArrowReader rows =
        reader(
            schema,
            root -> {
              ((VarCharVector) root.getVector("text"))
                  .setSafe(0, "given".getBytes(StandardCharsets.UTF_8));
              ((BigIntVector) root.getVector("id")).setSafe(0, 100);
            })) {
      assertThat(t.add(rows).rowsAdded()).isEqualTo(1);
    }

    assertThat(String.valueOf(LanceColumns.byId(t.uri(), "text").get(100L))).isEqualTo("given");
    assertThat(t.backfill("len", options()).rowsProcessed()).isEqualTo(101);
    assertThat(LanceColumns.byId(t.uri(), "len").get(100L)).isEqualTo(5);
  }

  @Test
  void add_whenColumnMissingMistypedOrExtra_throwsNamingThemAndWritesNothing() throws IOException {
    Table t = SampleTables.create(db, "docs", 10, 10);
    t.addColumns(Map.of("len", new TextLength()));
    long version = t.version();
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", ArrowType.Utf8.INSTANCE),
                Field.nullable("extra", new ArrowType.Int(64, true))));

    try (ArrowReader rows = reader(schema, root -> {})) {
      assertThatThrownBy(() -> t.add(rows))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("add to table 'docs'")
          .hasMessageContaining("column 'text' (Utf8) is missing")
          .hasMessageContaining("column 'id' is Utf8 but the table holds Int(64, true)")
          .hasMessageContaining("column 'extra' (Int(64, true)) is not in the table")
          .hasMessageNotContaining("column 'len'");
    }
    assertThat(t.version()).isEqualTo(version);
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(10);
  }

  @Test
  void mergeInsert_whenKeysOverlap_updatesKeepingUdfValuesAndRerunComputesOnlyInserted()
      throws IOException {
    Table t = SampleTables.create(db, "docs", 1_000, 500);
    t.addColumns(Map.of("sig", new IdSignature()));
    t.backfill("sig", options());

    MergeInsertResult merged;
    try (ArrowReader rows = SampleTables.rows(db.allocator(), 900, 200)) {
      merged = t.mergeInsert("id", rows);
    }

    assertThat(merged.rowsUpdated()).isEqualTo(100);
    assertThat(merged.rowsInserted()).isEqualTo(100);
    assertThat(merged.version()).isEqualTo(t.version());
    Map<Long, Object> sig = LanceColumns.byId(t.uri(), "sig");
    assertThat(sig).hasSize(1_100);
    for (long id = 0; id < 1_100; id++) {
      // Lance updates only the columns given: updated rows keep their UDF values.
      assertThat(sig.get(id))
          .as("sig of id %d", id)
          .isEqualTo(id < 1_000 ? IdSignature.expected(id) : null);
    }

    BackfillResult rerun = t.backfill("sig", options());
    BackfillResult updated =
        t.backfill(
            "sig",
            BackfillOptions.builder().where("id >= 900 AND id < 1000").concurrency(2).build());

    assertThat(rerun.rowsProcessed()).isEqualTo(100);
    assertThat(updated.rowsProcessed()).isEqualTo(100);
    sig = LanceColumns.byId(t.uri(), "sig");
    assertThat(sig).hasSize(1_100);
    sig.forEach(
        (id, v) -> assertThat(v).as("sig of id %d", id).isEqualTo(IdSignature.expected(id)));
  }

  @Test
  void mergeInsert_whenKeyIsUdfColumnOrMissing_throws() throws IOException {
    Table t = SampleTables.create(db, "docs", 10, 10);
    t.addColumns(Map.of("len", new TextLength()));

    try (ArrowReader rows = SampleTables.rows(db.allocator(), 0, 5)) {
      assertThatThrownBy(() -> t.mergeInsert("len", rows))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("'len' is a UDF column");
      assertThatThrownBy(() -> t.mergeInsert("nope", rows))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("'nope' is not a column");
    }
  }

  /** One batch of one row in the given schema, filled by {@code fill} (other values null). */
  private ArrowReader reader(Schema schema, java.util.function.Consumer<VectorSchemaRoot> fill)
      throws IOException {
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, db.allocator());
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, ipc)) {
      root.allocateNew();
      fill.accept(root);
      root.setRowCount(1);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    return new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), db.allocator());
  }
}
