package dev.geneva.ray.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.udf.Resources;
import org.junit.jupiter.api.Test;

/** Which custom resource Ray work without GPUs asks for. */
class RaySessionResourcesTest {
  @Test
  void cpuOnlyResource_whenClusterModeCpuWorkAndPropertySet_asksForIt() {
    assertThat(RaySession.cpuOnlyResource(false, Resources.of(2, 0, 0), "cpu-only"))
        .contains("cpu-only");
  }

  @Test
  void cpuOnlyResource_whenWorkNeedsGpus_asksForNothing() {
    assertThat(RaySession.cpuOnlyResource(false, Resources.of(1, 1, 0), "cpu-only")).isEmpty();
  }

  @Test
  void cpuOnlyResource_whenLocalModeOrPropertyUnsetOrBlank_asksForNothing() {
    assertThat(RaySession.cpuOnlyResource(true, Resources.DEFAULT, "cpu-only")).isEmpty();
    assertThat(RaySession.cpuOnlyResource(false, Resources.DEFAULT, null)).isEmpty();
    assertThat(RaySession.cpuOnlyResource(false, Resources.DEFAULT, " ")).isEmpty();
  }
}
