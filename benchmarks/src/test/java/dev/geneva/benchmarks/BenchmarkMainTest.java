package dev.geneva.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkMainTest {
  @TempDir Path dir;

  @Test
  void run_whenTinySizes_reportsARatioForEachBenchmark() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<Measurement> results;
    try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      results = BenchmarkMain.run(BenchmarkConfig.tiny(dir), out);
    }

    assertThat(results)
        .extracting(Measurement::id)
        .containsExactly("a", "b", "c1", "c2", "c3", "d", "f1", "f2", "f3");
    assertThat(results)
        .allSatisfy(m -> assertThat(m.ratio()).isFinite().isPositive())
        .filteredOn(m -> !List.of("d", "c3", "f3").contains(m.id()))
        .allSatisfy(m -> assertThat(m.hasTarget()).isTrue());
    String report = text.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("(a)", "(b)", "(c1)", "(c2)", "(c3)", "(d)", "(f1)", "(f2)", "(f3)")
        .contains("(threads)", "(ray-local)", "at 100000 fragments");
    try (var left = Files.list(dir)) {
      assertThat(left).as("temporary tables are deleted").isEmpty();
    }
  }

  @Test
  void parse_whenCountsHaveSuffixes_expandsThem() {
    BenchmarkConfig c = BenchmarkConfig.parse("--rows", "2m", "--fragment-rows", "250k");

    assertThat(c.rows()).isEqualTo(2_000_000);
    assertThat(c.fragmentRows()).isEqualTo(250_000);
  }

  @Test
  void parse_whenFragmentCountFlags_setsBenchmarkF() {
    BenchmarkConfig c =
        BenchmarkConfig.parse(
            "--f-rows", "200k", "--f-many", "1k", "--f-projection", "1k,2k", "--only", "f");

    assertThat(c.fragmentCount().rows()).isEqualTo(200_000);
    assertThat(c.fragmentCount().many()).isEqualTo(1_000);
    assertThat(c.fragmentCount().few()).isEqualTo(20);
    assertThat(c.fragmentCount().projectionFragments()).containsExactly(1_000, 2_000);
    assertThat(c.only()).containsExactly("f");
  }

  @Test
  void parse_whenFragmentCountFlagUnknownOrTooFewProjectionPoints_refuses() {
    assertThatThrownBy(() -> BenchmarkConfig.parse("--f-nope", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown flag --f-nope");
    assertThatThrownBy(() -> BenchmarkConfig.parse("--f-projection", "1k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--f-projection");
  }
}
