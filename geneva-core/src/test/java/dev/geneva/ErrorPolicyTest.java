package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.testing.Columns;
import dev.geneva.testing.Faults;
import dev.geneva.testing.FlakyLength;
import dev.geneva.testing.SampleTables;
import dev.geneva.testing.TextLength;
import dev.geneva.udf.ErrorPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorPolicyTest {
  @TempDir Path dir;
  Connection db;

  @BeforeEach
  void open() {
    Faults.reset();
    db = Geneva.connect(dir.toString());
  }

  @AfterEach
  void close() {
    Faults.reset();
    db.close();
  }

  private static BackfillOptions options() {
    return BackfillOptions.builder().concurrency(2).batchSize(128).commitEvery(100).build();
  }

  @Test
  void backfill_whenFailFastUdfThrows_failsNamingUdfColumnFragmentAndRow() {
    Table t = SampleTables.create(db, "docs", 1_000, 500);
    t.addColumns(Map.of("len", new FlakyLength()));
    Faults.FAILING_IDS.add(42L);

    assertThatThrownBy(() -> t.backfill("len", options()))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("dev.geneva.testing.FlakyLength")
        .hasMessageContaining("column 'len'")
        .hasMessageContaining("fragment 0 row offset 42")
        .hasMessageContaining("injected failure for id 42")
        .hasMessageContaining("ErrorPolicy");
  }

  @Test
  void backfill_whenRetryPolicyAndTransientFailures_succeedsWithEveryValue() {
    Table t = SampleTables.create(db, "docs", 1_000, 500);
    t.addColumns(Map.of("len", new FlakyLength.Retrying()));
    Faults.FAILING_IDS.add(10L);
    Faults.FAILING_IDS.add(600L);
    Faults.FAILURES_PER_ID.set(2);
    FlakyLength.CALLS.set(0);

    BackfillResult r = t.backfill("len", options());

    assertThat(r.rowsFailed()).isZero();
    assertThat(FlakyLength.CALLS.get()).isEqualTo(1_000 + 4);
    Columns.byId(t, "len").forEach((id, v) -> assertThat(v).isEqualTo(TextLength.expected(id)));
  }

  @Test
  void backfill_whenRetriesExhausted_failsSayingHowManyAttempts() {
    Table t = SampleTables.create(db, "docs", 500, 500);
    t.addColumns(Map.of("len", new FlakyLength.Retrying()));
    Faults.FAILING_IDS.add(7L);

    assertThatThrownBy(() -> t.backfill("len", options()))
        .isInstanceOf(BackfillFailedException.class)
        .hasMessageContaining("after 3 attempts");
  }

  @Test
  void backfill_whenSkipPolicy_failingRowsAreNullAndCounted() {
    Table t = SampleTables.create(db, "docs", 1_000, 300);
    t.addColumns(Map.of("len", new FlakyLength.Skipping()));
    Faults.FAILING_IDS.add(1L);
    Faults.FAILING_IDS.add(500L);
    Faults.FAILING_IDS.add(999L);

    BackfillResult r = t.backfill("len", options());

    assertThat(r.rowsFailed()).isEqualTo(3);
    Columns.byId(t, "len")
        .forEach(
            (id, v) ->
                assertThat(v)
                    .isEqualTo(Faults.FAILING_IDS.contains(id) ? null : TextLength.expected(id)));
  }

  @Test
  void errorPolicy_whenRetryOnGivenTypes_retriesOnlyThoseWithCappedBackoff() {
    ErrorPolicy p =
        ErrorPolicy.builder()
            .maxAttempts(5)
            .retryOn(java.util.List.of(IOException.class))
            .backoff(Duration.ofMillis(100), Duration.ofMillis(300))
            .build();

    assertThat(p.isRetryable(new java.io.FileNotFoundException())).isTrue();
    assertThat(p.isRetryable(new IllegalStateException())).isFalse();
    assertThat(p.backoffBefore(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.backoffBefore(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.backoffBefore(3)).isEqualTo(Duration.ofMillis(300));
    assertThat(ErrorPolicy.failFast().isRetryable(new IOException())).isFalse();
    assertThat(p.toBuilder().build()).isEqualTo(p);
  }

  @Test
  void errorPolicy_whenMaxAttemptsBelowOne_explainsTheValue() {
    assertThatThrownBy(() -> ErrorPolicy.builder().maxAttempts(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("maxAttempts must be at least 1");
  }
}
