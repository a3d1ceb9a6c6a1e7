package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.aws.internal.EksTokenProvider;
import dev.geneva.testing.MutableClock;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EksAuth end to end: fake STS and EKS, fabric8's mock API server over TLS. */
@EnableKubernetesMockClient(https = true, crud = true)
class EksAuthKubernetesTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  FakeAws aws;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
    aws.clock = new MutableClock(Instant.now());
    aws.clusterServedBy(server);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("geneva").endMetadata().build())
        .createOr(r -> r.update());
    drainRecordedRequests();
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private EksAuth auth() {
    return aws.eksAuth().build();
  }

  private static List<RecordedRequest> drainRecordedRequests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
      out.add(r);
    }
    return out;
  }

  private static String sessionTokenOf(RecordedRequest request) {
    String header = request.getHeader("Authorization");
    assertThat(header).startsWith("Bearer k8s-aws-v1.");
    return EksTokenTest.query(EksTokenTest.decode(header.substring("Bearer ".length())))
        .get("X-Amz-Security-Token");
  }

  @Test
  void resolve_whenClientBuiltFromIt_requestsCarryEksBearerTokenOverClusterCa() throws Exception {
    Config config = auth().resolve();

    try (KubernetesClient eks = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(eks.namespaces().withName("geneva").get()).isNotNull();
    }

    List<RecordedRequest> requests = drainRecordedRequests();
    assertThat(requests).isNotEmpty();
    assertThat(requests)
        .allSatisfy(r -> assertThat(sessionTokenOf(r)).isEqualTo("fake-session-token-1"));
    assertThat(EksTokenTest.decode(requests.get(0).getHeader("Authorization").substring(7)))
        .contains("X-Amz-Expires=60")
        .contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id");
  }

  @Test
  void request_whenApiServerAnswers401Once_refreshesTokenOnceAndRetries() throws Exception {
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/geneva")
        .andReturn(401, "{\"kind\":\"Status\",\"code\":401,\"reason\":\"Unauthorized\"}")
        .once();
    Config config = auth().resolve();
    EksTokenProvider tokens = (EksTokenProvider) config.getOauthTokenProvider();

    try (KubernetesClient eks = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(eks.namespaces().withName("geneva").get().getMetadata().getName())
          .isEqualTo("geneva");
    }

    List<RecordedRequest> requests = drainRecordedRequests();
    assertThat(requests).hasSize(2);
    assertThat(sessionTokenOf(requests.get(0))).isEqualTo("fake-session-token-1");
    assertThat(sessionTokenOf(requests.get(1))).isEqualTo("fake-session-token-2");
    assertThat(tokens.mintedCount()).isEqualTo(2);
    assertThat(aws.count("AssumeRole")).isEqualTo(2);
  }

  @Test
  void request_whenNoFailure_reusesCachedTokenWithoutMinting() throws Exception {
    Config config = auth().resolve();
    EksTokenProvider tokens = (EksTokenProvider) config.getOauthTokenProvider();

    try (KubernetesClient eks = new KubernetesClientBuilder().withConfig(config).build()) {
      for (int i = 0; i < 3; i++) {
        eks.namespaces().list();
      }
    }

    assertThat(drainRecordedRequests()).hasSize(3);
    assertThat(tokens.mintedCount()).isEqualTo(1);
    assertThat(aws.count("AssumeRole")).isEqualTo(1);
  }
}
