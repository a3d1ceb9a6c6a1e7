package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure Lance reports — including the checked {@code IOException}s its JNI methods throw
 * without declaring them — reaches the caller as a {@link GenevaException} that says what failed
 * and what to do, with Lance's failure as its cause.
 */
class LanceFailureTranslationTest {
  @TempDir Path dir;

  @Test
  void openTable_whenGcsServiceAccountKeyIsNotAKey_throwsGenevaExceptionPointingAtStorageOptions() {
    try (Connection gs =
        Geneva.connect(
            "gs://nonexistent-bucket-geneva-test/db", Map.of("google_service_account_key", "{}"))) {
      assertThatThrownBy(() -> gs.openTable("t"))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("gs://nonexistent-bucket-geneva-test/db/t.lance")
          .hasMessageContaining("private_key")
          .hasMessageContaining("Check the storage options given to Geneva.connect")
          .hasCauseInstanceOf(IOException.class);
    }
  }

  @Test
  void openTable_whenManifestIsCorrupt_throwsGenevaExceptionSayingTheFilesAreDamaged()
      throws IOException {
    Files.createDirectories(dir.resolve("y.lance/_versions"));
    Files.writeString(dir.resolve("y.lance/_versions/1.manifest"), "garbage");
    try (Connection db = Geneva.connect(dir.toString())) {
      assertThatThrownBy(() -> db.openTable("y"))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining(dir.resolve("y.lance").toString())
          .hasMessageContaining("damaged")
          .hasMessageContaining("restore the table")
          .hasCauseInstanceOf(IOException.class);
    }
  }

  @Test
  void createTable_whenTablePathIsAPlainFile_throwsGenevaExceptionSayingWhatIsInTheWay()
      throws IOException {
    Files.writeString(dir.resolve("x.lance"), "not a table");
    try (Connection db = Geneva.connect(dir.toString());
        ArrowStreamReader rows = SampleTables.rows(db.allocator(), 0, 3)) {
      assertThatThrownBy(() -> db.createTable("x", rows))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("cannot create table 'x'")
          .hasMessageContaining("Not a directory")
          .hasMessageContaining("move or delete it, or use another table name")
          .hasCauseInstanceOf(IOException.class);
    }
    assertThat(dir.resolve("x.lance")).isRegularFile().hasContent("not a table");
  }

  @Test
  void openTable_whenAzureUriHasNoAccount_throwsGenevaExceptionWithoutTheSignature() {
    try (Connection az = Geneva.connect("az://container/db?sv=2020-08-04&sig=SASSECRET")) {
      assertThatThrownBy(() -> az.openTable("t"))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("Account must be specified")
          .hasMessageContaining("Check the storage options given to Geneva.connect")
          .hasMessageNotContaining("SASSECRET")
          .hasCauseInstanceOf(IOException.class);
    }
  }

  @Test
  void tableCalls_whenAnotherConnectionDroppedTheTable_throwTableNotFoundSayingHowToRecover() {
    try (Connection db = Geneva.connect(dir.toString());
        Connection other = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "d", 20, 10);
      t.addColumns(Map.of("len", new TextLength()));
      other.dropTable("d");
      List<Runnable> calls =
          List.of(
              t::schema,
              t::version,
              t::countRows,
              () -> t.countRows("id > 1"),
              () -> t.head(1),
              () -> t.delete("id = 1"),
              () -> t.backfill("len"),
              () -> t.planBackfill("len"),
              () -> t.add(List.of(Map.of("id", 1L, "text", "x"))));
      for (Runnable call : calls) {
        assertThatThrownBy(call::run)
            .isInstanceOf(TableNotFoundException.class)
            .hasMessageContaining("table 'd' no longer exists at " + dir.resolve("d.lance"))
            .hasMessageContaining("dropped by another connection or process")
            .hasMessageContaining("create it again with Connection.createTable")
            .hasMessageNotContaining("is not valid");
      }
    }
  }

  @Test
  void countRows_whenFilterIsBad_throwsInvalidInputNamingTheFilterAndTheFix() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "d", 20, 10);
      for (String bad : List.of("nosuch > 1", "id = 'abc'", "id <")) {
        assertThatThrownBy(() -> t.countRows(bad))
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("filter \"" + bad + "\" is not valid for table 'd'")
            .hasMessageContaining("Use Lance SQL over the table's columns");
      }
      assertThat(t.countRows("id < 5")).isEqualTo(5);
    }
  }

  @Test
  void countRows_whenTableFilesAreDamaged_throwsGenevaExceptionThatDoesNotBlameTheFilter()
      throws IOException {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "d", 20, 10);
      try (var manifests = Files.list(dir.resolve("d.lance/_versions"))) {
        for (Path m : manifests.toList()) {
          Files.writeString(m, "garbage");
        }
      }
      assertThatThrownBy(() -> t.countRows("id > 1"))
          .isInstanceOf(GenevaException.class)
          .isNotInstanceOf(InvalidInputException.class)
          .hasMessageContaining("cannot open table 'd'")
          .hasMessageContaining("damaged")
          .hasMessageNotContaining("is not valid");
    }
  }

  @Test
  void read_whenColumnIsMissing_throwsInvalidInputNamingTheColumns() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "d", 20, 10);
      assertThatThrownBy(() -> t.head(1, "nosuch"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("cannot read columns [nosuch] of table 'd'")
          .hasMessageContaining("Name columns the table has");
    }
  }
}
