package dev.geneva.ray;

import dev.geneva.ray.testing.RayTestSupport;
import dev.geneva.testing.resume.ResumeCoverage;
import dev.geneva.testing.resume.ResumeScenario;
import dev.geneva.testing.resume.ResumeScenario.Fault;
import dev.geneva.testing.resume.ResumeScenario.Outcome;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A resumed backfill on embedded Ray equals a clean one row for row, over random table shapes, task
 * sizes and in-process faults (the killed-JVM cases run on threads in geneva-core: the driver that
 * resumes is the same). {@code -Dgeneva.resume.raySeeds=N} runs more, {@code
 * -Dgeneva.resume.firstSeed=S} replays a failing one.
 */
class RayBackfillResumePropertyTest {
  private static final List<Outcome> OUTCOMES = new CopyOnWriteArrayList<>();
  private static BufferAllocator allocator;
  private static RayExecutor ray;

  @TempDir Path dir;

  @BeforeAll
  static void startRay() {
    RayTestSupport.init();
    allocator = new RootAllocator();
    ray = RayExecutor.local(allocator);
  }

  static Stream<ResumeScenario> scenarios() {
    return ResumeScenario.cases(
        Integer.getInteger("geneva.resume.raySeeds", 48), Fault.UDF_THROWS, Fault.EXECUTOR_DIES);
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void backfill_whenUdfThrowsOrWorkerDiesThenResumed_equalsCleanRunRowForRow(
      ResumeScenario scenario) {
    OUTCOMES.add(scenario.check(dir, ray));
  }

  static Stream<ResumeScenario> groupScenarios() {
    return ResumeScenario.cases(
            Integer.getInteger("geneva.resume.rayGroupSeeds", 12),
            Fault.UDF_THROWS,
            Fault.EXECUTOR_DIES)
        .map(ResumeScenario::asGroup);
  }

  @ParameterizedTest
  @MethodSource("groupScenarios")
  void backfill_whenGroupOfColumnsInterruptedThenResumed_equalsCleanRunRowForRow(
      ResumeScenario scenario) {
    OUTCOMES.add(scenario.check(dir, ray));
  }

  @AfterAll
  static void casesCoveredEveryFaultOnSplitAndUnsplitFragments() {
    try {
      ResumeCoverage.assertCovered(OUTCOMES, Fault.UDF_THROWS, Fault.EXECUTOR_DIES);
      ResumeCoverage.assertGroupsResumed(OUTCOMES);
    } finally {
      ray.close();
      allocator.close();
      RayTestSupport.assertRayShutDownAndCleanedUp();
    }
  }
}
