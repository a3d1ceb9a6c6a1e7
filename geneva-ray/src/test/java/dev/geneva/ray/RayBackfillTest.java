package dev.geneva.ray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillFailedException;
import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.Table;
import dev.geneva.ray.testing.BlockingUdf;
import dev.geneva.ray.testing.CountingStatefulLength;
import dev.geneva.ray.testing.FailingUdf;
import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.Columns;
import dev.geneva.testing.GroupUdfs;
import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import io.ray.api.Ray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backfills through {@code Geneva.connect}'s default executor: embedded Ray in LOCAL mode. */
class RayBackfillTest {
  @TempDir Path dir;

  @BeforeAll
  static void listSessionDirs() {
    RayTestSupport.init();
  }

  @AfterEach
  void rayIsShutDownWhenEveryConnectionIsClosed() {
    RayTestSupport.assertRayShutDownAndCleanedUp();
  }

  @Test
  void connect_whenGenevaRayOnClasspath_defaultExecutorIsRayLocal() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 500, 200);
      t.addColumns(Map.of("len", new TextLength()));

      BackfillResult r = t.backfill("len");

      assertThat(r.executor()).isEqualTo("ray-local");
      assertThat(Ray.isInitialized()).isTrue();
    }
  }

  @Test
  void backfill_whenScalarUdf_everyLiveRowMatchesIndependentComputation() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 5_000, 1_200);
      t.delete("id % 10 = 4");
      t.addColumns(Map.of("len", new TextLength()));

      BackfillResult r =
          t.backfill("len", BackfillOptions.builder().concurrency(2).rowsPerTask(500).build());

      Map<Long, Object> len = Columns.byId(t, "len");
      assertThat(len).hasSize(4_500);
      len.forEach(
          (id, v) -> assertThat(v).as("len of id %d", id).isEqualTo(TextLength.expected(id)));
      assertThat(r.executor()).isEqualTo("ray-local");
      assertThat(r.rowsProcessed()).isEqualTo(4_500);
      assertThat(r.fragments()).isEqualTo(5);
      assertThat(r.tasks()).isGreaterThan(r.fragments());
      assertThat(r.committedVersion()).isGreaterThan(r.readVersion());
    }
  }

  @Test
  void backfill_whenUdfOfSeveralColumns_everyMemberEqualsPerColumnComputation() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 2_000, 600);
      t.delete("id % 10 = 4");
      t.addColumns(
          Map.of(
              "stats", new GroupUdfs.Stats(),
              "words1", new GroupUdfs.Words(),
              "lang1", new GroupUdfs.Lang(),
              "vec1", new GroupUdfs.Vec()));
      BackfillOptions options = BackfillOptions.builder().concurrency(2).rowsPerTask(250).build();

      BackfillResult r = t.backfill("stats", options);
      for (String single : List.of("words1", "lang1", "vec1")) {
        t.backfill(single, options);
      }

      assertThat(r.executor()).isEqualTo("ray-local");
      assertThat(r.rowsProcessed()).isEqualTo(1_800);
      assertThat(r.tasks()).isGreaterThan(r.fragments());
      for (String member : List.of("words", "lang", "vec")) {
        Map<Long, Object> group = LanceColumns.byId(t.uri(), member);
        Map<Long, Object> single = LanceColumns.byId(t.uri(), member + "1");
        assertThat(group).as(member).hasSize(1_800).isEqualTo(single);
      }
      LanceColumns.byId(t.uri(), "words")
          .forEach(
              (id, v) ->
                  assertThat(v).as("words of %d", id).isEqualTo(GroupUdfs.expectedWords(id)));
      LanceColumns.byId(t.uri(), "vec")
          .forEach(
              (id, v) -> assertThat(v).as("vec of %d", id).isEqualTo(GroupUdfs.expectedVec(id)));
    }
  }

  @Test
  void backfill_whenStatefulUdf_opensOncePerActorAndClosesEveryInstance() {
    CountingStatefulLength.reset();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 4_000, 500);
      t.addColumns(Map.of("len2", new CountingStatefulLength()));

      BackfillResult r = t.backfill("len2", BackfillOptions.builder().concurrency(2).build());

      assertThat(r.tasks()).isEqualTo(8);
      // One open per actor that got work (at most the concurrency; fast tasks may all land on
      // the first actor), and every opened instance is closed.
      int opens = CountingStatefulLength.opens("len2");
      assertThat(opens).isBetween(1, 2);
      assertThat(CountingStatefulLength.closes("len2")).isEqualTo(opens);
      assertThat(CountingStatefulLength.workers("len2"))
          .hasSize(opens)
          .allMatch(w -> w.contains("actor"));
      Map<Long, Object> values = Columns.byId(t, "len2");
      assertThat(values).hasSize(4_000);
      values.forEach(
          (id, v) ->
              assertThat(v).as("len2 of id %d", id).isEqualTo(CountingStatefulLength.expected(id)));
    }
  }

  @Test
  void backfill_whenUdfThrows_failsWithBackfillFailedExceptionNamingUdf() {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 3_000, 1_000);
      t.addColumns(Map.of("twice", new FailingUdf(), "len", new TextLength()));

      assertThatThrownBy(
              () -> t.backfill("twice", BackfillOptions.builder().concurrency(2).build()))
          .isInstanceOf(BackfillFailedException.class)
          .hasMessageContaining(FailingUdf.class.getName())
          .hasMessageContaining(FailingUdf.MESSAGE)
          .hasMessageNotContaining("Error executing task");

      BackfillResult after = t.backfill("len");
      assertThat(after.rowsProcessed()).isEqualTo(3_000);
    }
  }

  @Test
  void backfill_whenStatefulUdfThrowsOnActor_failsNamingUdfAndClosesEveryOpenedInstance() {
    CountingStatefulLength.reset();
    CountingStatefulLength.failOnId = 2_500;
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 3_000, 500);
      t.addColumns(Map.of("failing", new CountingStatefulLength()));

      assertThatThrownBy(
              () -> t.backfill("failing", BackfillOptions.builder().concurrency(2).build()))
          .isInstanceOf(BackfillFailedException.class)
          .hasMessageContaining(CountingStatefulLength.class.getName())
          .hasMessageContaining(CountingStatefulLength.FAILURE);
      assertThat(CountingStatefulLength.opens("failing")).isBetween(1, 2);
      assertThat(CountingStatefulLength.closes("failing"))
          .isEqualTo(CountingStatefulLength.opens("failing"));
    } finally {
      CountingStatefulLength.reset();
    }
  }

  @Test
  void backfillAsync_whenCancelledWhileTaskRuns_futureCompletesWithCancellation() throws Exception {
    BlockingUdf.reset();
    try (Connection db = Geneva.connect(dir.toString())) {
      Table t = SampleTables.create(db, "docs", 200, 100);
      t.addColumns(Map.of("slow", new BlockingUdf()));
      BackfillJob job = t.backfillAsync("slow", BackfillOptions.builder().concurrency(2).build());
      assertThat(BlockingUdf.started.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(job.cancel()).isTrue();

      assertThatThrownBy(() -> job.join(10, TimeUnit.SECONDS))
          .isInstanceOf(CancellationException.class);
    } finally {
      BlockingUdf.release.countDown();
    }
  }
}
