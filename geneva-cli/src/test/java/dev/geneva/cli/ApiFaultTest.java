package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.cli.testing.Kubeconfigs;
import dev.geneva.k8s.testing.FaultProxy;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI commands that call the API server themselves ({@code clusters delete}, {@code manifests
 * --apply}, {@code doctor}, {@code clusters reap}) fail within seconds when it refuses connections
 * (fabric8's own retries took about 19 s per call), and retry transient answers (5xx, 429 after its
 * {@code Retry-After}) through a {@link FaultProxy} in front of the mock API server. The time
 * bounds are generous: they tell seconds from the minute fabric8's retries took.
 */
class ApiFaultTest {
  private static final Duration FAST = Duration.ofSeconds(10);
  private static final String CLUSTER = "/apis/ray.io/v1/namespaces/geneva/rayclusters/doomed";

  @TempDir Path dir;

  private static String refusedKubeconfig(Path dir) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return Kubeconfigs.write(dir.resolve("refused"), "http://127.0.0.1:" + port).toString();
  }

  private String refusedKubeconfig() throws IOException {
    return refusedKubeconfig(dir);
  }

  /**
   * One untimed refused call first, so the timed ones measure the calls and not the loading of
   * fabric8's and the CLI's classes (seconds on a busy 2-core machine).
   */
  @BeforeAll
  static void warmUp(@TempDir Path warm) throws IOException {
    Result r = Cli.run("clusters", "list", "--kubeconfig", refusedKubeconfig(warm));
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err()).contains("Cannot reach the API server at http://127.0.0.1:");
  }

  private static Timed timed(String... args) {
    long t0 = System.nanoTime();
    Result r = Cli.run(args);
    return new Timed(r, Duration.ofNanos(System.nanoTime() - t0));
  }

  private record Timed(Result result, Duration took) {}

  @Test
  void clustersDelete_whenApiServerRefuses_failsWithinSecondsNamingIt() throws Exception {
    Timed t = timed("clusters", "delete", "x", "--kubeconfig", refusedKubeconfig());

    assertThat(t.took()).isLessThan(FAST);
    assertThat(t.result().exit()).as(t.result().toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(t.result().err())
        .contains("Cannot reach the API server at http://127.0.0.1:")
        .contains("connection refused");
  }

  @Test
  void manifestsApply_whenApiServerRefuses_failsWithinSecondsNamingIt() throws Exception {
    Timed t = timed("manifests", "--apply", "--kubeconfig", refusedKubeconfig());

    assertThat(t.took()).isLessThan(FAST);
    assertThat(t.result().exit()).as(t.result().toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(t.result().err()).contains("Cannot reach the API server at http://127.0.0.1:");
  }

  @Test
  void doctor_whenApiServerRefuses_reportsItWithinSecondsAndExitsOne() throws Exception {
    Timed t = timed("doctor", "--kubeconfig", refusedKubeconfig());

    assertThat(t.took()).isLessThan(FAST);
    assertThat(t.result().exit()).as(t.result().toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(t.result().out())
        .contains("API server")
        .contains("Cannot reach the API server at http://127.0.0.1:");
  }

  @Test
  void clustersDelete_whenApiServerAnswers503And429_retriesAndDeletes() {
    try (MockKubernetes mock = new MockKubernetes()) {
      mock.client()
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(KubeRayCrds.crd("1.3.2"))
          .create();
      mock.client()
          .genericKubernetesResources("ray.io/v1", "RayCluster")
          .inNamespace("geneva")
          .resource(
              new GenericKubernetesResourceBuilder()
                  .withApiVersion("ray.io/v1")
                  .withKind("RayCluster")
                  .withNewMetadata()
                  .withName("doomed")
                  .withNamespace("geneva")
                  .withLabels(Map.of("app.kubernetes.io/managed-by", "geneva"))
                  .endMetadata()
                  .build())
          .create();
      try (FaultProxy proxy =
          new FaultProxy(
              new InetSocketAddress(mock.server().getHostName(), mock.server().getPort()))) {
        proxy.answer("GET", CLUSTER, 1, 503, Map.of());
        proxy.answer("DELETE", CLUSTER, 1, 429, Map.of("Retry-After", "1"));
        String kubeconfig = Kubeconfigs.write(dir.resolve("proxy"), proxy.url()).toString();

        Result r = Cli.run("clusters", "delete", "doomed", "--kubeconfig", kubeconfig);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("deleted RayCluster geneva/doomed");
        assertThat(proxy.requests("GET", CLUSTER)).hasSize(2);
        var deletes = proxy.requests("DELETE", CLUSTER);
        assertThat(deletes).hasSize(2);
        assertThat(Duration.ofNanos(deletes.get(1).atNanos() - deletes.get(0).atNanos()))
            .as("waited for Retry-After: 1")
            .isGreaterThanOrEqualTo(Duration.ofMillis(900));
      }
      assertThat(
              mock.client()
                  .genericKubernetesResources("ray.io/v1", "RayCluster")
                  .inNamespace("geneva")
                  .list()
                  .getItems())
          .isEmpty();
    }
  }

  @Test
  void manifestsApply_whenApiServerAnswers500Once_retriesAndApplies() {
    try (MockKubernetes mock = new MockKubernetes();
        FaultProxy proxy =
            new FaultProxy(
                new InetSocketAddress(mock.server().getHostName(), mock.server().getPort()))) {
      proxy.answer("POST", "/api/v1/namespaces/geneva/serviceaccounts", 1, 500, Map.of());
      String kubeconfig = Kubeconfigs.write(dir.resolve("proxy"), proxy.url()).toString();

      Result r = Cli.run("manifests", "--apply", "--kubeconfig", kubeconfig);

      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("ServiceAccount geneva/geneva-ray-runner");
      assertThat(proxy.requests("POST", "/api/v1/namespaces/geneva/serviceaccounts")).hasSize(2);
      assertThat(
              mock.client()
                  .serviceAccounts()
                  .inNamespace("geneva")
                  .withName("geneva-ray-runner")
                  .get())
          .isNotNull();
    }
  }
}
