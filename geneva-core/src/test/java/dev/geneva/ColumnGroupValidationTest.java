package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import dev.geneva.testing.GroupUdfs;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inconsistent uses of a UDF of several columns are refused before anything is written, naming the
 * column or group and how to fix it.
 */
class ColumnGroupValidationTest {
  @TempDir Path dir;
  Connection db;
  Table t;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    t = SampleTables.create(db, "docs", 200, 100);
  }

  @AfterEach
  void close() {
    Scripted.spec = null;
    Scripted.function = null;
    db.close();
  }

  private static UdfSpec columns(String... inputsThenNothing) {
    return UdfSpec.builder()
        .inputs(inputsThenNothing)
        .outputColumns(
            UdfTypes.named("n", UdfTypes.int64()), UdfTypes.named("label", UdfTypes.utf8()))
        .build();
  }

  private void assertUnchanged(long version) {
    assertThat(t.version()).as("table version").isEqualTo(version);
    assertThat(t.schema().getFields().stream().map(Field::getName).toList())
        .containsExactly("id", "text");
  }

  @Test
  void addColumns_whenOutputColumnIsAnExistingColumn_refusesNamingBothBeforeWriting() {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .outputColumns(
                UdfTypes.named("n", UdfTypes.int64()), UdfTypes.named("text", UdfTypes.utf8()))
            .build();
    long version = t.version();

    assertThatThrownBy(() -> t.addColumns(Map.of("pair", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a column 'text' already exists")
        .hasMessageContaining("output column of 'pair'")
        .hasMessageContaining("choose another name");
    assertUnchanged(version);
  }

  @Test
  void addColumns_whenOutputColumnDiffersFromAColumnOnlyInCase_refuses() {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .outputColumns(
                UdfTypes.named("n", UdfTypes.int64()), UdfTypes.named("Text", UdfTypes.utf8()))
            .build();
    long version = t.version();

    assertThatThrownBy(() -> t.addColumns(Map.of("pair", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("output column of 'pair'")
        .hasMessageContaining("differs from the existing column 'text' only in letter case");
    assertUnchanged(version);
  }

  @Test
  void addColumns_whenGroupNameIsAnExistingColumn_refuses() {
    Scripted.spec = columns("id");
    long version = t.version();

    assertThatThrownBy(() -> t.addColumns(Map.of("text", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("already has a column 'text'");
    assertUnchanged(version);
  }

  @Test
  void addColumns_whenTwoUdfsAddTheSameColumn_refusesNamingIt() {
    long version = t.version();

    assertThatThrownBy(
            () ->
                t.addColumns(Map.of("stats", new GroupUdfs.Stats(), "lang", new GroupUdfs.Lang())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("column 'lang' would be added twice")
        .hasMessageContaining("give every new column its own name");
    assertUnchanged(version);
  }

  @Test
  void addColumns_whenNameIsAnExistingGroup_refusesNamingTheGroup() {
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));
    long version = t.version();

    assertThatThrownBy(() -> t.addColumns(Map.of("stats", new GroupUdfs.Words())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("already has a column group 'stats'")
        .hasMessageContaining("[words, lang, vec]");
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void addColumns_whenGroupReadsItsOwnOutputColumn_refuses() {
    Scripted.spec = columns("id", "label");
    long version = t.version();

    assertThatThrownBy(() -> t.addColumns(Map.of("pair", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("group 'pair' reads its own output column 'label'");
    assertUnchanged(version);
  }

  @Test
  void addColumns_whenOutputColumnNameHasADot_refusesNamingIt() {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .outputColumns(UdfTypes.named("a.b", UdfTypes.int64()))
            .build();
    long version = t.version();

    assertThatThrownBy(() -> t.addColumns(Map.of("pair", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("output column of 'pair'")
        .hasMessageContaining("'a.b'")
        .hasMessageContaining("a dot cannot be part of a column name");
    assertUnchanged(version);
  }

  @Test
  void alterColumns_whenOneMember_refusesNamingTheGroupCall() {
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));
    long version = t.version();

    assertThatThrownBy(() -> t.alterColumns(Map.of("lang", new GroupUdfs.Lang())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'lang'")
        .hasMessageContaining("[words, lang, vec]")
        .hasMessageContaining("alterColumns(Map.of(\"stats\", udf))");
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void alterColumns_whenGroupGetsUdfOfOneOutput_refuses() {
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));
    long version = t.version();

    assertThatThrownBy(() -> t.alterColumns(Map.of("stats", new GroupUdfs.Words())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'stats' is a group of columns [words, lang, vec]")
        .hasMessageContaining("declares one output");
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void alterColumns_whenGroupGetsOtherColumns_refusesListingBoth() {
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));
    Scripted.spec = columns("id");
    long version = t.version();

    assertThatThrownBy(() -> t.alterColumns(Map.of("stats", new Scripted())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("declares output columns [n: Int(64, true), label: Utf8]")
        .hasMessageContaining("group 'stats' holds [words: Int(64, true), lang: Utf8,")
        .hasMessageContaining("same columns and types");
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void alterColumns_whenColumnGetsUdfOfSeveralColumns_refuses() {
    t.addColumns(Map.of("words", new GroupUdfs.Words()));
    long version = t.version();

    assertThatThrownBy(() -> t.alterColumns(Map.of("words", new GroupUdfs.Stats())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("declares several output columns but 'words' is one column");
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void backfill_whenMemberDroppedByLance_refusesNamingItBeforeWriting() {
    t.addColumns(Map.of("stats", new GroupUdfs.Stats()));
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(t.uri(), allocator)) {
      ds.dropColumns(List.of("lang"));
    }
    long version = t.version();

    for (String name : List.of("stats", "words")) {
      assertThatThrownBy(() -> t.backfill(name))
          .as("backfill(%s)", name)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("group 'stats'")
          .hasMessageContaining("lists column 'lang', which the table no longer has")
          .hasMessageContaining("Add the UDF again as a new group");
    }
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void backfill_whenUdfNowDeclaresOneOutput_refusesNamingTheGroup() {
    Scripted.spec = columns("id");
    t.addColumns(Map.of("pair", new Scripted()));
    Scripted.spec = UdfSpec.builder().inputs("id").output(UdfTypes.int64()).build();
    long version = t.version();

    assertThatThrownBy(() -> t.backfill("n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("now declares one output but column group 'pair'")
        .hasMessageContaining("[n, label]");
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void backfill_whenUdfNowDeclaresOtherColumnTypes_refusesListingBoth() {
    Scripted.spec = columns("id");
    t.addColumns(Map.of("pair", new Scripted()));
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .outputColumns(
                UdfTypes.named("n", UdfTypes.int32()), UdfTypes.named("label", UdfTypes.utf8()))
            .build();
    long version = t.version();

    assertThatThrownBy(() -> t.backfill("pair"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("now declares output columns [n: Int(32, true), label: Utf8]")
        .hasMessageContaining("group 'pair' holds [n: Int(64, true), label: Utf8]");
    assertThat(t.version()).isEqualTo(version);
  }

  @Test
  void outputColumns_whenNoField_refusesWithExample() {
    assertThatThrownBy(() -> UdfSpec.builder().inputs("id").outputColumns().build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("outputColumns needs at least one field");
  }
}
