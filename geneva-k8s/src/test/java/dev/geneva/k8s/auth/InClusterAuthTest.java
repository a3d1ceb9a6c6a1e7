package dev.geneva.k8s.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.GenevaException;
import dev.geneva.k8s.auth.internal.InClusterAuth;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(https = true, crud = true)
class InClusterAuthTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @TempDir Path saDir;
  Map<String, String> podEnv;

  @BeforeEach
  void fakePod() throws Exception {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("geneva").endMetadata().build())
        .createOr(r -> r.update());
    Files.writeString(saDir.resolve("token"), "in-cluster-secret-1\n");
    Files.copy(
        Path.of(server.getSelfSignedCertificate().certificatePath()), saDir.resolve("ca.crt"));
    Files.writeString(saDir.resolve("namespace"), "geneva");
    podEnv =
        Map.of(
            "KUBERNETES_SERVICE_HOST",
            server.getHostName(),
            "KUBERNETES_SERVICE_PORT",
            String.valueOf(server.getPort()));
  }

  @Test
  void resolve_whenInFakePod_sendsServiceAccountTokenAndUsesItsNamespace() throws Exception {
    Config config = new InClusterAuth(saDir, podEnv::get).resolve();

    assertThat(config.getNamespace()).isEqualTo("geneva");
    try (KubernetesClient resolved = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(resolved.namespaces().withName("geneva").get()).isNotNull();
    }
    assertThat(server.getLastRequest().getHeader("Authorization"))
        .isEqualTo("Bearer in-cluster-secret-1");
  }

  @Test
  void resolve_whenTokenFileRotated_nextRequestSendsNewToken() throws Exception {
    Config config = new InClusterAuth(saDir, podEnv::get).resolve();
    try (KubernetesClient resolved = new KubernetesClientBuilder().withConfig(config).build()) {
      resolved.namespaces().list();
      Files.writeString(saDir.resolve("token"), "in-cluster-secret-2");

      resolved.namespaces().list();
    }
    assertThat(server.getLastRequest().getHeader("Authorization"))
        .isEqualTo("Bearer in-cluster-secret-2");
  }

  @Test
  void resolve_whenServiceEnvUnset_saysNotInPod() {
    InClusterAuth auth = new InClusterAuth(saDir, name -> null);

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("not running in a Kubernetes pod")
        .hasMessageContaining("KUBERNETES_SERVICE_HOST")
        .hasMessageContaining("KubeAuth.kubeconfig()");
  }

  @Test
  void resolve_whenTokenNotMounted_namesTokenPath() throws Exception {
    Files.delete(saDir.resolve("token"));
    InClusterAuth auth = new InClusterAuth(saDir, podEnv::get);

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining(saDir.resolve("token").toString())
        .hasMessageContaining("automountServiceAccountToken");
  }

  @Test
  void toString_whenResolved_namesDirectoryButNoToken() {
    InClusterAuth auth = new InClusterAuth(saDir, podEnv::get);
    Config config = auth.resolve();

    assertThat(auth.toString()).contains(saDir.toString()).doesNotContain("in-cluster-secret");
    assertThat(config.getOauthTokenProvider().toString()).doesNotContain("in-cluster-secret");
  }

  @Test
  void inCluster_whenCalled_usesStandardServiceAccountDirectory() {
    assertThat(KubeAuth.inCluster().toString())
        .contains("/var/run/secrets/kubernetes.io/serviceaccount");
  }
}
