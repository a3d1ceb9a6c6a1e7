package dev.geneva.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillOptions;
import dev.geneva.InvalidInputException;
import dev.geneva.spi.BackfillTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommitAndPackingPolicyTest {
  private static List<BackfillTask> fragments(int count, long rows) {
    List<BackfillTask> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      tasks.add(
          new BackfillTask(
              i,
              "/db/t.lance",
              Map.of(),
              1,
              "c",
              2,
              "U",
              "1",
              "",
              i,
              0,
              rows,
              2,
              0,
              false,
              64,
              "k" + i));
    }
    return tasks;
  }

  @Test
  void fragmentsPerCommit_whenFragmentCountGrows_keepsAboutTenCommitsAndAtLeastSixteen() {
    assertThat(BackfillRun.fragmentsPerCommit(20)).isEqualTo(16);
    assertThat(BackfillRun.fragmentsPerCommit(2_000)).isEqualTo(200);
    assertThat(BackfillRun.fragmentsPerCommit(100_000)).isEqualTo(10_000);
    assertThat(BackfillRun.fragmentsPerCommit(100_001)).isEqualTo(10_001);
  }

  @Test
  void packRows_whenFragmentsSmall_packsUpToAQuarterOfEachWorkersShare() {
    // 2,000 fragments of 100 rows on 2 workers: 8 calls of 25,000 rows.
    assertThat(BackfillRun.packRows(fragments(2_000, 100), Long.MAX_VALUE, 2)).isEqualTo(25_000);
  }

  @Test
  void packRows_whenRowsPerTaskSmaller_usesIt() {
    assertThat(BackfillRun.packRows(fragments(2_000, 100), 1_000, 2)).isEqualTo(1_000);
    assertThat(BackfillRun.packRows(fragments(1, 1), Long.MAX_VALUE, 8)).isEqualTo(1);
  }

  @Test
  void commitEvery_whenUnset_isAutomaticAndSetValueWins() {
    assertThat(BackfillOptions.defaults().commitEvery()).isEmpty();
    assertThat(BackfillOptions.defaults().commitInterval()).isEqualTo(Duration.ofSeconds(60));
    BackfillOptions set =
        BackfillOptions.builder().commitEvery(3).commitInterval(Duration.ofSeconds(5)).build();
    assertThat(set.commitEvery()).hasValue(3);
    assertThat(set.toBuilder().build()).isEqualTo(set);
    assertThat(set.toString()).contains("commitEvery=3", "commitInterval=PT5S");
  }

  @Test
  void commitInterval_whenZeroNegativeNullOrOverADay_refusesNamingTheOption() {
    for (Duration bad :
        new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), null, Duration.ofDays(2)}) {
      assertThatThrownBy(() -> BackfillOptions.builder().commitInterval(bad))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("BackfillOptions.commitInterval")
          .hasMessageContaining("Duration.ofSeconds");
    }
    assertThatThrownBy(() -> BackfillOptions.builder().commitEvery(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("BackfillOptions.commitEvery");
  }
}
