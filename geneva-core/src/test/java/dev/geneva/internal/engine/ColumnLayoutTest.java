package dev.geneva.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.WriteParams;
import com.lancedb.lance.WriteParams.LanceFileVersion;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.schema.LanceField;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The data-file layout Geneva computes is the one lance-core writes itself, type by type. */
class ColumnLayoutTest {
  @TempDir Path dir;
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close();
  }

  private static Field field(ArrowType type, Field... children) {
    return new Field("v", FieldType.nullable(type), List.of(children));
  }

  static Stream<Arguments> typesAndVersions() {
    ArrowType i32 = new ArrowType.Int(32, true);
    List<Field> types =
        List.of(
            field(new ArrowType.Int(64, true)),
            field(ArrowType.Utf8.INSTANCE),
            field(new ArrowType.List(), Field.nullable("item", i32)),
            field(new ArrowType.LargeList(), Field.nullable("item", ArrowType.Utf8.INSTANCE)),
            field(
                new ArrowType.FixedSizeList(4),
                Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))),
            field(
                ArrowType.Struct.INSTANCE,
                Field.nullable("a", i32),
                Field.nullable("b", ArrowType.Utf8.INSTANCE),
                Field.nullable("c", ArrowType.Bool.INSTANCE)),
            field(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            field(new ArrowType.Timestamp(TimeUnit.NANOSECOND, null)),
            field(new ArrowType.Date(DateUnit.DAY)),
            field(new ArrowType.Date(DateUnit.MILLISECOND)),
            field(new ArrowType.Decimal(20, 4, 128)),
            field(new ArrowType.Decimal(40, 6, 256)),
            field(new ArrowType.Int(8, false)),
            field(new ArrowType.Int(64, false)),
            field(
                new ArrowType.FixedSizeList(3),
                Field.nullable("item", new ArrowType.Int(8, false))),
            field(
                new ArrowType.FixedSizeList(2),
                Field.nullable("item", new ArrowType.Int(16, true))),
            new Field(
                "v",
                new FieldType(
                    true,
                    ArrowType.LargeBinary.INSTANCE,
                    null,
                    Map.of("lance-encoding:blob", "true")),
                null),
            field(
                ArrowType.Struct.INSTANCE,
                Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                field(new ArrowType.List(), Field.nullable("item", i32)),
                Field.nullable("d", new ArrowType.Decimal(10, 2, 128))));
    return Stream.of(LanceFileVersion.V2_0, LanceFileVersion.V2_1, LanceFileVersion.V2_2)
        .flatMap(v -> types.stream().map(t -> Arguments.of(v, t)));
  }

  @ParameterizedTest(name = "{1} in file format {0}")
  @MethodSource("typesAndVersions")
  void of_whenColumnWrittenByLance_matchesLancesOwnDataFile(LanceFileVersion version, Field type)
      throws Exception {
    String uri = dir.resolve("t.lance").toString();
    Schema schema = new Schema(List.of(type));
    WriteParams params = new WriteParams.Builder().withDataStorageVersion(version).build();
    DataFile lance;
    LanceField column;
    try (Dataset ds = Dataset.create(allocator, uri, schema, params);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      column = ds.getLanceSchema().fields().get(0);
      root.allocateNew();
      root.getVector(0).setNull(0);
      root.setRowCount(1);
      lance = Fragment.create(uri, allocator, root, params).get(0).getFiles().get(0);
    }

    ColumnLayout layout =
        ColumnLayout.of(column, lance.getFileMajorVersion(), lance.getFileMinorVersion());

    assertThat(layout.fields()).isEqualTo(lance.getFields());
    assertThat(layout.columnIndices()).isEqualTo(lance.getColumnIndices());
  }
}
