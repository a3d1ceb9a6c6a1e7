package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import dev.geneva.internal.lance.TableConfig;
import dev.geneva.testing.RefreshProcess;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowChunker;
import dev.geneva.testing.SlowLength;
import dev.geneva.testing.TextLength;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refreshes of one view racing each other: one at a time, none duplicating or losing rows. */
class ConcurrentRefreshTest {
  @TempDir Path dir;

  static Query query(Table docs) {
    return docs.query().select("id", "text").where("id % 5 <> 2");
  }

  /** The view's rows equal a view built from scratch, and no source row is in it twice. */
  static void assertEqualsRebuild(Connection db, MaterializedView view, String scratchName) {
    MaterializedView scratch =
        db.createMaterializedView(
            scratchName, query(db.openTable("docs")), Map.of("len", new TextLength()));
    scratch.refresh();
    List<String> rows = MaterializedViewTest.rows(view.table().uri());
    assertThat(rows).isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
    assertThat(view.table().countRows()).isEqualTo(scratch.table().countRows());
    db.dropTable(scratchName);
  }

  @Test
  void refresh_twoConnectionsRacingAfterAppendsAndDeletes_equalsARebuildEveryTime()
      throws Exception {
    Random random = new Random(20261130);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection a = Geneva.connect(dir.toString());
        Connection b = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(a, "docs", 400, 100);
      MaterializedView view =
          a.createMaterializedView("lengths", query(docs), Map.of("len", new TextLength()));
      view.refresh();
      long nextId = 400;
      for (int round = 0; round < 6; round++) {
        int rows = 50 + random.nextInt(250);
        SampleTables.append(docs, a.allocator(), nextId, rows);
        nextId += rows;
        docs.delete("id % 17 = " + random.nextInt(17) + " AND id > " + random.nextInt(300));
        MaterializedView viaA = a.openMaterializedView("lengths");
        MaterializedView viaB = b.openMaterializedView("lengths");
        CyclicBarrier start = new CyclicBarrier(2);
        Future<RefreshResult> first = threads.submit(() -> awaitThen(start, viaA::refresh));
        Future<RefreshResult> second = threads.submit(() -> awaitThen(start, viaB::refresh));
        RefreshResult r1 = first.get(120, TimeUnit.SECONDS);
        RefreshResult r2 = second.get(120, TimeUnit.SECONDS);

        assertThat(r1.toVersion()).isEqualTo(docs.version());
        assertThat(r2.toVersion()).isEqualTo(docs.version());
        // One of them did the work; the other found the rows in place.
        assertThat(Math.min(r1.sourceRowsAdded(), r2.sourceRowsAdded())).isZero();
        assertEqualsRebuild(a, view, "scratch" + round);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  static <T> T awaitThen(CyclicBarrier barrier, java.util.function.Supplier<T> action) {
    try {
      barrier.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return action.get();
  }

  @Test
  void refresh_whileAnotherRefreshHoldsTheView_waitsOrFailsClearlyWithoutWaiting()
      throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 600, 100);
      MaterializedView view =
          db.createMaterializedView(
              "lengths", docs.query().select("id", "text"), Map.of("len", new SlowLength()));
      RefreshOptions slow =
          RefreshOptions.builder()
              .backfillOptions(BackfillOptions.builder().concurrency(1).batchSize(16).build())
              .build();
      RefreshJob running = view.refreshAsync(slow);
      RefreshJobTest.await(
          running, p -> p.phase() == RefreshProgress.Phase.BACKFILLING, new ArrayList<>());
      long version = view.table().version();

      assertThatThrownBy(
              () ->
                  db.openMaterializedView("lengths")
                      .refresh(RefreshOptions.builder().waitForOtherRefresh(Duration.ZERO).build()))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("view 'lengths' is being refreshed by another refresh")
          .hasMessageContaining("RefreshOptions.waitForOtherRefresh");
      RefreshResult waited = db.openMaterializedView("lengths").refresh(slow);
      RefreshResult first = running.join(120, TimeUnit.SECONDS);

      assertThat(view.table().version()).isGreaterThan(version);
      assertThat(first.sourceRowsAdded()).isEqualTo(600);
      assertThat(waited.sourceRowsAdded()).isZero();
      assertThat(waited.backfills().get("len").rowsProcessed())
          .isEqualTo(view.table().countRows("text IS NULL"));
      assertThat(view.table().countRows("len IS NULL AND text IS NOT NULL")).isZero();
    }
  }

