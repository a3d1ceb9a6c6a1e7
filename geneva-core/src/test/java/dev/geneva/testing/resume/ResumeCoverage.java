package dev.geneva.testing.resume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.resume.ResumeScenario.Fault;
import dev.geneva.testing.resume.ResumeScenario.Outcome;
import java.util.List;

/** Checks that a property test's cases exercised what it claims, and prints what they did. */
public final class ResumeCoverage {
  private ResumeCoverage() {}

  /**
   * Asserts that each fault interrupted a run on split and on unsplit fragments, and that resumed
   * runs reused checkpointed work on split and on unsplit fragments.
   *
   * @param outcomes the cases that ran
   * @param faults the faults the test injects
   */
  public static void assertCovered(List<Outcome> outcomes, Fault... faults) {
    for (Fault fault : faults) {
      for (boolean split : new boolean[] {true, false}) {
        long interrupted =
            outcomes.stream()
                .filter(o -> o.scenario().fault() == fault && o.scenario().split() == split)
                .filter(Outcome::interrupted)
                .count();
        System.out.printf(
            "resume cases: %s on %s fragments: %d interrupted%n",
            fault, split ? "split" : "unsplit", interrupted);
        assertThat(interrupted)
            .as(
                "cases where %s interrupted a run on %s fragments",
                fault, split ? "split" : "unsplit")
            .isPositive();
      }
    }
    for (boolean split : new boolean[] {true, false}) {
      long reused =
          outcomes.stream()
              .filter(o -> o.scenario().split() == split && o.rowsReused() > 0)
              .count();
      System.out.printf(
          "resume cases: %d of %d reused checkpoints on %s fragments%n",
          reused, outcomes.size(), split ? "split" : "unsplit");
      assertThat(reused)
          .as("cases whose rerun reused checkpoints on %s fragments", split ? "split" : "unsplit")
          .isPositive();
    }
  }
}
