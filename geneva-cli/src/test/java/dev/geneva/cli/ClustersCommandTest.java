package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.cli.testing.Kubeconfigs;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClustersCommandTest {
  @TempDir Path dir;
  private MockKubernetes mock;
  private String kubeconfig;

  @BeforeEach
  void setUp() {
    mock = new MockKubernetes();
    kubeconfig = Kubeconfigs.write(dir, mock).toString();
    mock.client()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(KubeRayCrds.crd("1.3.2"))
        .create();
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  private void rayCluster(String name, boolean managed, Instant created) {
    Map<String, String> labels = new HashMap<>();
    if (managed) {
      labels.put("app.kubernetes.io/managed-by", "geneva");
      labels.put("geneva.dev/owner", "alice");
    }
    GenericKubernetesResource rc =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("ray.io/v1")
            .withKind("RayCluster")
            .withNewMetadata()
            .withName(name)
            .withNamespace("geneva")
            .withLabels(labels)
            .withCreationTimestamp(created.toString())
            .endMetadata()
            .withAdditionalProperties(Map.of("spec", Map.of("rayVersion", "2.39.0")))
            .build();
    mock.client()
        .genericKubernetesResources("ray.io/v1", "RayCluster")
        .inNamespace("geneva")
        .resource(rc)
        .create();
  }

  private List<String> names() {
    return mock
        .client()
        .genericKubernetesResources("ray.io/v1", "RayCluster")
        .inNamespace("geneva")
        .list()
        .getItems()
        .stream()
        .map(r -> r.getMetadata().getName())
        .sorted()
        .toList();
  }

  @Test
  void list_whenManagedAndForeignClusters_listsOnlyManaged() throws Exception {
    rayCluster("geneva-alice-1", true, Instant.now());
    rayCluster("someone-elses", false, Instant.now());

    Result r = Cli.run("clusters", "list", "--kubeconfig", kubeconfig);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("geneva-alice-1")
        .contains("alice")
        .doesNotContain("someone-elses");

    Result json = Cli.run("clusters", "list", "--kubeconfig", kubeconfig, "--json");
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc).hasSize(1);
    assertThat(doc.get(0).get("name").asText()).isEqualTo("geneva-alice-1");
    assertThat(doc.get(0).get("owner").asText()).isEqualTo("alice");
  }

  @Test
  void delete_whenManaged_deletesIt() {
    rayCluster("geneva-alice-1", true, Instant.now());

    Result r = Cli.run("clusters", "delete", "geneva-alice-1", "--kubeconfig", kubeconfig);

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("deleted RayCluster geneva/geneva-alice-1");
    assertThat(names()).isEmpty();
  }

  @Test
  void delete_whenNotManaged_refusesWithoutForce() {
    rayCluster("someone-elses", false, Instant.now());

    Result r = Cli.run("clusters", "delete", "someone-elses", "--kubeconfig", kubeconfig);
    assertThat(r.exit()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.err()).contains("--force");
    assertThat(names()).containsExactly("someone-elses");

    Result forced =
        Cli.run("clusters", "delete", "someone-elses", "--force", "--kubeconfig", kubeconfig);
    assertThat(forced.exit()).as(forced.toString()).isZero();
    assertThat(names()).isEmpty();
  }

  @Test
  void delete_whenAbsent_exitsOne() {
    Result r = Cli.run("clusters", "delete", "nope", "--kubeconfig", kubeconfig, "--json");
    assertThat(r.exit()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out()).contains("\"deleted\" : false");
    assertThat(r.err()).contains("no RayCluster nope in namespace geneva");
  }

  @Test
  void reap_whenOlderThan_deletesOnlyOldManagedClusters() throws Exception {
    // The mock server stamps creationTimestamp itself (second resolution), so age them for real.
    rayCluster("geneva-old", true, Instant.now());
    rayCluster("foreign-old", false, Instant.now());
    Thread.sleep(3_100);
    rayCluster("geneva-new", true, Instant.now());

    Result r =
        Cli.run("clusters", "reap", "--older-than", "2s", "--kubeconfig", kubeconfig, "--json");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode deleted = new ObjectMapper().readTree(r.out()).get("deleted");
    assertThat(deleted).as(r.toString()).hasSize(1);
    assertThat(deleted.get(0).asText()).isEqualTo("geneva-old");
    assertThat(names()).containsExactly("foreign-old", "geneva-new");
  }
}
