package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that only read a database refuse a {@code --db} where there is none (a mistyped path)
 * with the usage exit code, and create nothing there.
 */
class MissingDatabaseTest {
  @TempDir Path dir;

  @Test
  void readOnlyCommands_whenDbDoesNotExist_failWithUsageCodeAndCreateNothing() {
    Path typo = dir.resolve("typo");
    String db = typo.toString();
    List<String[]> commands =
        List.of(
            new String[] {"jobs", "--db", db},
            new String[] {"jobs", "--db", db, "--json"},
            new String[] {"packages", "list", "--db", db},
            new String[] {"packages", "show", "embed", "--db", db},
            new String[] {"packages", "drop", "embed", "--db", db},
            new String[] {"clusters", "definitions", "list", "--db", db},
            new String[] {"clusters", "definitions", "show", "gpu", "--db", db},
            new String[] {"clusters", "definitions", "drop", "gpu", "--db", db},
            new String[] {"backfill", db, "docs", "len", "--plan"});
    for (String[] command : commands) {
      Result r = Cli.run(command);
      assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err())
          .as(r.toString())
          .contains("no Geneva database at " + typo)
          .contains("check the path");
      assertThat(r.out()).as(r.toString()).isEmpty();
      assertThat(typo).as(String.join(" ", command)).doesNotExist();
    }
  }

  @Test
  void backfill_whenDbDoesNotExist_failsWithUsageCodeAndCreatesNothing() {
    Path typo = dir.resolve("typo");
    Result r = Cli.run("backfill", typo.toString(), "docs", "len", "--progress", "none");
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err())
        .contains("there is no database at " + typo)
        .contains("Check the path given to Geneva.connect");
    assertThat(typo).doesNotExist();
  }
}
