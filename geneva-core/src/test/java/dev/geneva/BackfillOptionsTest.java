package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.spi.BackfillTarget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackfillOptionsTest {
  private static final BackfillTarget TARGET =
      new BackfillTarget() {
        @Override
        public String name() {
          return "test-target";
        }

        @Override
        public BackfillJob start(Table table, String column, BackfillOptions options) {
          throw new UnsupportedOperationException("not started in this test");
        }
      };

  private static BackfillOptions full() {
    return BackfillOptions.builder()
        .where("id > 3")
        .concurrency(3)
        .batchSize(128)
        .rowsPerTask(1000)
        .commitEvery(4)
        .commitInterval(Duration.ofSeconds(5))
        .maxCommitAttempts(7)
        .target(TARGET)
        .jobId("job-1")
        .cluster("geneva/c1")
        .build();
  }

  @Test
  void toBuilder_whenBuiltAgain_equalsTheOriginalWithTheSameHashCode() {
    BackfillOptions options = full();
    BackfillOptions copy = options.toBuilder().build();
    assertThat(copy).isEqualTo(options);
    assertThat(copy.hashCode()).isEqualTo(options.hashCode());
  }

  @Test
  void equals_whenOnlyTargetJobIdOrClusterDiffers_isFalse() {
    BackfillOptions options = full();
    assertThat(options.toBuilder().target(null).build()).isNotEqualTo(options);
    assertThat(options.toBuilder().jobId("job-2").build()).isNotEqualTo(options);
    assertThat(options.toBuilder().cluster("geneva/c2").build()).isNotEqualTo(options);
  }

  @Test
  void hashCode_whenOptionsDifferOnlyInTarget_differs() {
    BackfillOptions without = full().toBuilder().target(null).build();
    assertThat(full().hashCode()).isNotEqualTo(without.hashCode());
  }
}
