package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.Columns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;
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
  void connect_whenFileUriInAnyJavaForm_opensTheAbsoluteDirectoryAndNoFileFolder() {
    Path db = dir.resolve("my db");
    String absolute = db.toAbsolutePath().toString();
    try (Connection first = Geneva.connect(db.toUri().toString())) {
      assertThat(first.uri()).isEqualTo(absolute);
      SampleTables.create(first, "docs", 10, 10);
    }
    for (String form :
        List.of(
            db.toFile().toURI().toString(),
            "file:" + absolute.replace(" ", "%20"),
            "file://" + absolute.replace(" ", "%20") + "/",
            "file://localhost" + absolute.replace(" ", "%20"),
            "FILE:///" + absolute.substring(1).replace(" ", "%20"))) {
      try (Connection c = Geneva.connect(form)) {
        assertThat(c.uri()).as(form).isEqualTo(absolute);
        assertThat(c.tableNames()).as(form).containsExactly("docs");
      }
    }
    assertThat(Path.of("file:")).doesNotExist();
    assertThat(dir.resolve("my%20db")).doesNotExist();
  }

  @Test
  void connect_whenPathGiven_usesItsAbsoluteDirectory() {
    try (Connection db = Geneva.connect(dir.resolve("db"))) {
      assertThat(db.uri()).isEqualTo(dir.resolve("db").toAbsolutePath().toString());
      SampleTables.create(db, "docs", 10, 10);
    }
    assertThat(dir.resolve("db/docs.lance")).isDirectory();
  }

  @Test
  void connect_whenFileUriHasAHostOrIsRelative_refusesWithTheRightForm() {
    assertThatThrownBy(() -> Geneva.connect("file://relative/dir"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'file://relative/dir'")
        .hasMessageContaining("'relative' after file:// is a host name")
        .hasMessageContaining("file:///data/db")
        .hasMessageContaining("'relative/dir'");
    assertThatThrownBy(() -> Geneva.connect("file:relative/dir"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("plain path 'relative/dir'");
    assertThatThrownBy(() -> Geneva.connect("file:///tmp/my db"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("percent-encode");
    assertThat(Path.of("file:")).doesNotExist();
    assertThat(Path.of("relative")).doesNotExist();
  }

  @Test
  void connect_whenObjectStoreUriMalformed_refusesWithAnExample() {
    assertThatThrownBy(() -> Geneva.connect("s3//bucket/x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("without the ':'")
        .hasMessageContaining("s3://bucket/x");
    assertThatThrownBy(() -> Geneva.connect("s3:/bucket/x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'//' after 's3:' is missing")
        .hasMessageContaining("s3://my-bucket/db");
    assertThatThrownBy(() -> Geneva.connect("gs:///db"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bucket name is missing");
    assertThatThrownBy(() -> Geneva.connect("s3a://bucket/db"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'s3' scheme, not 's3a'");
    assertThatThrownBy(() -> Geneva.connect("hdfs://namenode/db"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unsupported URI scheme 'hdfs'");
    assertThat(Path.of("s3")).doesNotExist();
    assertThat(Path.of("s3:")).doesNotExist();
  }

  @Test
  void close_whenCalledTwice_isSafeAndLaterCallsSayClosed() {
    Connection db = Geneva.connect(dir.toString());
    db.close();
    db.close();
    assertThatThrownBy(db::tableNames)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("is closed: open a new one with Geneva.connect");
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

  @Test
  void createTable_whenGivenReader_leavesClosingItToTheCaller() throws Exception {
    try (Connection db = Geneva.connect(dir.toString());
        ArrowStreamReader rows = SampleTables.rows(db.allocator(), 0, 25);
        CloseCounting reader = new CloseCounting(db.allocator(), rows)) {
      Table t = db.createTable("docs", reader);

      assertThat(t.countRows()).isEqualTo(25);
      assertThat(reader.closes).isZero();
    }
  }

  /** Hands on another reader's batches and counts how often its read source is closed. */
  private static final class CloseCounting extends ArrowReader {
    private final ArrowReader source;
    private int closes;

    CloseCounting(BufferAllocator allocator, ArrowReader source) {
      super(allocator);
      this.source = source;
    }

    @Override
    public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
      return source.getVectorSchemaRoot();
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      return source.loadNextBatch();
    }

    @Override
    public long bytesRead() {
      return source.bytesRead();
    }

    @Override
    protected void closeReadSource() {
      closes++;
    }

    @Override
    protected Schema readSchema() throws IOException {
      return source.getVectorSchemaRoot().getSchema();
    }
  }
}
