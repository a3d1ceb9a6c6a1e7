package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.testing.PortForwardFrames;
import dev.geneva.testing.MutableClock;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The port-forward that reaches the Ray dashboard, opened the way {@code RayCluster} opens it, over
 * a client built from {@link EksAuth}: its websocket upgrade carries the EKS token too. (The
 * expectation-only mock server, since the CRUD one does not upgrade scripted websockets.)
 */
@EnableKubernetesMockClient(https = true)
class EksAuthPortForwardTest {
  static KubernetesMockServer server;

  FakeAws aws;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
    aws.clock = new MutableClock(Instant.now());
    aws.clusterServedBy(server);
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  @Test
  void open_whenClientBuiltFromEksAuth_websocketUpgradeCarriesEksToken() throws Exception {
    String path = PortForwardFrames.expectOnce(server, "geneva", "head-0", 8265, "ok");
    Config config = aws.eksAuth().build().resolve();

    try (KubernetesClient eks = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(PortForwardFrames.readThrough(eks, "geneva", "head-0", 8265, 2)).isEqualTo("ok");
    }

    RecordedRequest upgrade = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(upgrade.getPath()).isEqualTo(path);
    String header = upgrade.getHeader("Authorization");
    assertThat(header).startsWith("Bearer k8s-aws-v1.");
    assertThat(
            EksTokenTest.query(EksTokenTest.decode(header.substring("Bearer ".length())))
                .get("X-Amz-Security-Token"))
        .isEqualTo("fake-session-token-1");
  }
}
