package dev.geneva.internal.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lancedb.lance.Dataset;
import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.Geneva;
import dev.geneva.GenevaException;
import dev.geneva.Table;
import dev.geneva.internal.lance.TableConfig;
import dev.geneva.internal.lance.TableLocation;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.SlowLength;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refresh lease's renewal, its loss to another refresh, and its holder fencing itself. */
class RefreshLeaseTest {
  private static final Duration TERM = Duration.ofMillis(1_200);
  private static final Duration RENEW = Duration.ofMillis(100);

  @TempDir Path dir;
  private Connection db;
  private Table table;
  private final AtomicBoolean unreachable = new AtomicBoolean();
  private TableLocation location;

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    table = SampleTables.create(db, "view", 2_000, 1_000);
    location =
        new TableLocation(
            "view",
            table.uri(),
            () -> {
              if (unreachable.get()) {
                throw new IllegalStateException("storage unreachable (injected)");
              }
              return Map.of();
            },
            db.allocator());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private RefreshLease acquire(RefreshRun run, Duration wait) {
    return RefreshLease.acquire(location, wait, run, TERM, RENEW);
  }

  private RefreshLease.Holder recorded() {
    try (Dataset ds = openLatest()) {
      return RefreshLease.Holder.decode(ds.getConfig().get(RefreshLease.KEY)).orElse(null);
    }
  }

  private Dataset openLatest() {
    boolean was = unreachable.getAndSet(false);
    try {
      return location.openLatest();
    } finally {
      unreachable.set(was);
    }
  }

  @Test
  void acquire_whenTheHolderKeepsRenewing_anotherWaitsPastTheTermAndThenGetsIt() throws Exception {
    RefreshRun first = new RefreshRun("view");
    RefreshLease held = acquire(first, Duration.ZERO);
    long firstExpiry = recorded().expiresAtMillis();
    Thread.sleep(TERM.toMillis() * 2);

    assertThat(recorded().expiresAtMillis()).as("renewed").isGreaterThan(firstExpiry);
    RefreshRun second = new RefreshRun("view");
    assertThatThrownBy(() -> acquire(second, Duration.ofMillis(300)))
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("is being refreshed by another refresh")
        .hasMessageContaining("waitForOtherRefresh");
    first.checkCancelled();

    held.close();
    assertThat(recorded()).as("removed on close").isNull();
    try (RefreshLease next = acquire(second, Duration.ZERO)) {
      second.checkCancelled();
      assertThat(recorded()).isNotNull();
    }
  }

  @Test
  void check_whenAnotherRefreshTookTheLease_stopsWithTheNewHolderAndKeepsItsLease()
      throws Exception {
    RefreshRun run = new RefreshRun("view");
    RefreshLease held = acquire(run, Duration.ZERO);
    RefreshLease.Holder intruder =
        new RefreshLease.Holder("intruder", System.currentTimeMillis() + 60_000, "elsewhere", 1);
    try (Dataset ds = openLatest()) {
      TableConfig.update(ds, Map.of(RefreshLease.KEY, intruder.encode()), Set.of());
    }

    Throwable stopped = awaitStopped(run);

    assertThat(stopped)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("taken by another refresh (host elsewhere, process 1)")
        .hasMessageContaining("refresh again");
    held.close();
    assertThat(recorded()).as("the new holder's lease stays").isEqualTo(intruder);
  }

  @Test
  void check_whenRenewalsFail_stopsBeforeAnotherRefreshMayTakeTheLease() throws Exception {
    RefreshRun run = new RefreshRun("view");
    RefreshLease held = acquire(run, Duration.ZERO);
    unreachable.set(true);
    long expiry = recorded().expiresAtMillis();

    Throwable stopped = awaitStopped(run);
    long stoppedAt = System.currentTimeMillis();

    assertThat(stopped)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("could not renew its lease");
    assertThat(stoppedAt).as("stopped while the lease was still its own").isLessThan(expiry);
    unreachable.set(false);
    RefreshRun next = new RefreshRun("view");
    try (RefreshLease taken = acquire(next, Duration.ofSeconds(10))) {
      assertThat(System.currentTimeMillis()).as("taken only once it ended").isGreaterThan(expiry);
    }
    held.close();
  }

  @Test
  void backfill_whenTheLeaseIsLostMidway_isCancelledAndTheColumnStaysResumable() throws Exception {
    table.addColumns(Map.of("len", new SlowLength()));
    BackfillOptions slow = BackfillOptions.builder().batchSize(10).concurrency(1).build();
    RefreshRun run = new RefreshRun("view");
    RefreshLease held = acquire(run, Duration.ZERO);
    unreachable.set(true);
    long start = System.nanoTime();

    assertThatThrownBy(() -> run.backfill(() -> table.backfillAsync("len", slow)))
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("could not renew its lease");
    // 200 batches of 20 ms: the whole backfill would take 4 s or more.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3_500));
    unreachable.set(false);
    held.close();

    table.backfill("len");
    assertThat(table.countRows("text IS NOT NULL AND len IS NULL")).isZero();
    assertThat(table.countRows("len = length(text)"))
        .isEqualTo(table.countRows("text IS NOT NULL"));
  }

  private static Throwable awaitStopped(RefreshRun run) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        run.checkCancelled();
      } catch (RuntimeException e) {
        return e;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the refresh never noticed it lost its lease");
  }
}
