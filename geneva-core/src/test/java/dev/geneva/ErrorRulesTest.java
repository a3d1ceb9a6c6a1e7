package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.LanceColumns;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.Scripted;
import dev.geneva.udf.Backoff;
import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.ErrorRule;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Geneva's ordered retry / skip / fail rules, its backoffs, and skipped rows recorded. */
class ErrorRulesTest {
  @TempDir Path dir;
  Connection db;
  static final Map<Long, AtomicInteger> CALLS = new ConcurrentHashMap<>();

  @BeforeEach
  void open() {
    db = Geneva.connect(dir.toString());
    CALLS.clear();
  }

  @AfterEach
  void close() {
    Scripted.spec = null;
    Scripted.function = null;
    CALLS.clear();
    db.close();
  }

  @Test
  void decide_whenRulesOrdered_firstMatchByTypeAndMessageWins() {
    ErrorPolicy p =
        ErrorPolicy.of(
            ErrorRule.retry(IOException.class).matching("(?i)rate limit").maxAttempts(4),
            ErrorRule.skip(IOException.class),
            ErrorRule.fail(IllegalStateException.class),
            ErrorRule.skip(RuntimeException.class).matching("^bad row"));

    assertThat(p.decide(new IOException("Rate Limit exceeded"), 1).action())
        .isEqualTo(ErrorRule.Action.RETRY);
    assertThat(p.decide(new IOException("Rate limit"), 4).action())
        .as("retries used up: onFailure decides")
        .isEqualTo(ErrorRule.Action.FAIL);
    assertThat(p.decide(new IOException("disk full"), 1).action()).isEqualTo(ErrorRule.Action.SKIP);
    assertThat(p.decide(new IllegalStateException("bad row 3"), 1).action())
        .as("fail comes first")
        .isEqualTo(ErrorRule.Action.FAIL);
    assertThat(p.decide(new IllegalArgumentException("bad row 3"), 1).action())
        .isEqualTo(ErrorRule.Action.SKIP);
    assertThat(p.decide(new IllegalArgumentException("other"), 1).action())
        .as("unmatched fails, as in Geneva")
        .isEqualTo(ErrorRule.Action.FAIL);
    assertThat(p.decide(new IllegalArgumentException("other"), 1).rule()).isNull();
    assertThat(p.canSkip()).isTrue();
    assertThat(p.toBuilder().build()).isEqualTo(p);
  }

  @Test
  void retryTransient_whenJavaTransientExceptions_retriesThemOnlyWithJitteredExponentialBackoff() {
    ErrorPolicy p = ErrorPolicy.retryTransient();

    for (Throwable transientError :
        List.of(
            new IOException("x"),
            new SocketTimeoutException("x"),
            new java.net.ConnectException("x"),
            new UncheckedIOException(new IOException("x")),
            new TimeoutException("x"))) {
      assertThat(p.isRetryable(transientError)).as("%s", transientError).isTrue();
    }
    assertThat(p.isRetryable(new IllegalStateException())).isFalse();
    assertThat(p.maxAttempts()).isEqualTo(3);
    ErrorPolicy.Decision d = p.decide(new IOException(), 2);
    assertThat(d.delay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.jitter()).isTrue();
    assertThat(p.decide(new IOException(), 3).action()).isEqualTo(ErrorRule.Action.FAIL);
    assertThat(ErrorPolicy.retryAll().isRetryable(new IllegalStateException())).isTrue();
    assertThat(ErrorPolicy.skipOnError().decide(new Error("x"), 1).action())
        .isEqualTo(ErrorRule.Action.SKIP);
  }

