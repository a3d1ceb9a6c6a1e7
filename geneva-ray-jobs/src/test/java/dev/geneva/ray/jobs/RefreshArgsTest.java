package dev.geneva.ray.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.BackfillOptions;
import dev.geneva.InvalidInputException;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RefreshArgsTest {
  @Test
  void parse_whenGivenItsOwnArgs_readsTheSameValuesBack() {
    RefreshArgs args =
        new RefreshArgs(
            "s3://bucket/db/chunks.lance",
            OptionalLong.of(7),
            BackfillOptions.builder().concurrency(3).rowsPerTask(500).jobId("j-1").build());

    RefreshArgs back = RefreshArgs.parse(args.toArgs().toArray(String[]::new));

    assertThat(back.viewUri()).isEqualTo("s3://bucket/db/chunks.lance");
    assertThat(back.databaseUri()).isEqualTo("s3://bucket/db");
    assertThat(back.viewName()).isEqualTo("chunks");
    assertThat(back.sourceVersion()).hasValue(7);
    assertThat(back.options().concurrency()).isEqualTo(3);
    assertThat(back.options().rowsPerTask()).isEqualTo(500);
    assertThat(back.options().jobId()).contains("j-1");
    assertThat(RefreshArgs.isRefresh(args.toArgs().toArray(String[]::new))).isTrue();
    assertThat(RefreshArgs.isRefresh(new String[] {"s3://bucket/db/docs.lance", "len"})).isFalse();
  }

  @Test
  void parse_whenNoSourceVersion_refreshesToTheLatest() {
    RefreshArgs back = RefreshArgs.parse(new String[] {RefreshArgs.MODE, "/data/db/chunks.lance"});

    assertThat(back.sourceVersion()).isEmpty();
    assertThat(back.options()).isEqualTo(BackfillOptions.defaults());
  }

  @Test
  void parse_whenArgumentsBad_namesWhatIsWrong() {
    assertThatThrownBy(() -> RefreshArgs.parse(new String[] {RefreshArgs.MODE}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("<view uri>");
    assertThatThrownBy(
            () ->
                RefreshArgs.parse(
                    new String[] {RefreshArgs.MODE, "/db/v.lance", "--source-version", "x"}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--source-version needs a number, got 'x'");
    assertThatThrownBy(() -> RefreshArgs.parse(new String[] {RefreshArgs.MODE, "/db/v"}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("the refresh driver needs a view URI")
        .hasMessageContaining(".lance, got /db/v");
  }
}
