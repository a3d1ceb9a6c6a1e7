package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.spi.BackfillExecutor;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public thread executor: its name, ownership of its allocator, use by a connection. */
class BackfillExecutorsTest {
  @TempDir Path dir;

  @Test
  void threads_whenUsedByConnection_computesEveryRowAndStaysOpenAfterTheConnection() {
    try (BackfillExecutor threads = BackfillExecutors.threads()) {
      try (Connection db =
          Geneva.connect(dir.toString(), ConnectOptions.builder().executor(threads).build())) {
        Table t = SampleTables.create(db, "docs", 500, 200);
        t.addColumns(Map.of("len", new TextLength()));
        BackfillResult r = t.backfill("len");
        assertThat(r.executor()).isEqualTo("threads");
        assertThat(r.rowsProcessed()).isEqualTo(500);
      }
      try (Connection again =
          Geneva.connect(dir.toString(), ConnectOptions.builder().executor(threads).build())) {
        Table t = again.openTable("docs");
        t.addColumns(Map.of("len2", new TextLength()));
        BackfillResult r = t.backfill("len2");
        assertThat(r.executor()).as("the executor outlives a connection").isEqualTo("threads");
        assertThat(r.rowsProcessed()).isEqualTo(500);
      }
    }
  }

  @Test
  void threads_whenClosed_refusesNewBackfills() {
    BackfillExecutor threads = BackfillExecutors.threads();
    threads.close();
    threads.close();
    try (Connection db =
        Geneva.connect(dir.toString(), ConnectOptions.builder().executor(threads).build())) {
      Table t = SampleTables.create(db, "docs", 100, 100);
      t.addColumns(Map.of("len", new TextLength()));
      assertThatThrownBy(() -> t.backfill("len")).hasStackTraceContaining("executor is closed");
    }
  }

  @Test
  void threadsWithAllocator_whenClosed_leavesTheCallersAllocatorOpen() {
    try (RootAllocator allocator = new RootAllocator()) {
      BackfillExecutor threads = BackfillExecutors.threads(allocator);
      assertThat(threads.name()).isEqualTo("threads");
      threads.close();
      try (BufferAllocator child = allocator.newChildAllocator("after", 0, 1024)) {
        assertThat(child.getLimit()).isEqualTo(1024);
      }
    }
  }
}
