package dev.geneva.testing.resume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.testing.resume.ResumeScenario.Fault;
import dev.geneva.testing.resume.ResumeScenario.Outcome;
import dev.geneva.testing.resume.ResumeScenario.Shape;
import java.util.List;
import java.util.Locale;

/** Checks that a property test's cases exercised what it claims, and prints what they did. */
public final class ResumeCoverage {
  private ResumeCoverage() {}

  /**
   * Asserts that each fault interrupted a run on every shape (split, whole and packed fragments),
   * that resumed runs reused checkpointed work on every shape, and that packed cases sent calls of
   * several tasks and reused checkpoints under a packing other than the interrupted run's.
   *
   * @param outcomes the cases that ran
   * @param faults the faults the test injects
   */
  public static void assertCovered(List<Outcome> outcomes, Fault... faults) {
    for (Fault fault : faults) {
      for (Shape shape : Shape.values()) {
        long interrupted =
            outcomes.stream()
                .filter(o -> o.scenario().fault() == fault && o.scenario().shape() == shape)
                .filter(Outcome::interrupted)
                .count();
        System.out.printf(
            "resume cases: %s on %s fragments: %d interrupted%n", fault, name(shape), interrupted);
        assertThat(interrupted)
            .as("cases where %s interrupted a run on %s fragments", fault, name(shape))
            .isPositive();
      }
    }
    for (Shape shape : Shape.values()) {
      long reused =
          outcomes.stream()
              .filter(o -> o.scenario().shape() == shape && o.rowsReused() > 0)
              .count();
      System.out.printf(
          "resume cases: %d of %d reused checkpoints on %s fragments%n",
          reused, outcomes.size(), name(shape));
      assertThat(reused)
          .as("cases whose rerun reused checkpoints on %s fragments", name(shape))
          .isPositive();
    }
    long packedCalls =
        outcomes.stream()
            .filter(o -> o.scenario().shape() == Shape.PACKED && o.mostPartsPerCall() > 1)
            .count();
    long repackedReuse =
        outcomes.stream()
            .filter(o -> o.scenario().shape() == Shape.PACKED)
            .filter(o -> o.scenario().rowsPerTask() != o.scenario().resumeRowsPerTask())
            .filter(o -> o.interrupted() && o.rowsReused() > 0)
            .count();
    System.out.printf(
        "resume cases: %d packed cases sent calls of several tasks, %d reused checkpoints under"
            + " another packing%n",
        packedCalls, repackedReuse);
    assertThat(packedCalls).as("packed cases that sent calls of several tasks").isPositive();
    assertThat(repackedReuse)
        .as("interrupted packed cases whose rerun, packed differently, reused checkpoints")
        .isPositive();
  }

  /**
   * Asserts that some case of a UDF of several columns was interrupted and resumed from
   * checkpoints, on split and on unsplit fragments.
   *
   * @param outcomes the cases that ran
   */
  public static void assertGroupsResumed(List<Outcome> outcomes) {
    for (Shape shape : List.of(Shape.SPLIT, Shape.WHOLE)) {
      long resumed =
          outcomes.stream()
              .filter(o -> o.scenario().group() && o.scenario().shape() == shape)
              .filter(o -> o.interrupted() && o.rowsReused() > 0)
              .count();
      System.out.printf(
          "resume cases: %d groups of columns on %s fragments resumed from checkpoints%n",
          resumed, name(shape));
      assertThat(resumed)
          .as("interrupted group cases on %s fragments whose rerun reused checkpoints", name(shape))
          .isPositive();
    }
  }

  private static String name(Shape shape) {
    return shape == Shape.WHOLE ? "unsplit" : shape.name().toLowerCase(Locale.ROOT);
  }
}