  @Test
  void backoff_whenExponentialFixedOrLinear_waitsAsGenevaCappedAtTheMaximum() {
    assertThat(List.of(1, 2, 3, 4, 7, 40).stream().map(Backoff.exponential()::before))
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60));
    assertThat(List.of(1, 5).stream().map(Backoff.fixed()::before))
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(List.of(1, 2, 3, 61, 100).stream().map(Backoff.linear()::before))
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(3),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60));
    assertThat(Backoff.exponential().jitter()).isTrue();
    assertThat(Backoff.linear().jitter()).isFalse();
  }

  @Test
  void rules_whenMisused_explainWhatToDo() {
    assertThatThrownBy(() -> ErrorRule.skip().maxAttempts(3))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("retry rules only");
    assertThatThrownBy(() -> ErrorRule.retry().matching("(unclosed"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'(unclosed' is not a regular expression");
    assertThatThrownBy(() -> ErrorRule.retry().maxAttempts(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least 1");
  }

  /** Row ids 1 mod 50 are bad input, 77 is rate-limited twice, the rest compute. */
  private static Object flaky(long id) {
    if (id % 50 == 1) {
      throw new IllegalArgumentException("bad input in row " + id);
    }
    if (id == 77 && CALLS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() <= 2) {
      throw new UncheckedIOException(new IOException("429 rate limit"));
    }
    return id * 2;
  }

  @Test
  void backfill_whenRulesRetryAndSkip_retriesTransientRowsAndRecordsSkippedOnes() {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .output(UdfTypes.int64())
            .errorPolicy(
                ErrorPolicy.of(
                    ErrorRule.retry(UncheckedIOException.class)
                        .matching("rate limit")
                        .backoff(Backoff.fixed(Duration.ZERO)),
                    ErrorRule.skip(IllegalArgumentException.class).matching("^bad input")))
            .build();
    Scripted.function = ErrorRulesTest::flaky;
    Table t = SampleTables.create(db, "docs", 300, 100);
    t.addColumns(Map.of("twice", new Scripted()));

    BackfillResult r = t.backfill("twice", BackfillOptions.builder().concurrency(2).build());

    assertThat(r.rowsFailed()).isEqualTo(6);
    assertThat(r.failedRows())
        .extracting(FailedRow::fragmentId, FailedRow::rowOffset)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(0, 1L),
            org.assertj.core.groups.Tuple.tuple(0, 51L),
            org.assertj.core.groups.Tuple.tuple(1, 1L),
            org.assertj.core.groups.Tuple.tuple(1, 51L),
            org.assertj.core.groups.Tuple.tuple(2, 1L),
            org.assertj.core.groups.Tuple.tuple(2, 51L));
    assertThat(r.failedRows())
        .allSatisfy(
            f -> {
              assertThat(f.error()).isEqualTo(IllegalArgumentException.class.getName());
              assertThat(f.message())
                  .isEqualTo("bad input in row " + (f.fragmentId() * 100 + f.rowOffset()));
            });
    assertThat(CALLS.get(77L).get()).isEqualTo(3);
    Map<Long, Object> values = LanceColumns.byId(db.allocator(), t.uri(), "twice");
    values.forEach(
        (id, v) -> assertThat(v).as("row %d", id).isEqualTo(id % 50 == 1 ? null : id * 2));
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(300);
  }

  @Test
  void backfill_whenFailRuleMatchesBeforeSkip_failsNamingTheRule() {
    Scripted.spec =
        UdfSpec.builder()
            .inputs("id")
            .output(UdfTypes.int64())
            .errorPolicy(
                ErrorPolicy.of(
                    ErrorRule.fail(IllegalArgumentException.class).matching("row 151$"),
                    ErrorRule.skip()))
            .build();
    Scripted.function = ErrorRulesTest::flaky;
    Table t = SampleTables.create(db, "docs", 300, 100);
    t.addColumns(Map.of("twice", new Scripted()));

    assertThatThrownBy(() -> t.backfill("twice"))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("fragment 1 row offset 51")
        .hasMessageContaining("bad input in row 151")
        .hasMessageContaining("the ErrorPolicy rule Fail([IllegalArgumentException], matching");
    assertThat(LanceColumns.scanAll(db.allocator(), t.uri())).isEqualTo(300);
  }

  @Test
  void backfill_whenLegacyRetryBuilderAndSkip_keepsItsMeaning() {
    ErrorPolicy legacy =
        ErrorPolicy.builder()
            .maxAttempts(3)
            .retryOn(List.of(UncheckedIOException.class))
            .backoff(Duration.ZERO, Duration.ZERO)
            .onFailure(ErrorPolicy.OnFailure.SKIP)
            .build();
    Scripted.spec =
        UdfSpec.builder().inputs("id").output(UdfTypes.int64()).errorPolicy(legacy).build();
    Scripted.function = ErrorRulesTest::flaky;
    Table t = SampleTables.create(db, "docs", 200, 200);
    t.addColumns(Map.of("twice", new Scripted()));

    BackfillResult r = t.backfill("twice");

    assertThat(legacy.rules()).hasSize(1);
    assertThat(r.rowsFailed()).isEqualTo(4);
    assertThat(r.failedRows()).hasSize(4);
    assertThat(LanceColumns.byId(db.allocator(), t.uri(), "twice").get(77L)).isEqualTo(154L);
  }
}
