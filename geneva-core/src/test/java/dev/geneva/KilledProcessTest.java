package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.BackfillProcess;
import dev.geneva.testing.ChildJvm;
import dev.geneva.testing.Columns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import dev.geneva.testing.TextLength;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backfill whose JVM is killed half-way resumes from its checkpoints. */
class KilledProcessTest {
  @TempDir Path dir;

  @Test
  void backfill_whenJvmKilledHalfway_rerunRecomputesOnlyUnfinishedTasks() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 4_000, 2_000);
      t.addColumns(Map.of("len", new SlowLength()));
    }

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(ChildJvm.tmpDirFlag(dir));
    command.addAll(
        List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            BackfillProcess.class.getName(),
            dir.toString(),
            "docs",
            "len"));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    int tasksDone = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("tasks-done ")) {
          tasksDone = Integer.parseInt(line.substring("tasks-done ".length()));
          if (tasksDone >= 8) {
            break;
          }
        }
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(tasksDone)
        .as("the child got half-way before it was killed")
        .isGreaterThanOrEqualTo(8);

    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = db.openTable("docs");
      assertThat(t.countRows("len IS NOT NULL")).as("nothing was committed").isZero();
      SlowLength.ROWS.set(0);

      BackfillResult r = t.backfill("len", BackfillProcess.options());

      assertThat(r.rowsSkipped()).isGreaterThanOrEqualTo(8 * 250);
      assertThat(SlowLength.ROWS.get()).isEqualTo(4_000 - r.rowsSkipped());
      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(4_000);
      len.forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
    }
  }
}
