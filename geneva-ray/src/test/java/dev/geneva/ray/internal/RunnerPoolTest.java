package dev.geneva.ray.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.spi.TaskRunner;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which runners the pool of stateless Ray tasks keeps, reuses and closes. */
class RunnerPoolTest {
  private final List<RunnerPool.Runner> created = new ArrayList<>();
  private final RunnerPool pool = new RunnerPool(2, this::newRunner);

  private RunnerPool.Runner newRunner(String session) {
    RootAllocator allocator = new RootAllocator();
    RunnerPool.Runner r =
        new RunnerPool.Runner(session, allocator, new TaskRunner(allocator, session));
    created.add(r);
    return r;
  }

  private static boolean isOpen(RunnerPool.Runner r) {
    try {
      r.runner().runAll(List.of(), n -> {});
      return true;
    } catch (IllegalStateException closed) {
      return false;
    }
  }

  @AfterEach
  void closeWhatTheTestLeft() {
    for (String session : List.of("a", "b", "c")) {
      pool.closeSession(session);
    }
    created.forEach(RunnerPool.Runner::close);
  }

  @Test
  void take_whenSessionHasAnIdleRunner_returnsItInsteadOfBuildingOne() {
    RunnerPool.Runner first = pool.take("a");
    pool.give(first);

    assertThat(pool.take("a")).isSameAs(first);
    assertThat(created).hasSize(1);
    assertThat(isOpen(first)).isTrue();
  }

  @Test
  void take_whenOnlyAnotherSessionsRunnerIsIdle_buildsANewOne() {
    RunnerPool.Runner a = pool.take("a");
    pool.give(a);

    RunnerPool.Runner b = pool.take("b");

    assertThat(b).isNotSameAs(a);
    assertThat(b.session()).isEqualTo("b");
    assertThat(pool.idleRunners()).isEqualTo(1);
  }

  @Test
  void take_whenRunnerIsInUse_buildsASecondOneForTheConcurrentTask() {
    RunnerPool.Runner first = pool.take("a");
    RunnerPool.Runner second = pool.take("a");

    assertThat(second).isNotSameAs(first);
    pool.give(first);
    pool.give(second);
    assertThat(pool.idleRunners()).isEqualTo(2);
  }

  @Test
  void give_whenMoreIdleThanTheBound_closesTheLeastRecentlyUsed() {
    RunnerPool.Runner a = pool.take("a");
    RunnerPool.Runner b = pool.take("b");
    RunnerPool.Runner c = pool.take("c");
    pool.give(a);
    pool.give(b);
    pool.give(c);

    assertThat(pool.idleRunners()).isEqualTo(2);
    assertThat(isOpen(a)).isFalse();
    assertThat(isOpen(b)).isTrue();
    assertThat(isOpen(c)).isTrue();
  }

  @Test
  void closeSession_whenRunnersIdle_closesThemAndKeepsOtherSessions() {
    RunnerPool.Runner a = pool.take("a");
    RunnerPool.Runner b = pool.take("b");
    pool.give(a);
    pool.give(b);

    pool.closeSession("a");

    assertThat(isOpen(a)).isFalse();
    assertThat(isOpen(b)).isTrue();
    assertThat(pool.idleRunners()).isEqualTo(1);
  }

  @Test
  void closeSession_whenRunnerStillInUse_closesItWhenGivenBack() {
    RunnerPool.Runner late = pool.take("a");

    pool.closeSession("a");
    assertThat(isOpen(late)).isTrue();
    pool.give(late);

    assertThat(isOpen(late)).isFalse();
    assertThat(pool.idleRunners()).isZero();
  }

  @Test
  void discard_whenTaskFailed_closesTheRunnerInsteadOfKeepingIt() {
    RunnerPool.Runner failed = pool.take("a");

    pool.discard(failed);

    assertThat(isOpen(failed)).isFalse();
    assertThat(pool.take("a")).isNotSameAs(failed);
  }
}
