package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.Columns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionTest {
  @TempDir Path dir;

  @Test
  void connect_whenFileUri_tablesAreSharedWithPlainPathConnections() {
    try (Connection viaUri = Geneva.connect(dir.toUri().toString())) {
      Table t = SampleTables.create(viaUri, "docs", 500, 200);
      t.addColumns(Map.of("len", new TextLength()));
      t.backfill("len");
      assertThat(viaUri.tableNames()).containsExactly("docs");
    }
    try (Connection viaPath = Geneva.connect(dir.toString())) {
      Table t = viaPath.openTable("docs");
      assertThat(t.countRows()).isEqualTo(500);
      Columns.byId(t, "len").forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
    }
  }

  @Test
  void close_whenCalledTwice_isSafeAndLaterCallsSayClosed() {
    Connection db = Geneva.connect(dir.toString());
    db.close();
    db.close();
    assertThatThrownBy(db::tableNames)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void head_whenLimitGiven_returnsThatManyRowsWithChosenColumns() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 100, 40);
      List<Map<String, Object>> rows = t.head(3, "id");
      assertThat(rows).hasSize(3);
      assertThat(rows.get(0)).containsOnlyKeys("id");
      assertThat(t.countRows("id < 10")).isEqualTo(10);
      assertThat(t.version()).isEqualTo(1);
    }
  }

  @Test
  void createTable_whenOverwrite_replacesTheTable() {
    try (Connection db = Geneva.connect(dir.toString())) {
      SampleTables.create(db, "docs", 100, 40);
      Table t = SampleTables.createOverwriting(db, "docs", 30);
      assertThat(t.countRows()).isEqualTo(30);
    }
  }
}
