package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeKubeRay.Behaviour;
import dev.geneva.k8s.testing.FakeKubeRay.Version;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.Rbac;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The promise of the lease, with a real {@code kill -9}: a JVM that started a RayCluster is killed
 * (SIGKILL: no shutdown hook, no close), its lease stops advancing, and once it ran out {@link
 * RayClusters#reapExpired} deletes the cluster, while it had kept it before.
 */
class ClusterLeaseKillTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";

  /**
   * The child JVM: starts a RayCluster (3-second lease) against the mock API server and waits to be
   * killed.
   *
   * @param args the API server's URL, then its bearer token
   */
  public static void main(String[] args) throws Exception {
    Config config =
        new ConfigBuilder(Config.empty()).withMasterUrl(args[0]).withOauthToken(args[1]).build();
    RayCluster cluster =
        RayCluster.builder()
            .name("killed")
            .namespace(NS)
            .auth(KubeAuth.of(config))
            .leaseDuration(Duration.ofSeconds(3))
            .waitTimeout(Duration.ofSeconds(60))
            .portForwarding(false)
            .readinessChecks(
                List.of(ReadinessCheck.clusterProvisioned(), ReadinessCheck.headPodReady()))
            .headGroup(HeadGroupSpec.builder().serviceAccount(SA).build())
            .workerGroup(
                WorkerGroupSpec.builder().name("worker").replicas(1).serviceAccount(SA).build())
            .start();
    System.out.println("STARTED " + cluster.sessionId());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  private static Instant lease(MockRayEnvironment env) {
    RayClusterResource rc =
        env.client().resources(RayClusterResource.class).inNamespace(NS).withName("killed").get();
    return ClusterLease.of(rc.getMetadata().getAnnotations()).expires().orElseThrow();
  }

  private static void awaitTrue(String what, Duration max, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + max + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void reapExpired_whenHandleJvmKilled_expectClusterDeletedOnceLeaseRanOut() throws Exception {
    try (MockRayEnvironment env =
        MockRayEnvironment.builder().namespace(NS).serviceAccount(SA).build()) {
      Rbac.allowAllExcept(env.server());
      env.startOperator(Version.V1_3, Behaviour.HEALTHY);
      Config mine = env.client().getConfiguration();
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  ClusterLeaseKillTest.class.getName(),
                  mine.getMasterUrl(),
                  mine.getOauthToken())
              .redirectErrorStream(true)
              .start();
      CompletableFuture<String> started = new CompletableFuture<>();
      StringBuilder output = new StringBuilder();
      Thread drain =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    synchronized (output) {
                      output.append(line).append('\n');
                    }
                    if (line.startsWith("STARTED ")) {
                      started.complete(line.substring(8));
                    }
                  }
                } catch (java.io.IOException e) {
                  // the child was killed
                }
                started.completeExceptionally(new IllegalStateException("child ended"));
              },
              "lease-child-output");
      drain.setDaemon(true);
      drain.start();
      try {
        String session;
        try {
          session = started.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
          synchronized (output) {
            throw new AssertionError("the child did not start its cluster:\n" + output, e);
          }
        }
        Instant first = lease(env);
        awaitTrue(
            "the child renews its lease", Duration.ofSeconds(30), () -> lease(env).isAfter(first));
        assertThat(RayClusters.reapExpired(env.kubeAuth(), NS, Duration.ZERO)).isEmpty();

        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Instant last = lease(env);
        assertThat(env.rayClusters())
            .singleElement()
            .satisfies(
                rc ->
                    assertThat(rc.getMetadata().getLabels())
                        .containsEntry(RayCluster.SESSION_LABEL, session));

        awaitTrue(
            "the lease runs out",
            Duration.ofSeconds(30),
            () -> Instant.now().isAfter(last.plusSeconds(1)));
        assertThat(lease(env)).as("nobody renewed it after the kill").isEqualTo(last);
        assertThat(RayClusters.reapExpired(env.kubeAuth(), NS, Duration.ZERO))
            .containsExactly("killed");
        assertThat(env.rayClusters()).isEmpty();
      } finally {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
