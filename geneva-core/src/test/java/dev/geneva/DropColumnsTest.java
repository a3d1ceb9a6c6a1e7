package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.GroupUdfs;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dropping columns: checked before the table changes, checkpoints forgotten, readable after. */
class DropColumnsTest {
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

  private List<String> columns() {
    return table.schema().getFields().stream().map(Field::getName).toList();
  }

  @Test
  void dropColumns_whenAUdfColumnIsDroppedAndAddedAgain_computesAfreshAndLanceReadsIt()
      throws Exception {
    table.addColumns(Map.of("len", new TextLength()));
    table.backfill("len", BackfillOptions.builder().where("id < 150").build());
    Path checkpoints = dir.resolve("docs.lance/_geneva/checkpoints");
    // What a stopped backfill leaves: a checkpoint in the column's directory.
    byte[] sha =
        MessageDigest.getInstance("SHA-256").digest("len".getBytes(StandardCharsets.UTF_8));
    Path lenDirectory = checkpoints.resolve("len-" + HexFormat.of().formatHex(sha, 0, 4));
    Files.createDirectories(lenDirectory);
    Files.writeString(lenDirectory.resolve("stale.ckpt"), "left by a stopped backfill");

    table.dropColumns("len");

    assertThat(columns()).containsExactly("id", "text");
    try (Stream<Path> left = Files.walk(checkpoints)) {
      assertThat(left.filter(Files::isRegularFile)).as("checkpoints of 'len'").isEmpty();
    }
    assertThat(LanceColumns.scanAll(db.allocator(), table.uri())).isEqualTo(300);
    table.addColumns(Map.of("len", new ChainedColumnsTest.LengthPlusOne()));
    BackfillResult r = table.backfill("len");
    assertThat(r.rowsProcessed()).isEqualTo(300);
    LanceColumns.byId(table.uri(), "len")
        .forEach(
            (id, v) ->
                assertThat(v)
                    .isEqualTo(
                        TextLength.expected(id) == null ? null : TextLength.expected(id) + 1));
  }

  @Test
  void dropColumns_whenAnotherUdfColumnReadsIt_refusesNamingTheReaderAndChangesNothing() {
    table.addColumns(Map.of("len", new TextLength()));
    table.addColumns(Map.of("doubled", new ChainedColumnsTest.Doubled()));
    long version = table.version();

    assertThatThrownBy(() -> table.dropColumns("len"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'doubled' reads 'len'")
        .hasMessageContaining("drop them too, or give them other inputs with alterColumns")
        .hasMessageContaining("Nothing was dropped");
    assertThatThrownBy(() -> table.dropColumns("text"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'len' reads 'text'");
    assertThat(table.version()).isEqualTo(version);

    table.dropColumns("len", "doubled");
    assertThat(columns()).containsExactly("id", "text");
  }

  @Test
  void dropColumns_whenPartOfAGroup_refusesAndWhenTheGroupIsNamed_dropsAllItsMembers() {
    table.addColumns(Map.of("stats", new GroupUdfs.Stats()));
    long version = table.version();

    assertThatThrownBy(() -> table.dropColumns("lang"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("group 'stats'")
        .hasMessageContaining("dropColumns(List.of(\"stats\"))");
    assertThat(table.version()).isEqualTo(version);

    table.dropColumns("stats");
    assertThat(columns()).containsExactly("id", "text");
    assertThat(LanceColumns.scanAll(db.allocator(), table.uri())).isEqualTo(300);
  }

  @Test
  void dropColumns_whenColumnMissingOrEveryColumnOrNothingNamed_refuses() {
    long version = table.version();

    assertThatThrownBy(() -> table.dropColumns("nope"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("has no column 'nope'")
        .hasMessageContaining("[id, text]");
    assertThatThrownBy(() -> table.dropColumns("id", "text"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs at least one");
    assertThatThrownBy(() -> table.dropColumns(List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("dropColumns(List.of(\"len\"))");
    assertThat(table.version()).isEqualTo(version);
  }
}
