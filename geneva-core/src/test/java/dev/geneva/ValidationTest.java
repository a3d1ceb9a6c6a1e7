package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.Udf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class ValidationTest {
  @TempDir Path dir;
  Connection db;
  Table table;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    table = SampleTables.create(db, "docs", 300, 100);
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** A UDF whose inputs and output the tests choose. */
  public static class Configurable implements ScalarUdf<Integer> {
    static UdfSpec next;

    @Override
    public UdfSpec spec() {
      return next;
    }

    @Override
    public Integer apply(Row row) {
      return 1;
    }
  }

  /** Not public: cannot be recreated on a worker. */
  static class Hidden extends TextLength {}

  /** An inner class: needs an enclosing instance. */
  public class Inner extends TextLength {}

  private void assertRejectedAndUnchanged(Executable call, String... fragments) {
    long version = table.version();
    var schema = table.schema();
    var thrown = assertThatThrownBy(call::execute).isInstanceOf(InvalidInputException.class);
    for (String f : fragments) {
      thrown.hasMessageContaining(f);
    }
    assertThat(table.version()).isEqualTo(version);
    assertThat(table.schema()).isEqualTo(schema);
    assertThat(table.countRows()).isEqualTo(300);
  }

  @Test
  void addColumns_whenInputColumnMisspelled_namesItAndSuggestsTheClosest() {
    Configurable.next = UdfSpec.builder().inputs("txt").output(UdfTypes.int32()).build();
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("len", new Configurable())),
        "input column 'txt'",
        "table 'docs'",
        "did you mean 'text'?",
        "[id, text]");
  }

  @Test
  void addColumns_whenColumnExists_saysChooseAnotherName() {
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("text", new TextLength())),
        "already has a column 'text'",
        "choose another name");
  }

  @Test
  void addColumns_whenOutputIsItsOwnInput_rejects() {
    Configurable.next = UdfSpec.builder().inputs("len").output(UdfTypes.int32()).build();
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("len", new Configurable())), "'len' as its own input");
  }

  @Test
  void addColumns_whenInputIsAddedInSameCall_saysBackfillItFirst() {
    Configurable.next = UdfSpec.builder().inputs("len").output(UdfTypes.int32()).build();
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("len", new TextLength(), "twice", new Configurable())),
        "added in the same call");
  }

  @Test
  void addColumns_whenUdfIsLambdaOrAnonymous_explainsClassRequirement() {
    Udf anonymous =
        new ScalarUdf<Integer>() {
          @Override
          public UdfSpec spec() {
            return UdfSpec.builder().inputs("text").output(UdfTypes.int32()).build();
          }

          @Override
          public Integer apply(Row row) {
            return 0;
          }
        };
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("len", anonymous)),
        "anonymous, local or a lambda",
        "public no-argument constructor");
  }

  @Test
  void addColumns_whenUdfClassNotPublic_rejects() {
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("len", new Hidden())), "is not public");
  }

  @Test
  void addColumns_whenUdfIsInnerClass_rejects() {
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("len", new Inner())), "inner (non-static) class");
  }

  @Test
  void addColumns_whenOutputTypeUnsupported_namesTypeAndWhatIsSupported() {
    Field structOfLists =
        new Field(
            "value",
            FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(
                new Field(
                    "a",
                    FieldType.nullable(new ArrowType.List()),
                    List.of(Field.nullable("item", new ArrowType.Int(32, true))))));
    Configurable.next = UdfSpec.builder().inputs("text").output(structOfLists).build();
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("s", new Configurable())),
        "column 's'",
        "Struct<a: List<item: Int(32, true)>>",
        "struct field 'a'",
        "Supported: int8");
  }

  @Test
  void addColumns_whenSpecThrows_namesUdfAndColumn() {
    Configurable.next = null;
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("x", new ThrowingSpec())), "ThrowingSpec", "column 'x'");
  }

  /** Its spec is invalid. */
  public static class ThrowingSpec extends TextLength {
    @Override
    public UdfSpec spec() {
      return UdfSpec.builder().output(UdfTypes.int32()).build();
    }
  }

  @Test
  void addColumns_whenEmpty_rejects() {
    assertRejectedAndUnchanged(() -> table.addColumns(Map.of()), "at least one column");
  }

  @Test
  void backfill_whenColumnUnknown_listsColumns() {
    assertRejectedAndUnchanged(
        () -> table.backfill("nope"), "no column 'nope'", "[id, text]", "addColumns");
  }

  @Test
  void backfill_whenColumnHasNoUdf_saysHowToAddOne() {
    assertRejectedAndUnchanged(() -> table.backfill("text"), "'text'", "has no UDF", "addColumns");
  }

  @Test
  void backfill_whenWhereIsInvalidSql_namesFilterAndTable() {
    table.addColumns(Map.of("len", new TextLength()));
    assertRejectedAndUnchanged(
        () -> table.backfill("len", BackfillOptions.builder().where("nosuchcol > 3").build()),
        "nosuchcol > 3",
        "table 'docs'");
  }

  @Test
  void backfillOptions_whenValuesOutOfRange_nameTheOption() {
    assertThatThrownBy(() -> BackfillOptions.builder().concurrency(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("BackfillOptions.concurrency must be at least 1, got 0");
    assertThatThrownBy(() -> BackfillOptions.builder().where(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("BackfillOptions.where is blank");
    assertThatThrownBy(() -> BackfillOptions.builder().rowsPerTask(0))
        .hasMessageContaining("rowsPerTask");
  }

  @Test
  void connect_whenSchemeUnsupported_listsSupportedSchemes() {
    assertThatThrownBy(() -> Geneva.connect("ftp://host/db"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'ftp'")
        .hasMessageContaining("s3://");
  }

  @Test
  void tables_whenNameInvalidOrMissingOrTaken_explain() {
    assertThatThrownBy(() -> db.openTable("../etc")).hasMessageContaining("invalid table name");
    assertThatThrownBy(() -> db.openTable("missing"))
        .hasMessageContaining("does not exist")
        .hasMessageContaining("[docs]");
    assertThatThrownBy(() -> SampleTables.create(db, "docs", 10, 10))
        .hasMessageContaining("already exists");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void dropTable_whenExists_removesIt() {
    SampleTables.create(db, "other", 10, 10);
    db.dropTable("other");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void connectOptions_toString_showsStorageOptionKeysButNoValues() {
    ConnectOptions o =
        ConnectOptions.builder()
            .storageOption("aws_secret_access_key", "very-secret-value")
            .storageOption("aws_session_token", "token-value")
            .build();
    assertThat(o.toString())
        .contains("aws_secret_access_key")
        .doesNotContain("very-secret-value")
        .doesNotContain("token-value");
  }

  @Test
  void backfillTask_toString_showsStorageOptionKeysButNoValues() {
    var task =
        new dev.geneva.spi.BackfillTask(
            0,
            "s3://b/t.lance",
            Map.of("aws_secret_access_key", "s3cr3t"),
            1,
            "c",
            2,
            "U",
            "1",
            "true",
            0,
            0,
            10,
            2,
            0,
            false,
            10,
            "k");
    assertThat(task.toString()).contains("aws_secret_access_key").doesNotContain("s3cr3t");
    assertThat(dev.geneva.spi.BackfillTask.fromBytes(task.toBytes())).isEqualTo(task);
  }
}
