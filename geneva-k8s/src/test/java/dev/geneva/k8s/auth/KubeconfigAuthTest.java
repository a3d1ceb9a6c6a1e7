package dev.geneva.k8s.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(https = true, crud = true)
class KubeconfigAuthTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @TempDir Path dir;
  Path kubeconfig;

  @BeforeEach
  void writeKubeconfig() throws Exception {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("geneva").endMetadata().build())
        .createOr(r -> r.update());
    kubeconfig = dir.resolve("config");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: mock",
            "  cluster:",
            "    server: https://" + server.getHostName() + ":" + server.getPort(),
            "    certificate-authority: " + server.getSelfSignedCertificate().certificatePath(),
            "- name: other",
            "  cluster:",
            "    server: https://other.invalid:6443",
            "contexts:",
            "- name: alpha",
            "  context: {cluster: mock, user: alpha-user, namespace: team-a}",
            "- name: beta",
            "  context: {cluster: other, user: beta-user, namespace: team-b}",
            "- name: broken",
            "  context: {cluster: nowhere, user: beta-user}",
            "current-context: beta",
            "users:",
            "- name: alpha-user",
            "  user: {token: alpha-secret-token}",
            "- name: beta-user",
            "  user: {token: beta-secret-token}",
            ""));
  }

  @Test
  void resolve_whenNamedContextPointsAtServer_clientListsNamespacesWithItsToken() throws Exception {
    Config config = KubeAuth.kubeconfig(kubeconfig, "alpha").resolve();

    assertThat(config.getNamespace()).isEqualTo("team-a");
    try (KubernetesClient resolved = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(resolved.namespaces().list().getItems())
          .extracting(ns -> ns.getMetadata().getName())
          .contains("geneva");
    }
    RecordedRequest last = server.getLastRequest();
    assertThat(last.getPath()).isEqualTo("/api/v1/namespaces");
    assertThat(last.getHeader("Authorization")).isEqualTo("Bearer alpha-secret-token");
  }

  @Test
  void resolve_whenNoContextGiven_usesCurrentContext() {
    Config config = KubeAuth.kubeconfig(kubeconfig, null).resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://other.invalid:6443/");
    assertThat(config.getNamespace()).isEqualTo("team-b");
    assertThat(config.getCurrentContext().getName()).isEqualTo("beta");
  }

  @Test
  void resolve_whenContextMissing_namesFileAndListsAvailableContexts() {
    assertThatThrownBy(() -> KubeAuth.kubeconfig(kubeconfig, "gamma").resolve())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'gamma' not found in " + kubeconfig.toAbsolutePath())
        .hasMessageContaining("available contexts: [alpha, beta, broken]")
        .hasMessageNotContaining("secret-token");
  }

  @Test
  void resolve_whenContextNamesUndefinedCluster_namesClusterAndDefinedOnes() {
    assertThatThrownBy(() -> KubeAuth.kubeconfig(kubeconfig, "broken").resolve())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cluster 'nowhere'")
        .hasMessageContaining("defined clusters: [mock, other]");
  }

  @Test
  void resolve_whenFileMissing_namesFile() {
    Path missing = dir.resolve("nope");

    assertThatThrownBy(() -> KubeAuth.kubeconfig(missing, null).resolve())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(missing.toAbsolutePath().toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void resolve_whenFileIsNotYaml_namesFileWithoutQuotingIt() throws Exception {
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "users: [ {token: leaked-secret-token\n  : : :");

    assertThatThrownBy(() -> KubeAuth.kubeconfig(bad, null).resolve())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(bad.toAbsolutePath().toString())
        .hasMessageNotContaining("leaked-secret-token");
  }

  @Test
  void resolve_whenDefaultKubeconfigFromProperty_readsThatFile() {
    String old = System.getProperty("kubeconfig");
    System.setProperty("kubeconfig", kubeconfig.toString());
    try {
      Config config = KubeAuth.kubeconfig().resolve();

      assertThat(config.getCurrentContext().getName()).isEqualTo("beta");
    } finally {
      if (old == null) {
        System.clearProperty("kubeconfig");
      } else {
        System.setProperty("kubeconfig", old);
      }
    }
  }

  @Test
  void resolve_whenNoDefaultKubeconfigExists_listsPathsLookedAt() {
    String old = System.getProperty("kubeconfig");
    System.setProperty("kubeconfig", dir.resolve("absent").toString());
    try {
      assertThatThrownBy(() -> KubeAuth.kubeconfig().resolve())
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("no kubeconfig found")
          .hasMessageContaining(dir.resolve("absent").toString())
          .hasMessageContaining("KubeAuth.inCluster()");
    } finally {
      if (old == null) {
        System.clearProperty("kubeconfig");
      } else {
        System.setProperty("kubeconfig", old);
      }
    }
  }

  @Test
  void toString_whenKubeconfigAuth_namesFileAndContextButNoToken() {
    KubeAuth auth = KubeAuth.kubeconfig(kubeconfig, "alpha");
    auth.resolve();

    assertThat(auth.toString())
        .contains(kubeconfig.toString())
        .contains("alpha")
        .doesNotContain("secret-token");
  }

  @Test
  void toString_whenFixedConfigWithToken_showsOnlyMasterUrl() {
    Config config = Config.empty();
    config.setMasterUrl("https://api.example:6443/");
    config.setOauthToken("fixed-secret-token");

    assertThat(KubeAuth.of(config).toString())
        .contains("https://api.example:6443/")
        .doesNotContain("fixed-secret-token");
  }

  @Test
  void kubeconfig_whenContextBlank_rejectsAtOnce() {
    assertThatThrownBy(() -> KubeAuth.kubeconfig(kubeconfig, " "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("context is blank");
  }
}
