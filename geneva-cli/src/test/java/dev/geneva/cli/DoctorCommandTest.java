package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.cli.testing.Kubeconfigs;
import dev.geneva.k8s.testing.KubeRayCrds;
import dev.geneva.k8s.testing.MockKubernetes;
import dev.geneva.k8s.testing.Rbac;
import dev.geneva.testing.InProcessS3;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private MockKubernetes mock;
  private Path kubeconfig;

  @BeforeEach
  void setUp() {
    mock = new MockKubernetes();
    kubeconfig = Kubeconfigs.write(dir, mock);
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  /** Everything a working setup has, except what {@code without} names. */
  private void setUpCluster(boolean serviceAccount) {
    NamespacedKubernetesClient c = mock.client();
    c.namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("geneva").endMetadata().build())
        .create();
    if (serviceAccount) {
      c.serviceAccounts()
          .inNamespace("geneva")
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName("geneva-ray-runner")
                  .withAnnotations(
                      Map.of(
                          "eks.amazonaws.com/role-arn",
                          "arn:aws:iam::123456789012:role/geneva-ray-runner"))
                  .endMetadata()
                  .build())
          .create();
    }
    c.apiextensions().v1().customResourceDefinitions().resource(KubeRayCrds.crd("1.3.2")).create();
    c.apps()
        .deployments()
        .inNamespace("kuberay")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("kuberay-operator")
                .withNamespace("kuberay")
                .withLabels(Map.of("app.kubernetes.io/name", "kuberay-operator"))
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("kuberay-operator")
                .withImage("quay.io/kuberay/operator:v1.3.2")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    node(c, "head-0", Map.of(DoctorCommand.HEAD_LABEL, "true"), false);
    node(c, "cpu-0", Map.of(DoctorCommand.CPU_LABEL, "true"), false);
    node(c, "gpu-0", Map.of(DoctorCommand.GPU_LABEL, "true"), true);
  }

  private static void node(
      NamespacedKubernetesClient c, String name, Map<String, String> labels, boolean gpu) {
    c.nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewStatus()
                .withAllocatable(
                    gpu
                        ? Map.of("cpu", new Quantity("8"), "nvidia.com/gpu", new Quantity("1"))
                        : Map.of("cpu", new Quantity("8")))
                .endStatus()
                .build())
        .create();
  }

  private Result doctor(String... extra) {
    List<String> args = new ArrayList<>(List.of("doctor", "--kubeconfig", kubeconfig.toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void doctor_whenEverythingInPlace_reportsAllOkAndExitsZero() throws Exception {
    setUpCluster(true);
    Rbac.allowAllExcept(mock.server());

    Result r = doctor();

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("OK        auth: kubeconfig " + kubeconfig)
        .contains("OK        namespace geneva")
        .contains("OK        service account geneva-ray-runner")
        .contains(
            "OK        service account geneva-ray-runner cloud identity: eks.amazonaws.com/role-arn=")
        .contains("OK        can-i create rayclusters.ray.io in namespace geneva")
        .contains("OK        can-i create pods/portforward in namespace geneva")
        .contains("OK        CRD rayclusters.ray.io: installed, serves v1")
        .contains("OK        KubeRay operator: version v1.3.2 (kuberay/kuberay-operator)")
        .contains("OK        node label geneva.lancedb.com/ray-head: 1 node(s): head-0")
        .contains("OK        node label geneva.lancedb.com/ray-worker-cpu: 1 node(s): cpu-0")
        .contains("OK        node label geneva.lancedb.com/ray-worker-gpu: 1 node(s): gpu-0")
        .contains("OK        GPU device plugin: nvidia.com/gpu allocatable on gpu-0")
        .contains("OK: ")
        .doesNotContain("WARN", "MISSING", "FORBIDDEN", "ERROR");
  }

  @Test
  void doctor_whenServiceAccountMissing_exitsOneNamingItWithFix() throws Exception {
    setUpCluster(false);
    Rbac.allowAllExcept(mock.server());

    Result r = doctor();
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out())
        .contains("MISSING   service account geneva-ray-runner")
        .contains("fix: create it: kubectl create serviceaccount geneva-ray-runner -n geneva")
        .contains("FAILED: ");

    Result json = doctor("--json");
    assertThat(json.exit()).isEqualTo(ExitCodes.CHECK_FAILED);
    JsonNode doc = JSON.readTree(json.out());
    assertThat(doc.get("ok").asBoolean()).isFalse();
    assertThat(doc.get("namespace").asText()).isEqualTo("geneva");
    List<String> failing = new ArrayList<>();
    doc.get("items")
        .forEach(
            i -> {
              if (!i.get("status").asText().equals("OK")) {
                failing.add(i.get("status").asText() + " " + i.get("check").asText());
              }
            });
    assertThat(failing).containsExactly("MISSING service account geneva-ray-runner");
  }

  @Test
  void doctor_whenVerbForbidden_exitsOneNamingTheVerb() throws Exception {
    setUpCluster(true);
    Rbac.allowAllExcept(mock.server(), "create rayclusters", "create pods/portforward");

    Result r = doctor("--json");

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    JsonNode doc = JSON.readTree(r.out());
    List<String> forbidden = new ArrayList<>();
    doc.get("items")
        .forEach(
            i -> {
              if (i.get("status").asText().equals("FORBIDDEN")) {
                forbidden.add(i.get("check").asText());
                assertThat(i.get("fix").asText()).contains("grant 'create'");
              }
            });
    assertThat(forbidden)
        .containsExactly(
            "can-i create rayclusters.ray.io in namespace geneva",
            "can-i create pods/portforward in namespace geneva");
  }

  @Test
  void doctor_whenNoPortForwarding_skipsThatVerb() {
    setUpCluster(true);
    Rbac.allowAllExcept(mock.server(), "create pods/portforward");

    Result r = doctor("--no-port-forwarding");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).doesNotContain("portforward");
  }

  @Test
  void doctor_whenNodesUnlabelledAndNoOperator_reportsMissingAndWarnings() {
    NamespacedKubernetesClient c = mock.client();
    c.namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("geneva").endMetadata().build())
        .create();
    c.serviceAccounts()
        .inNamespace("geneva")
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("geneva-ray-runner")
                .endMetadata()
                .build())
        .create();
    c.apiextensions().v1().customResourceDefinitions().resource(KubeRayCrds.crd("1.1.1")).create();
    node(c, "plain-0", Map.of(), false);
    Rbac.allowAllExcept(mock.server());

    Result r = doctor("--bucket", "s3://my-bucket/db");

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out())
        .contains("WARN      service account geneva-ray-runner cloud identity")
        .contains("kubectl annotate serviceaccount geneva-ray-runner -n geneva")
        .contains("WARN      KubeRay operator")
        .contains("MISSING   node label geneva.lancedb.com/ray-head")
        .contains("kubectl label node <node> geneva.lancedb.com/ray-head=true")
        .contains("MISSING   node label geneva.lancedb.com/ray-worker-cpu")
        .contains("WARN      node label geneva.lancedb.com/ray-worker-gpu")
        .contains("WARN      GPU device plugin")
        .contains("FORBIDDEN bucket s3://my-bucket/db: write failed");
  }

  @Test
  void doctor_whenKubeconfigMissing_reportsAuthErrorAndExitsOne() {
    Result r = Cli.run("doctor", "--kubeconfig", dir.resolve("nope").toString(), "--json");
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out()).contains("\"check\" : \"auth\"").contains("\"status\" : \"ERROR\"");
  }

  @Test
  void doctor_whenS3BucketWritable_writesReadsAndDeletesProbeThroughLance() throws Exception {
    setUpCluster(true);
    try (InProcessS3 server = InProcessS3.start("access", "secret-key", "lake")) {
      String[] s3 = {
        "--storage-option", "aws_access_key_id=access",
        "--storage-option", "aws_secret_access_key=secret-key",
        "--storage-option", "aws_region=us-east-1",
        "--storage-option", "aws_endpoint=" + server.endpoint(),
        "--storage-option", "allow_http=true",
        "--storage-option", "aws_virtual_hosted_style_request=false"
      };

      List<String> ok = new ArrayList<>(List.of("--bucket", "s3://lake/db", "--json"));
      ok.addAll(List.of(s3));
      JsonNode good = JSON.readTree(doctor(ok.toArray(String[]::new)).out());
      List<String> missing =
          new ArrayList<>(List.of("--bucket", "s3://no-such-bucket/db", "--json"));
      missing.addAll(List.of(s3));
      Result bad = doctor(missing.toArray(String[]::new));

      JsonNode item = bucketItem(good, "bucket s3://lake/db");
      assertThat(item.get("status").asText()).as(item.toString()).isEqualTo("OK");
      assertThat(item.get("detail").asText()).startsWith("wrote, read and deleted s3://lake/db/");
      assertThat(server.blobStore().list("lake", ListContainerOptions.Builder.recursive()))
          .as("the probe table was deleted")
          .noneMatch(blob -> blob.getName().contains("probe-"));
      assertThat(bad.exit()).isEqualTo(1);
      JsonNode failed = bucketItem(JSON.readTree(bad.out()), "bucket s3://no-such-bucket/db");
      assertThat(failed.get("status").asText()).isEqualTo("FORBIDDEN");
      assertThat(failed.get("detail").asText()).startsWith("write failed");
      assertThat(bad.out() + bad.err()).doesNotContain("secret-key");
    }
  }

  private static JsonNode bucketItem(JsonNode doc, String check) {
    for (JsonNode i : doc.get("items")) {
      if (i.get("check").asText().equals(check)) {
        return i;
      }
    }
    throw new AssertionError("no item " + check + " in " + doc);
  }
}
