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
        .containsExactly(
            "a", "a-ray", "b", "b-ray", "c1", "c2", "c3", "d", "d-ray", "e", "e-ray", "f0", "f4",
            "f1", "f2", "f5", "f3");
    assertThat(results)
        .allSatisfy(m -> assertThat(m.ratio()).isFinite().isPositive())
        .filteredOn(
            m ->
                !m.id().startsWith("d")
                    && !m.id().equals("c3")
                    && !m.id().equals("f0")
                    && !m.id().equals("f4")
                    && !m.id().equals("f5")
                    && !m.id().equals("f3"))
        .allSatisfy(m -> assertThat(m.hasTarget()).isTrue());
    assertThat(results)
        .filteredOn(m -> m.id().startsWith("a"))
        .extracting(Measurement::targetText)
        .containsExactly("<= 1.15", "<= 1.25");
    assertThat(results)
        .filteredOn(m -> m.id().startsWith("e"))
        .allSatisfy(m -> assertThat(m.targetText()).isEqualTo(">= 0.90"));
    String report = text.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("(a)", "(a-ray)", "(b)", "(b-ray)", "(c1)", "(c2)", "(c3)", "(d)", "(d-ray)")
        .contains("(e)", "(e-ray)", "(e) model alone: ")
        .contains("(ray) / hand-written loop", "(threads) / model loop on")
        .contains("(f0)", "(f1)", "(f2)", "(f3)", "(threads)", "(ray-local)", "at 100000 fragments")
        .contains("floor: Lance SQL addColumns", "process CPU")
        .contains("(f4) floor: hand-written lance-core loop", "against the hand-written loop (f4)")
        .contains("(f5) compact first: compact", "then backfill / backfill of");
    try (var left = Files.list(dir)) {
      assertThat(left).as("temporary tables are deleted").isEmpty();
    }
  }

  @Test
  void parse_whenExecutorsAndEmbeddingFlags_selectsThem() {
    BenchmarkConfig c =
        BenchmarkConfig.parse(
            "--executors", "ray", "--only", "a,e", "--embed-rows", "2k", "--embed-model", "FP32");

    assertThat(c.executors()).containsExactly("ray");
    assertThat(c.only()).containsExactlyInAnyOrder("a", "e");
    assertThat(c.embedRows()).isEqualTo(2_000);
    assertThat(c.embedModel()).isEqualTo("fp32");
  }

  @Test
  void parse_whenUnknownExecutorOrModel_namesTheFlag() {
    assertThatThrownBy(() -> BenchmarkConfig.parse("--executors", "threads,k8s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--executors takes a comma list of ray,threads");
    assertThatThrownBy(() -> BenchmarkConfig.parse("--embed-model", "fp16"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--embed-model int8 or fp32");
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
