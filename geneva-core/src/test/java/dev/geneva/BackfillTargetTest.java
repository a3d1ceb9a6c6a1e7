package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.BackfillTarget;
import dev.geneva.spi.BackfillTargets;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackfillTargetTest {
  @TempDir Path dir;

  /** Records what it is asked and answers with a finished job, as a cluster would. */
  static final class RecordingTarget implements BackfillTarget {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public BackfillJob start(Table table, String column, BackfillOptions options) {
      calls.add(
          table.name()
              + "/"
              + column
              + "/"
              + options.where().orElse("default")
              + "/target="
              + options.target().isPresent());
      BackfillResult done =
          new BackfillResult(
              table.uri(), column, name(), 7, 0, 0, 1, 1, 1, 2, 1, Duration.ofMillis(5));
      return new BackfillJob() {
        @Override
        public CompletableFuture<BackfillResult> future() {
          return CompletableFuture.completedFuture(done);
        }

        @Override
        public BackfillProgress progress() {
          return new BackfillProgress(column, 1, 1, 7, 7, 1, Duration.ofMillis(5));
        }

        @Override
        public boolean cancel() {
          return false;
        }
      };
    }
  }

  @Test
  void backfill_whenTargetCurrentOnThread_runsThereUntilTheScopeCloses() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 300, 100);
      t.addColumns(Map.of("len", new TextLength()));
      RecordingTarget target = new RecordingTarget();

      BackfillResult remote;
      try (BackfillTargets.Scope scope = BackfillTargets.enter(target)) {
        remote = t.backfill("len", BackfillOptions.builder().where("id < 50").build());
      }

      assertThat(remote.executor()).isEqualTo("recording");
      assertThat(target.calls).containsExactly("docs/len/id < 50/target=false");
      assertThat(t.countRows("len IS NOT NULL")).as("nothing ran in this JVM").isZero();
      assertThat(BackfillTargets.current()).isEmpty();

      BackfillResult local = t.backfill("len");
      assertThat(local.executor()).isEqualTo("threads");
      assertThat(target.calls).hasSize(1);
    }
  }

  @Test
  void backfill_whenTargetInOptions_usesItEvenWithoutAScope() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 100, 100);
      t.addColumns(Map.of("len", new TextLength()));
      RecordingTarget target = new RecordingTarget();

      t.backfill("len", BackfillOptions.builder().target(target).build());

      assertThat(target.calls).containsExactly("docs/len/default/target=false");
    }
  }

  @Test
  void backfill_whenTargetGivenAndColumnInvalid_failsLocallyBeforeTheTargetIsCalled() {
    try (Connection db = Geneva.connect(dir.toString())) {
      SampleTables.create(db, "docs", 100, 100);
      Table t = db.openTable("docs");
      RecordingTarget target = new RecordingTarget();

      assertThatThrownBy(() -> t.backfill("nope", BackfillOptions.builder().target(target).build()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("no column 'nope'");
      assertThat(target.calls).isEmpty();
    }
  }

  @Test
  void scope_whenNestedAndClosedTwice_restoresTheOuterTarget() {
    RecordingTarget outer = new RecordingTarget();
    RecordingTarget inner = new RecordingTarget();
    try (BackfillTargets.Scope a = BackfillTargets.enter(outer)) {
      BackfillTargets.Scope b = BackfillTargets.enter(inner);
      assertThat(BackfillTargets.current()).contains(inner);
      b.close();
      b.close();
      assertThat(BackfillTargets.current()).contains(outer);
    }
    assertThat(BackfillTargets.current()).isEmpty();
  }

  @Test
  void backfill_whenTargetEnteredOnAnotherThread_runsThereFromThisThread() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 100, 100);
      t.addColumns(Map.of("len", new TextLength()));
      RecordingTarget target = new RecordingTarget();
      BackfillTargets.Scope scope =
          CompletableFuture.supplyAsync(() -> BackfillTargets.enter(target)).get();
      try {
        BackfillResult r = t.backfill("len");

        assertThat(r.executor()).isEqualTo("recording");
        assertThat(target.calls).hasSize(1);
      } finally {
        CompletableFuture.runAsync(scope::close).get(); // any thread may leave it
      }
      assertThat(BackfillTargets.current()).isEmpty();
    }
  }

  @Test
  void backfill_whenExecutorNamedWhileTargetCurrent_runsInThisJvm() {
    try (Connection db = Geneva.connect(dir.toString());
        BackfillExecutor threads = BackfillExecutors.threads()) {
      Table t = SampleTables.create(db, "docs", 100, 100);
      t.addColumns(Map.of("len", new TextLength()));
      RecordingTarget target = new RecordingTarget();
      BackfillResult r;
      try (BackfillTargets.Scope scope = BackfillTargets.enter(target)) {
        r = t.backfill("len", BackfillOptions.builder().executor(threads).build());
      }

      assertThat(r.executor()).isEqualTo("threads");
      assertThat(r.rowsProcessed()).isEqualTo(100);
      assertThat(target.calls).isEmpty();
    }
  }

  @Test
  void backfill_whenTargetAndExecutorNamedWhileAnotherCurrent_runsOnTheNamedTarget() {
    try (Connection db = Geneva.connect(dir.toString());
        BackfillExecutor threads = BackfillExecutors.threads()) {
      Table t = SampleTables.create(db, "docs", 100, 100);
      t.addColumns(Map.of("len", new TextLength()));
      RecordingTarget ambient = new RecordingTarget();
      RecordingTarget named = new RecordingTarget();
      try (BackfillTargets.Scope scope = BackfillTargets.enter(ambient)) {
        t.backfill("len", BackfillOptions.builder().executor(threads).target(named).build());
      }

      assertThat(named.calls).hasSize(1);
      assertThat(ambient.calls).isEmpty();
    }
  }

  @Test
  void scope_whenOuterClosedBeforeInner_innerStaysCurrentThenNone() {
    RecordingTarget outer = new RecordingTarget();
    RecordingTarget inner = new RecordingTarget();
    BackfillTargets.Scope a = BackfillTargets.enter(outer);
    BackfillTargets.Scope b = BackfillTargets.enter(inner);

    a.close();
    assertThat(BackfillTargets.current()).contains(inner);
    b.close();
    assertThat(BackfillTargets.current()).isEmpty();
  }
}
