package dev.geneva.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.Transaction;
import com.lancedb.lance.WriteParams;
import com.lancedb.lance.WriteParams.LanceFileVersion;
import com.lancedb.lance.file.LanceFileWriter;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.operation.Append;
import com.lancedb.lance.operation.DataReplacement;
import com.lancedb.lance.operation.DataReplacement.DataReplacementGroup;
import com.lancedb.lance.schema.LanceField;
import dev.geneva.internal.lance.TablePaths;
import dev.geneva.testing.LanceColumns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What several columns from one UDF (issue 14 item 2) rely on in lance-core 0.39: one data file per
 * fragment holding several top-level columns, committed by one {@code DataReplacement} group, and
 * the layout {@link ColumnLayout#ofAll} computes for such a file.
 */
class MultiFieldReplacementTest {
  @TempDir Path dir;
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close();
  }

  private static final Field ID = Field.nullable("id", new ArrowType.Int(64, true));
  private static final Field A = Field.nullable("a", new ArrowType.Int(32, true));
  private static final Field B = Field.nullable("b", ArrowType.Utf8.INSTANCE);

  @ParameterizedTest(name = "file format {0}")
  @EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_0", "V2_1", "V2_2"})
  void ofAll_whenColumnsWrittenByLance_matchesLancesOwnDataFile(LanceFileVersion version)
      throws Exception {
    String uri = dir.resolve("t.lance").toString();
    Field struct =
        new Field(
            "s",
            FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(
                Field.nullable("x", new ArrowType.Int(32, true)),
                Field.nullable("y", ArrowType.Utf8.INSTANCE)));
    Schema schema = new Schema(List.of(A, struct, B));
    WriteParams params = new WriteParams.Builder().withDataStorageVersion(version).build();
    DataFile lance;
    List<LanceField> columns;
    try (Dataset ds = Dataset.create(allocator, uri, schema, params);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      columns = ds.getLanceSchema().fields();
      root.allocateNew();
      ((IntVector) root.getVector(0)).setNull(0);
      ((StructVector) root.getVector(1)).setNull(0);
      ((VarCharVector) root.getVector(2)).setNull(0);
      root.setRowCount(1);
      lance = Fragment.create(uri, allocator, root, params).get(0).getFiles().get(0);
    }

    ColumnLayout layout =
        ColumnLayout.ofAll(columns, lance.getFileMajorVersion(), lance.getFileMinorVersion());

    assertThat(layout.fields()).isEqualTo(lance.getFields());
    assertThat(layout.columnIndices()).isEqualTo(lance.getColumnIndices());
  }

  @ParameterizedTest(name = "file format {0}")
  @EnumSource(
      value = LanceFileVersion.class,
      names = {"V2_0", "V2_1"})
  void dataReplacement_whenOneFileHoldsTwoNewColumns_lanceReadsBoth(LanceFileVersion version)
      throws Exception {
    String uri = dir.resolve("t.lance").toString();
    WriteParams params =
        new WriteParams.Builder().withDataStorageVersion(version).withMaxRowsPerFile(3).build();
    Schema idOnly = new Schema(List.of(ID));
    Dataset.create(allocator, uri, idOnly, params).close();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(idOnly, allocator)) {
      root.allocateNew();
      for (int i = 0; i < 6; i++) {
        ((BigIntVector) root.getVector(0)).setSafe(i, i);
      }
      root.setRowCount(6);
      List<FragmentMetadata> fragments = Fragment.create(uri, allocator, root, params);
      try (Dataset ds = Dataset.open(uri, allocator)) {
        ds.newTransactionBuilder()
            .readVersion(ds.version())
            .operation(Append.builder().fragments(fragments).build())
            .build()
            .commit()
            .close();
      }
    }
    List<DataReplacementGroup> groups = new ArrayList<>();
    try (Dataset ds = Dataset.open(uri, allocator)) {
      ds.addColumns(List.of(A, B));
    }
    try (Dataset ds = Dataset.open(uri, allocator)) {
      assertThat(ds.getFragments()).hasSize(2);
      List<LanceField> ab = ds.getLanceSchema().fields().subList(1, 3);
      Schema fileSchema = new Schema(List.of(A, B));
      for (var fragment : ds.getFragments()) {
        DataFile first = fragment.metadata().getFiles().get(0);
        String name = "two-" + fragment.getId() + ".lance";
        try (LanceFileWriter writer =
                LanceFileWriter.open(
                    TablePaths.dataFile(uri, name),
                    allocator,
                    null,
                    Optional.of(version),
                    Map.of());
            VectorSchemaRoot root = VectorSchemaRoot.create(fileSchema, allocator)) {
          root.allocateNew();
          for (int row = 0; row < 3; row++) {
            long id = fragment.getId() * 3L + row;
            ((IntVector) root.getVector(0)).setSafe(row, (int) (id * 10));
            ((VarCharVector) root.getVector(1)).setSafe(row, new Text("v" + id));
          }
          root.setRowCount(3);
          writer.write(root);
        }
        ColumnLayout layout =
            ColumnLayout.ofAll(ab, first.getFileMajorVersion(), first.getFileMinorVersion());
        groups.add(
            new DataReplacementGroup(
                fragment.getId(),
                new DataFile(
                    name,
                    layout.fields(),
                    layout.columnIndices(),
                    first.getFileMajorVersion(),
                    first.getFileMinorVersion(),
                    null,
                    null)));
      }
      Transaction tx =
          ds.newTransactionBuilder()
              .readVersion(ds.version())
              .operation(DataReplacement.builder().replacements(groups).build())
              .build();
      tx.commit().close();
    }

    Map<Long, Object> expectedA = new TreeMap<>();
    Map<Long, Object> expectedB = new TreeMap<>();
    for (long id = 0; id < 6; id++) {
      expectedA.put(id, (int) (id * 10));
      expectedB.put(id, new Text("v" + id));
    }
    assertThat(LanceColumns.byId(allocator, uri, "a")).isEqualTo(expectedA);
    assertThat(LanceColumns.byId(allocator, uri, "b")).isEqualTo(expectedB);
    try (Dataset ds = Dataset.open(uri, allocator)) {
      for (var fragment : ds.getFragments()) {
        List<DataFile> files = fragment.metadata().getFiles();
        assertThat(files).hasSize(2);
        assertThat(files.get(1).getPath()).isEqualTo("two-" + fragment.getId() + ".lance");
      }
    }
  }
}
