package dev.geneva.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.testing.FakeKubeRay;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.spi.BackfillTargets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The JVM shutdown hook closes a started cluster that its owner never closed. */
class ShutdownHooksTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";

  @Test
  void closeAll_whenHandleAbandoned_forwardsStopAndClusterIsDeleted() throws Exception {
    try (MockRayEnvironment env =
        MockRayEnvironment.builder().namespace(NS).serviceAccount(SA).build()) {
      Rbac.allowAllExcept(env.server());
      env.startOperator(FakeKubeRay.Version.V1_3, FakeKubeRay.Behaviour.HEALTHY);
      ProxyForwarder forwarder = env.forwarder();
      int openBefore = ShutdownHooks.openCount();

      RayCluster abandoned =
          RayCluster.builder()
              .name("abandoned")
              .namespace(NS)
              .auth(env.kubeAuth())
              .waitTimeout(Duration.ofSeconds(30))
              .portForwarder(forwarder)
              .headGroup(HeadGroupSpec.builder().serviceAccount(SA).build())
              .workerGroup(WorkerGroupSpec.builder().name("worker").serviceAccount(SA).build())
              .start();
      assertThat(abandoned.isRunning()).isTrue();
      assertThat(ShutdownHooks.openCount()).isEqualTo(openBefore + 1);
      assertThat(BackfillTargets.current()).contains(abandoned.backfillTarget());

      ShutdownHooks.closeAll(); // what the JVM's shutdown hook runs

      assertThat(ShutdownHooks.openCount()).isEqualTo(openBefore);
      assertThat(BackfillTargets.current()).as("no longer the ambient target").isEmpty();
      assertThat(abandoned.isRunning()).isFalse();
      assertThat(env.rayClusters()).isEmpty();
      assertThat(forwarder.stillOpen()).isZero();
    }
  }
}
