package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.ErrorRule;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse of the public API ends in a {@link GenevaException} (mostly {@link InvalidInputException})
 * that says how to fix it, never a bare {@code NullPointerException}, {@code
 * IllegalArgumentException} or {@code IllegalStateException}.
 */
class PublicApiErrorsTest {
  @TempDir Path dir;

  /** A UDF whose {@code spec()} returns null. */
  public static final class NullSpec implements ScalarUdf<Integer> {
    /** Creates the UDF. */
    public NullSpec() {}

    @Override
    public UdfSpec spec() {
      return null;
    }

    @Override
    public Integer apply(Row row) {
      return 1;
    }
  }

  @Test
  void backfill_whenOptionsAreNull_throwsInvalidInputNamingTheDefaults() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "d", 10, 10);
      t.addColumns(Map.of("len", new TextLength()));
      assertThatThrownBy(() -> t.backfill("len", null))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("backfill of column 'len' on table 'd': the options are null")
          .hasMessageContaining("BackfillOptions.defaults()");
      assertThatThrownBy(() -> t.planBackfill("len", null))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("planBackfill of column 'len'")
          .hasMessageContaining("BackfillOptions.builder()");
    }
  }

  @Test
  void jobs_whenFilterIsNull_throwsInvalidInputNamingTheAlternatives() {
    try (Connection db = Geneva.connect(dir.toString())) {
      assertThatThrownBy(() -> db.jobs(null))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("jobs(filter): the filter is null")
          .hasMessageContaining("call jobs() for every job");
    }
  }

  @Test
  void addColumns_whenUdfSpecIsNull_throwsInvalidInputWithAnExampleSpec() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "d", 10, 10);
      long before = t.version();
      assertThatThrownBy(() -> t.addColumns(Map.of("n", new NullSpec())))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("UDF " + NullSpec.class.getName() + " for column 'n'")
          .hasMessageContaining("returned null from spec()")
          .hasMessageContaining("UdfSpec.builder()");
      assertThat(t.version()).isEqualTo(before);
    }
  }

  @Test
  void udfTypes_whenSizesAreOutOfRange_throwInvalidInputWithAnExample() {
    assertThatThrownBy(() -> UdfTypes.fixedSizeList(UdfTypes.float32(), 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("UdfTypes.fixedSizeList size must be at least 1, got 0")
        .hasMessageContaining("UdfTypes.list(item)");
    assertThatThrownBy(() -> UdfTypes.decimal(0, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("got precision 0 and scale 0")
        .hasMessageContaining("UdfTypes.decimal(10, 2)");
    assertThatThrownBy(() -> UdfTypes.floatVector(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("UdfTypes.floatVector(384)");
  }

  @Test
  void builders_whenGivenNull_throwInvalidInputNamingTheArgumentAndAnExample() {
    assertThatThrownBy(() -> UdfSpec.builder().output(null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("UdfSpec.Builder.output is null")
        .hasMessageContaining("UdfTypes.int32()");
    assertThatThrownBy(() -> ErrorRule.retry().matching(null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("ErrorRule.matching is null")
        .hasMessageContaining("regular expression");
    assertThatThrownBy(() -> JobFilter.builder().state((JobState) null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a JobFilter state is null")
        .hasMessageContaining("JobState.FAILED");
    assertThatThrownBy(() -> BackfillExecutors.threads(null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("BackfillExecutors.threads allocator is null")
        .hasMessageContaining("connection.allocator()");
    assertThatThrownBy(() -> Geneva.connect("/tmp/db", (ConnectOptions) null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Geneva.connect: the options are null")
        .hasMessageContaining("ConnectOptions.defaults()");
  }

  @Test
  void tableCalls_whenConnectionIsClosed_throwGenevaExceptionSayingToConnectAgain() {
    Connection db = Geneva.connect(dir.toString());
    Table t = SampleTables.create(db, "d", 10, 10);
    t.addColumns(Map.of("len", new TextLength()));
    db.close();
    for (Runnable call :
        new Runnable[] {
          t::schema,
          t::countRows,
          () -> t.head(1),
          () -> t.backfill("len"),
          () -> t.delete("id = 1")
        }) {
      assertThatThrownBy(call::run)
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("the connection to " + dir + " is closed")
          .hasMessageContaining("a Table cannot be used after its Connection is closed");
    }
  }

  @Test
  void connect_whenDirectoryIsMissing_createsNothingUntilTheFirstTable() {
    Path db = dir.resolve("typo/db");
    try (Connection c = Geneva.connect(db)) {
      assertThat(c.tableNames()).isEmpty();
      assertThat(c.jobs()).isEmpty();
      assertThat(c.clusters()).isEmpty();
      assertThatThrownBy(() -> c.openTable("docs"))
          .isInstanceOf(TableNotFoundException.class)
          .hasMessageContaining("there is no database at " + db.toAbsolutePath())
          .hasMessageContaining("Check the path given to Geneva.connect");
      assertThat(dir.resolve("typo")).doesNotExist();
      SampleTables.create(c, "docs", 10, 10);
      assertThat(c.tableNames()).containsExactly("docs");
    }
    assertThat(db.resolve("docs.lance")).isDirectory();
  }

  @Test
  void connect_whenPathIsAFile_throwsInvalidInputSayingToPassADirectory() throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("plain.txt"), "x");
    assertThatThrownBy(() -> Geneva.connect(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(file + " is a file, not a database directory")
        .hasMessageContaining("pass a directory");
  }
}
