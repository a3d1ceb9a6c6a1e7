package dev.geneva.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

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
        .containsExactly("a", "b", "c1", "c2", "c3", "d");
    assertThat(results)
        .allSatisfy(m -> assertThat(m.ratio()).isFinite().isPositive())
        .filteredOn(m -> !m.id().equals("d") && !m.id().equals("c3"))
        .allSatisfy(m -> assertThat(m.hasTarget()).isTrue());
    String report = text.toString(StandardCharsets.UTF_8);
    assertThat(report).contains("(a)", "(b)", "(c1)", "(c2)", "(c3)", "(d)");
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
}
