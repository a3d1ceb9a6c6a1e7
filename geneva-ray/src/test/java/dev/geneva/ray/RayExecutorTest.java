package dev.geneva.ray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillResult;
import dev.geneva.ConnectOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.GenevaException;
import dev.geneva.Table;
import dev.geneva.ray.internal.RayFailures;
import dev.geneva.ray.internal.RayRuntimes;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.spi.BackfillTask;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import dev.geneva.spi.TaskResult;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.Resources;
import io.ray.api.Ray;
import io.ray.api.exception.RayActorException;
import io.ray.api.exception.RayTaskException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's lifecycle: shared Ray runtime, close semantics, failure mapping. */
class RayExecutorTest {
  @TempDir Path dir;

  @BeforeAll
  static void listSessionDirs() {
    RayTestSupport.init();
  }

  @AfterEach
  void rayIsShutDown() {
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @Test
  void close_whenTwoExecutorsShareRay_lastCloseShutsDownAndLeavesNoSessionDir() {
    try (RootAllocator allocator = new RootAllocator();
        RayExecutor first = RayExecutor.local(allocator);
        RayExecutor second = RayExecutor.local(allocator)) {
      assertThat(first.name()).isEqualTo("ray-local");
      assertThat(RayRuntimes.references()).isEqualTo(2);
      assertThat(RayTestSupport.newSessionDirs())
          .as("only the JVM's first Ray.init() extracts the native library")
          .hasSizeLessThanOrEqualTo(1);

      first.close();
      assertThat(Ray.isInitialized()).isTrue();
      try (Connection db =
          Geneva.connect(dir.toString(), ConnectOptions.builder().executor(second).build())) {
        Table t = SampleTables.create(db, "docs", 1_000, 400);
        t.addColumns(Map.of("len", new TextLength()));
        BackfillResult r = t.backfill("len");
        assertThat(r.executor()).isEqualTo("ray-local");
        assertThat(r.rowsProcessed()).isEqualTo(1_000);
      }
      assertThat(Ray.isInitialized()).as("the connection does not own the executor").isTrue();

      second.close();
      assertThat(Ray.isInitialized()).isFalse();
      assertThat(RayTestSupport.newSessionDirs()).isEmpty();
    }
  }

  @Test
  void close_whenTwoConnectionsUseDefaultExecutor_shareOneRayRuntime() {
    try (Connection a = Geneva.connect(dir.resolve("a").toString());
        Connection b = Geneva.connect(dir.resolve("b").toString())) {
      for (Connection db : List.of(a, b)) {
        Table t = SampleTables.create(db, "docs", 300, 100);
        t.addColumns(Map.of("len", new TextLength()));
        assertThat(t.backfill("len").executor()).isEqualTo("ray-local");
      }
      assertThat(RayRuntimes.references()).isEqualTo(2);
      a.close();
      assertThat(Ray.isInitialized()).isTrue();
      assertThat(RayRuntimes.references()).isEqualTo(1);
    }
  }

  @Test
  void close_whenCalledTwice_releasesRayOnlyOnce() {
    try (RootAllocator allocator = new RootAllocator();
        RayExecutor first = RayExecutor.local(allocator);
        RayExecutor second = RayExecutor.local(allocator)) {
      first.close();
      first.close();

      assertThat(RayRuntimes.references()).isEqualTo(1);
      assertThat(Ray.isInitialized()).isTrue();
      assertThatThrownBy(() -> first.openSession(spec(false)))
          .isInstanceOf(IllegalStateException.class);
      second.close();
      second.close();
    }
  }

  @Test
  void sessionClose_whenCalledTwiceFromSeveralThreads_isSafeAndLaterSubmitsAreCancelled()
      throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        RayExecutor ray = RayExecutor.local(allocator)) {
      ExecutorSession session = ray.openSession(spec(true));
      List<Thread> closers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread th = new Thread(session::close);
        closers.add(th);
        th.start();
      }
      for (Thread th : closers) {
        th.join(10_000);
      }
      session.close();

      CompletableFuture<TaskResult> late = session.submit(task(dir.resolve("none.lance")), n -> {});
      assertThat(late).isDone();
      assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS))
          .isInstanceOf(CancellationException.class);
    }
  }

  @Test
  void submit_whenTaskFailsInRay_futureFailsWithOriginalExceptionNotRayWrapper() {
    Path missing = dir.resolve("missing.lance");
    try (RootAllocator allocator = new RootAllocator();
        RayExecutor ray = RayExecutor.local(allocator);
        ExecutorSession session = ray.openSession(spec(false))) {
      CompletableFuture<TaskResult> f = session.submit(task(missing), n -> {});

      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isNotInstanceOf(io.ray.api.exception.RayException.class)
          .hasMessageContaining("missing.lance");
    }
  }

  @Test
  void map_whenRayTaskExceptionWrapsUdfFailure_returnsTheUdfFailure() {
    var udfFailure = new IllegalStateException("model not loaded");
    var wrapped = new RayTaskException(1, "127.0.0.1", "Error executing task 00ff", udfFailure);

    assertThat(RayFailures.map(wrapped, task(dir))).isSameAs(udfFailure);
  }

  @Test
  void map_whenActorDiedWithoutCause_returnsGenevaExceptionNamingTask() {
    var died = new RayActorException(1, "127.0.0.1", (Throwable) null);

    Throwable mapped = RayFailures.map(died, task(dir));

    assertThat(mapped).isInstanceOf(GenevaException.class).hasMessageContaining("task 7");
    assertThat(RayFailures.isActorDeath(died)).isTrue();
  }

  private static SessionSpec spec(boolean stateful) {
    return new SessionSpec(
        "/nowhere.lance", "c", TextLength.class.getName(), stateful, 2, Resources.DEFAULT);
  }

  private static BackfillTask task(Path table) {
    return new BackfillTask(
        7,
        table.toString(),
        Map.of(),
        1,
        "len",
        2,
        TextLength.class.getName(),
        "1",
        "len IS NULL",
        0,
        0,
        100,
        2,
        0,
        false,
        100,
        "key");
  }
}
