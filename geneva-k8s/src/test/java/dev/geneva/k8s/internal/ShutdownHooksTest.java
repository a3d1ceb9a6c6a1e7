package dev.geneva.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeDashboard;
import dev.geneva.k8s.testing.FakeKubeRay;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.k8s.testing.ProxyForwarder;
import dev.geneva.k8s.testing.Rbac;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The JVM shutdown hook closes a started cluster that its owner never closed. */
class ShutdownHooksTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";

  @Test
  void closeAll_whenHandleAbandoned_forwardsStopAndClusterIsDeleted() throws Exception {
    MockKubernetes mock = new MockKubernetes();
    FakeDashboard dashboard = new FakeDashboard("2.39.0");
    FakeKubeRay operator = null;
    try {
      KubernetesClient client = mock.client();
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(KubeRayCrds.crd("1.3.2"))
          .create();
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
          .create();
      client
          .serviceAccounts()
          .inNamespace(NS)
          .resource(
              new ServiceAccountBuilder().withNewMetadata().withName(SA).endMetadata().build())
          .create();
      Rbac.allowAllExcept(mock.server());
      operator =
          new FakeKubeRay(client, NS, FakeKubeRay.Version.V1_3, FakeKubeRay.Behaviour.HEALTHY)
              .start();
      ProxyForwarder forwarder = new ProxyForwarder(port -> dashboard.address());
      int openBefore = ShutdownHooks.openCount();

      RayCluster abandoned =
          RayCluster.builder()
              .name("abandoned")
              .namespace(NS)
              .auth(KubeAuth.of(client.getConfiguration()))
              .waitTimeout(Duration.ofSeconds(30))
              .portForwarder(forwarder)
              .headGroup(HeadGroupSpec.builder().serviceAccount(SA).build())
              .workerGroup(WorkerGroupSpec.builder().name("worker").serviceAccount(SA).build())
              .start();
      assertThat(abandoned.isRunning()).isTrue();
      assertThat(ShutdownHooks.openCount()).isEqualTo(openBefore + 1);

      ShutdownHooks.closeAll(); // what the JVM's shutdown hook runs

      assertThat(ShutdownHooks.openCount()).isEqualTo(openBefore);
      assertThat(abandoned.isRunning()).isFalse();
      assertThat(client.resources(RayClusterResource.class).inNamespace(NS).list().getItems())
          .isEmpty();
      assertThat(forwarder.stillOpen()).isZero();
    } finally {
      if (operator != null) {
        operator.close();
      }
      dashboard.close();
      mock.close();
    }
  }
}
