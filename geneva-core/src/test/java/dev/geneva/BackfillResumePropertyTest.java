package dev.geneva;

import dev.geneva.internal.engine.LocalThreadExecutor;
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
 * A resumed backfill on threads equals a clean one row for row, over random table shapes, task
 * sizes and faults. Seeds cycle through the faults and split / unsplit fragments, so every
 * combination runs; the same cases run for a UDF of several columns. {@code
 * -Dgeneva.resume.seeds=N}, {@code -Dgeneva.resume.killSeeds=N}, {@code
 * -Dgeneva.resume.groupSeeds=N} and {@code -Dgeneva.resume.groupKillSeeds=N} run more, {@code
 * -Dgeneva.resume.firstSeed=S} replays a failing one.
 */
class BackfillResumePropertyTest {
  private static final List<Outcome> OUTCOMES = new CopyOnWriteArrayList<>();
  private static BufferAllocator allocator;
  private static LocalThreadExecutor threads;

  @TempDir Path dir;

  @BeforeAll
  static void startExecutor() {
    allocator = new RootAllocator();
    threads = new LocalThreadExecutor(allocator);
  }

  static Stream<ResumeScenario> inProcessFaults() {
    return ResumeScenario.cases(
        Integer.getInteger("geneva.resume.seeds", 96), Fault.UDF_THROWS, Fault.EXECUTOR_DIES);
  }

  static Stream<ResumeScenario> killedJvms() {
    return ResumeScenario.cases(
        Integer.getInteger("geneva.resume.killSeeds", 10), Fault.JVM_KILLED);
  }

  @ParameterizedTest
  @MethodSource("inProcessFaults")
  void backfill_whenUdfThrowsOrWorkerDiesThenResumed_equalsCleanRunRowForRow(
      ResumeScenario scenario) {
    OUTCOMES.add(scenario.check(dir, threads));
  }

  static Stream<ResumeScenario> groupFaults() {
    return Stream.concat(
            ResumeScenario.cases(
                Integer.getInteger("geneva.resume.groupSeeds", 24),
                Fault.UDF_THROWS,
                Fault.EXECUTOR_DIES),
            ResumeScenario.cases(
                Integer.getInteger("geneva.resume.groupKillSeeds", 3), Fault.JVM_KILLED))
        .map(ResumeScenario::asGroup);
  }

  @ParameterizedTest
  @MethodSource("groupFaults")
  void backfill_whenGroupOfColumnsInterruptedThenResumed_equalsCleanRunRowForRow(
      ResumeScenario scenario) {
    OUTCOMES.add(scenario.check(dir, threads));
  }

  @ParameterizedTest
  @MethodSource("killedJvms")
  void backfill_whenJvmKilledThenResumed_equalsCleanRunRowForRow(ResumeScenario scenario) {
    OUTCOMES.add(scenario.check(dir, threads));
  }

  @AfterAll
  static void casesCoveredEveryFaultOnSplitAndUnsplitFragments() {
    try {
      ResumeCoverage.assertCovered(OUTCOMES, Fault.values());
      ResumeCoverage.assertGroupsResumed(OUTCOMES);
    } finally {
      threads.close();
      allocator.close();
    }
  }
}
