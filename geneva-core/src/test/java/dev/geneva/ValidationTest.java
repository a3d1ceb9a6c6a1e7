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
        "table 'docs'",
        "a column 'text' already exists",
        "choose another name");
  }

  @Test
  void addColumns_whenNameDiffersFromAColumnOnlyInCase_refusesNamingBoth() {
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("Text", new TextLength())),
        "'Text' differs from the existing column 'text' only in letter case",
        "unquoted names in lower case",
        "Choose a name");
  }

  @Test
  void addColumns_whenTwoNewNamesDifferOnlyInCase_refusesBoth() {
    Map<String, Udf> udfs = new java.util.LinkedHashMap<>();
    udfs.put("len", new TextLength());
    udfs.put("LEN", new TextLength());
    assertRejectedAndUnchanged(
        () -> table.addColumns(udfs), "'LEN' differs from the existing column 'len'");
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
    Field structOfStructs =
        new Field(
            "value",
            FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(
                new Field(
                    "a",
                    FieldType.nullable(ArrowType.Struct.INSTANCE),
                    List.of(Field.nullable("x", new ArrowType.Int(32, true))))));
    Configurable.next = UdfSpec.builder().inputs("text").output(structOfStructs).build();
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("s", new Configurable())),
        "column 's'",
        "Struct<a: Struct<x: Int(32, true)>>",
        "nested type Struct inside a nested type",
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
  void addColumns_whenNameIsReservedByLance_refusesAndTableStaysReadable() {
    for (String reserved :
        List.of(
            "_rowid",
            "_rowaddr",
            "_rowoffset",
            "_row_created_at_version",
            "_row_last_updated_at_version",
            "_distance",
            "_score",
            "_RowId")) {
      assertRejectedAndUnchanged(
          () -> table.addColumns(Map.of(reserved, new TextLength())),
          "column name '" + reserved + "' is refused",
          "Lance reserves '" + reserved.toLowerCase(java.util.Locale.ROOT) + "'",
          "Choose another name");
    }
    assertThat(table.head(2)).hasSize(2);
    assertThat(table.countRows("id < 10")).isEqualTo(10);
    table.addColumns(Map.of("len", new TextLength()));
    assertThat(table.backfill("len").rowsProcessed()).isEqualTo(300);
  }

  @Test
  void addColumns_whenNameHasBacktickDotOrControlCharacter_refusesWithTheReason() {
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("a`b", new TextLength())), "'a`b'", "a backtick");
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("a.b", new TextLength())), "'a.b'", "struct 'a'");
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of("a\tb", new TextLength())),
        "'a\\u0009b'",
        "control character U+0009 at position 2");
    assertRejectedAndUnchanged(
        () -> table.addColumns(Map.of(" ", new TextLength())), "empty or blank");
    assertThat(table.head(1).get(0)).containsOnlyKeys("id", "text");
  }

  @Test
  void addColumns_whenNameHasSpaceOrNonAsciiLetters_addsAndBackfills() {
    table.addColumns(Map.of("text length", new TextLength(), "länge", new TextLength()));
    table.backfill("text length");
    table.backfill("länge");
    assertThat(table.head(1).get(0)).containsKeys("text length", "länge");
    assertThat(table.countRows("`text length` = `länge`"))
        .isEqualTo(table.countRows("text IS NOT NULL"));
  }

  @Test
  void backfill_whenColumnNameIsReserved_refusesBeforePlanning() {
    assertRejectedAndUnchanged(() -> table.backfill("_rowaddr"), "Lance reserves '_rowaddr'");
  }

  @Test
  void createTable_whenColumnNameIsReserved_refusesAndCreatesNothing() {
    assertThatThrownBy(() -> SampleTables.createWithExtraColumn(db, "bad", "_rowid", 10))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("createTable 'bad'")
        .hasMessageContaining("Lance reserves '_rowid'");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void createTable_whenTwoColumnsDifferOnlyInCase_refusesAndCreatesNothing() {
    assertThatThrownBy(() -> SampleTables.createWithExtraColumn(db, "bad", "ID", 10))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("createTable 'bad'")
        .hasMessageContaining("'ID' differs from the existing column 'id' only in letter case");
    assertThat(db.tableNames()).containsExactly("docs");
  }

  @Test
  void backfill_whenWhereClosesItsParenthesisEarly_refusesBeforeWriting() {
    table.addColumns(Map.of("len", new TextLength()));
    assertRejectedAndUnchanged(
        () ->
            table.backfill(
                "len", BackfillOptions.builder().where("id = 150) OR (id = 250").build()),
        "\"id = 150) OR (id = 250\"",
        "position 9",
        "never opened");
  }

  @Test
  void backfill_whenWhereIsBalanced_computesExactlyTheSelectedRowsInEveryRange() {
    table.addColumns(Map.of("len", new TextLength()));
    BackfillResult r =
        table.backfill(
            "len",
            BackfillOptions.builder().where("(id = 151) OR (id = 251)").rowsPerTask(40).build());
    assertThat(r.rowsProcessed()).isEqualTo(2);
    assertThat(table.countRows("len IS NOT NULL")).isEqualTo(2);
  }

  @Test
  void backfill_whenWhereHasStatementsCommentsOrOpenQuotes_refuses() {
    for (var bad :
        Map.of(
                "id < 10; DROP TABLE docs", "';' is not allowed",
                "(id < 10 -- keeps ) out", "comments ('--')",
                "id < 10 /* c */", "comments ('/* */')",
                "text = 'it''s", "never closed",
                "((id < 10)", "never closed (1 parenthesis left open)")
            .entrySet()) {
      assertThatThrownBy(() -> BackfillOptions.builder().where(bad.getKey()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("BackfillOptions.where \"" + bad.getKey() + "\"")
          .hasMessageContaining(bad.getValue());
    }
  }

  @Test
  void countRows_whenFilterHasAClauseAfterTheExpression_refusesInsteadOfIgnoringIt() {
    assertThatThrownBy(() -> table.countRows("id < 10 LIMIT 5"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("id < 10 LIMIT 5");
    assertThatThrownBy(() -> table.countRows("id < 10) OR (id > 0"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("never opened");
    assertThat(table.countRows("text = 'row-1-x' OR id = 2")).isEqualTo(2);
  }

  @Test
  void delete_whenFilterIsNotOneExpression_refusesAndDeletesNothing() {
    assertRejectedAndUnchanged(() -> table.delete("id = 1) OR (id > 0"), "never opened");
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
