package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.cli.testing.Kubeconfigs;
import dev.geneva.k8s.ClusterLease;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.nio.file.Path;
import java.time.Duration;
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
    rayCluster(name, managed, created, Map.of());
  }

  private void rayCluster(
      String name, boolean managed, Instant created, Map<String, String> annotations) {
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
            .withAnnotations(annotations.isEmpty() ? null : annotations)
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

  @Test
  void reap_whenExpired_deletesOnlyManagedClustersWhoseLeaseRanOut() throws Exception {
    Instant now = Instant.now();
    String past = ClusterLease.format(now.minusSeconds(600));
    String future = ClusterLease.format(now.plusSeconds(600));
    rayCluster("geneva-dead", true, now, Map.of(ClusterLease.EXPIRES_ANNOTATION, past));
    rayCluster("geneva-alive", true, now, Map.of(ClusterLease.EXPIRES_ANNOTATION, future));
    rayCluster(
        "geneva-kept", true, now, Map.of(ClusterLease.RETAINED_ANNOTATION, "RETAIN since " + past));
    rayCluster("geneva-old-sdk", true, now);
    rayCluster("foreign", false, now, Map.of(ClusterLease.EXPIRES_ANNOTATION, past));

    Result list = Cli.run("clusters", "list", "--kubeconfig", kubeconfig);
    assertThat(list.out())
        .containsPattern("geneva-dead .* expired \\(until " + past + "\\)")
        .containsPattern("geneva-alive .* active \\(until " + future + "\\)")
        .containsPattern("geneva-kept .* retained")
        .containsPattern("geneva-old-sdk .* none");

    Result grace =
        Cli.run("clusters", "reap", "--expired", "--grace", "15m", "--kubeconfig", kubeconfig);
    assertThat(grace.exit()).as(grace.toString()).isZero();
    assertThat(grace.out()).contains("0 RayCluster(s) whose lease ran out deleted");
    assertThat(names()).hasSize(5);

    Result r = Cli.run("clusters", "reap", "--expired", "--kubeconfig", kubeconfig);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("deleted RayCluster geneva/geneva-dead (lease ran out at " + past + ")")
        .contains(
            "1 RayCluster(s) whose lease ran out deleted from namespace geneva; kept 1 with a"
                + " running lease, 1 kept on purpose (retained), 1 without a lease");
    assertThat(names()).containsExactly("foreign", "geneva-alive", "geneva-kept", "geneva-old-sdk");

    Result again = Cli.run("clusters", "reap", "--expired", "--kubeconfig", kubeconfig, "--json");
    assertThat(again.exit()).as(again.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(again.out());
    assertThat(doc.get("deleted")).isEmpty();
    assertThat(doc.get("kept").get("active").get(0).asText()).isEqualTo("geneva-alive");
    assertThat(doc.get("kept").get("retained").get(0).asText()).isEqualTo("geneva-kept");
    assertThat(doc.get("kept").get("none").get(0).asText()).isEqualTo("geneva-old-sdk");
  }

  @Test
  void reap_whenNeitherOrBothModes_exitsTwoNamingTheOptions() {
    rayCluster("geneva-dead", true, Instant.now(), Map.of(ClusterLease.EXPIRES_ANNOTATION, "x"));
    for (String[] args :
        List.of(
            new String[] {"clusters", "reap", "--kubeconfig", kubeconfig},
            new String[] {
              "clusters", "reap", "--expired", "--older-than", "1h", "--kubeconfig", kubeconfig
            })) {
      Result r = Cli.run(args);
      assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("give exactly one of --expired").contains("--older-than");
    }
    Result r =
        Cli.run(
            "clusters", "reap", "--older-than", "1h", "--grace", "1m", "--kubeconfig", kubeconfig);
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--grace goes with --expired only");
    assertThat(names()).containsExactly("geneva-dead");
  }

  @Test
  void reap_whenApiServerRefusesConnections_failsWithinSecondsNamingTheServer() throws Exception {
    Path refused = Kubeconfigs.write(dir.resolve("refused"), "http://127.0.0.1:" + freePort());
    long t0 = System.nanoTime();
    Result r = Cli.run("clusters", "reap", "--expired", "--kubeconfig", refused.toString());
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(r.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err()).contains("Cannot reach the API server at http://127.0.0.1:");
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