  @Test
  void refresh_inTwoJvmsAtOnce_secondWaitsForTheFirstAndTheViewEqualsARebuild() throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 600, 100);
      db.createUdtfView("chunks", docs.query().select("id", "text"), new SlowChunker());
      SampleTables.append(docs, db.allocator(), 600, 300);
      docs.delete("id % 10 = 4");
    }
    Process child = RefreshProcess.start(dir, "chunks");
    try (Connection db = Geneva.connect(dir.toString())) {
      MaterializedView view = db.openMaterializedView("chunks");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!leaseHeld(view.table().uri()) && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(leaseHeld(view.table().uri())).as("the child holds the refresh lease").isTrue();

      RefreshResult here = view.refresh();

      assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
      assertThat(here.sourceRowsAdded()).as("the child had added every row").isZero();
      assertThat(here.toVersion()).isEqualTo(db.openTable("docs").version());
      assertThat(leaseHeld(view.table().uri())).isFalse();
      MaterializedView scratch =
          db.createUdtfView(
              "scratch", db.openTable("docs").query().select("id", "text"), new SlowChunker());
      scratch.refresh();
      assertThat(MaterializedViewTest.rows(view.table().uri()))
          .isEqualTo(MaterializedViewTest.rows(scratch.table().uri()));
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Records a refresh lease in a view's config by hand, with plain lance-core. */
  static void writeLease(String uri, String value) {
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator)) {
      TableConfig.update(ds, Map.of("geneva.view.refresh.lease", value), java.util.Set.of());
    }
  }

  static String thisHost() throws Exception {
    String env = System.getenv("HOSTNAME");
    return env != null && !env.isBlank() ? env : java.net.InetAddress.getLocalHost().getHostName();
  }

  @Test
  void refresh_whenTheLeaseHolderIsGoneOrItsLeaseEnded_takesItOver_andALiveOneHoldsItOff()
      throws Exception {
    try (Connection db = Geneva.connect(dir.toString())) {
      Table docs = SampleTables.create(db, "docs", 300, 100);
      MaterializedView view =
          db.createMaterializedView("lengths", query(docs), Map.of("len", new TextLength()));
      RefreshOptions noWait = RefreshOptions.builder().waitForOtherRefresh(Duration.ZERO).build();
      long future = System.currentTimeMillis() + 600_000;

      writeLease(view.table().uri(), "owner=x;expires=" + future + ";host=elsewhere;pid=1");
      assertThatThrownBy(() -> view.refresh(noWait))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("is being refreshed by another refresh (host elsewhere, process 1");
      assertThat(view.refreshedVersion()).isEmpty();

      writeLease(view.table().uri(), "owner=x;expires=1000;host=elsewhere;pid=1");
      assertThat(view.refresh(noWait).sourceRowsAdded()).isPositive();
      assertThat(leaseHeld(view.table().uri())).isFalse();

      Process gone = new ProcessBuilder("true").start();
      assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
      writeLease(
          view.table().uri(),
          "owner=x;expires=" + future + ";host=" + thisHost() + ";pid=" + gone.pid());
      SampleTables.append(docs, db.allocator(), 300, 50);
      assertThat(view.refresh(noWait).sourceRowsAdded()).isPositive();
      assertThat(leaseHeld(view.table().uri())).isFalse();
      assertEqualsRebuild(db, view, "scratch");
    }
  }

  /** Tells whether a refresh holds the view's lease, read with plain lance-core. */
  static boolean leaseHeld(String uri) {
    try (BufferAllocator allocator = new RootAllocator();
        Dataset ds = Dataset.open(uri, allocator)) {
      return ds.getConfig().containsKey("geneva.view.refresh.lease");
    }
  }
}
