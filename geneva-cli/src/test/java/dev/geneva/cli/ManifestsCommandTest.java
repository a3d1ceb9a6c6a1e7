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
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class ManifestsCommandTest {
  private static final String[] EKS = {
    "--eks-bucket", "my-lance-bucket",
    "--eks-cluster-arn", "arn:aws:eks:us-east-1:123456789012:cluster/geneva",
    "--eks-oidc-provider", "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
  };

  @TempDir Path dir;

  private static List<Map<String, Object>> yamlDocuments(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object o : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
      if (o != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) o;
        docs.add(m);
      }
    }
    return docs;
  }

  @Test
  void manifests_whenDefaults_printsYamlWithTheAdminObjects() {
    Result r = Cli.run("manifests", "--eks-role-arn", "arn:aws:iam::123456789012:role/runner");

    assertThat(r.exit()).as(r.toString()).isZero();
    List<Map<String, Object>> docs = yamlDocuments(r.out());
    assertThat(docs)
        .extracting(d -> d.get("kind"))
        .containsExactly("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding");
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) docs.get(1).get("metadata");
    assertThat(meta.get("name")).isEqualTo("geneva-ray-runner");
    assertThat(meta.get("annotations"))
        .isEqualTo(Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/runner"));
  }

  @Test
  void manifests_whenClientSubjectsGiven_addsClientRbac() {
    Result r =
        Cli.run(
            "manifests",
            "-n",
            "ml",
            "--no-create-namespace",
            "--client-user",
            "alice",
            "--client-service-account",
            "ci:deployer");

    assertThat(r.exit()).as(r.toString()).isZero();
    List<Object> kinds = yamlDocuments(r.out()).stream().map(d -> d.get("kind")).toList();
    assertThat(kinds)
        .doesNotContain("Namespace")
        .contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    assertThat(r.out()).contains("alice").contains("deployer").contains("namespace: \"ml\"");
  }

  @Test
  void manifests_whenEksOptionsWithIamOut_printsOnlyAppliableYamlAndWritesIamFiles()
      throws Exception {
    Path iamDir = dir.resolve("iam");
    List<String> args = new ArrayList<>(List.of("manifests", "--client-user", "alice"));
    args.addAll(List.of(EKS));
    args.addAll(
        List.of(
            "--eks-client-principal",
            "arn:aws:iam::123456789012:user/alice",
            "--eks-client-role-arn",
            "arn:aws:iam::123456789012:role/geneva-client-role",
            "--iam-out",
            iamDir.toString()));

    Result r = Cli.run(args.toArray(String[]::new));

    assertThat(r.exit()).as(r.toString()).isZero();
    // What `kubectl apply -f -` needs: every document a Kubernetes object, nothing else.
    List<Map<String, Object>> docs = yamlDocuments(r.out());
    assertThat(docs)
        .isNotEmpty()
        .allSatisfy(
            d -> {
              assertThat(d).containsKeys("apiVersion", "kind", "metadata");
              assertThat(d).doesNotContainKeys("Version", "Statement");
            });
    assertThat(docs)
        .extracting(d -> d.get("kind"))
        .containsExactly(
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding");
    assertThat(r.out()).doesNotContain("sts:AssumeRole").doesNotContain("aws eks");

    ObjectMapper json = new ObjectMapper();
    for (String name :
        List.of(
            "client-role-policy",
            "client-role-trust-policy",
            "service-account-role-policy",
            "service-account-trust-policy")) {
      JsonNode doc = json.readTree(Files.readString(iamDir.resolve(name + ".json")));
      assertThat(doc.get("Version").asText()).as(name).isEqualTo("2012-10-17");
      assertThat(r.err()).contains(name + ".json");
    }
    assertThat(Files.readString(iamDir.resolve("service-account-role-policy.json")))
        .contains("arn:aws:s3:::my-lance-bucket");
    assertThat(Files.readString(iamDir.resolve("service-account-trust-policy.json")))
        .contains("system:serviceaccount:geneva:geneva-ray-runner");
    assertThat(Files.readString(iamDir.resolve("eks-access-entry.sh")))
        .startsWith("#!/bin/sh")
        .contains(
            "aws eks create-access-entry --cluster-name geneva --principal-arn"
                + " arn:aws:iam::123456789012:role/geneva-client-role --type STANDARD")
        .contains("aws eks associate-access-policy --cluster-name geneva");
  }

  @Test
  void manifests_whenEksOptionsWithoutIamOut_exitsTwoNamingIamOut() {
    List<String> args = new ArrayList<>(List.of("manifests"));
    args.addAll(List.of(EKS));

    Result r = Cli.run(args.toArray(String[]::new));

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--iam-out DIR").contains("not Kubernetes objects");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void manifests_whenOnlyIamAsJson_printsIamDocumentsWithOidcArnAccepted() throws Exception {
    List<String> args = new ArrayList<>(List.of("manifests"));
    args.addAll(List.of(EKS));
    args.set(
        args.indexOf("--eks-oidc-provider") + 1,
        "arn:aws:iam::123456789012:oidc-provider/"
            + "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE");
    args.addAll(
        List.of(
            "--eks-client-principal",
            "arn:aws:iam::123456789012:user/alice",
            "--only",
            "iam",
            "--json"));

    Result json = Cli.run(args.toArray(String[]::new));

    assertThat(json.exit()).as(json.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc.has("kubernetes")).isFalse();
    assertThat(
            doc.get("iam")
                .get("client-role-trust-policy")
                .get("Statement")
                .get(0)
                .get("Principal")
                .get("AWS")
                .asText())
        .isEqualTo("arn:aws:iam::123456789012:user/alice");
    assertThat(
            doc.get("iam")
                .get("service-account-trust-policy")
                .get("Statement")
                .get(0)
                .get("Principal")
                .get("Federated")
                .asText())
        .isEqualTo(
            "arn:aws:iam::123456789012:oidc-provider/"
                + "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE");
  }

  @Test
  void manifests_whenJson_printsObjects() throws Exception {
    Result r = Cli.run("manifests", "--json", "--only", "kubernetes");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    List<String> kinds = new ArrayList<>();
    doc.get("kubernetes").forEach(o -> kinds.add(o.get("kind").asText()));
    assertThat(kinds)
        .containsExactly("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding");
  }

  @Test
  void manifests_whenApply_createsTheObjectsAndIsIdempotent() {
    try (MockKubernetes mock = new MockKubernetes()) {
      Path kubeconfig = Kubeconfigs.write(dir, mock);
      String[] args = {
        "manifests",
        "--apply",
        "--kubeconfig",
        kubeconfig.toString(),
        "--gcp-service-account",
        "ray@proj.iam.gserviceaccount.com"
      };

      Result r = Cli.run(args);

      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out())
          .contains("CREATED   Namespace geneva")
          .contains("CREATED   ServiceAccount geneva/geneva-ray-runner")
          .contains("CREATED   ClusterRole ")
          .contains("CREATED   ClusterRoleBinding ");
      ServiceAccount sa =
          mock.client().serviceAccounts().inNamespace("geneva").withName("geneva-ray-runner").get();
      assertThat(sa.getMetadata().getAnnotations())
          .containsEntry("iam.gke.io/gcp-service-account", "ray@proj.iam.gserviceaccount.com");

      Result again = Cli.run(args);
      assertThat(again.exit()).as(again.toString()).isZero();
      assertThat(again.out()).doesNotContain("CREATED").doesNotContain("UPDATED");
    }
  }

  @Test
  void manifests_whenReaper_appendsReaperObjectsWithScheduleAndImage() {
    Result r =
        Cli.run(
            "manifests",
            "--reaper",
            "--reaper-image",
            "registry.example.com/geneva-cli:0.1",
            "--reaper-schedule",
            "*/10 * * * *",
            "--reaper-grace",
            "2m");

    assertThat(r.exit()).as(r.toString()).isZero();
    List<Map<String, Object>> docs = yamlDocuments(r.out());
    assertThat(docs)
        .extracting(d -> d.get("kind"))
        .containsExactly(
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "CronJob");
    Map<String, Object> cronJob = docs.get(7);
    assertThat(cronJob.get("apiVersion")).isEqualTo("batch/v1");
    assertThat(path(cronJob, "spec", "schedule")).isEqualTo("*/10 * * * *");
    Map<String, Object> container = reaperContainer(cronJob);
    assertThat(container.get("image")).isEqualTo("registry.example.com/geneva-cli:0.1");
    assertThat(container.get("args"))
        .isEqualTo(
            List.of(
                "clusters",
                "reap",
                "--expired",
                "--in-cluster",
                "--namespace",
                "geneva",
                "--grace",
                "120s"));

    Result only =
        Cli.run("manifests", "--reaper", "--reaper-image", "img:1", "--only", "reaper", "-n", "ml");
    assertThat(only.exit()).as(only.toString()).isZero();
    assertThat(yamlDocuments(only.out()))
        .extracting(d -> d.get("kind"))
        .containsExactly("ServiceAccount", "Role", "RoleBinding", "CronJob");
  }

  @Test
  void manifests_whenReaperOptionsIncomplete_exitsTwoNamingTheFix() {
    Result noImage = Cli.run("manifests", "--reaper");
    assertThat(noImage.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(noImage.err())
        .contains("--reaper needs --reaper-image IMAGE")
        .contains("docs/kubernetes.md");

    Result noReaper = Cli.run("manifests", "--reaper-schedule", "@hourly");
    assertThat(noReaper.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(noReaper.err()).contains("go with --reaper");

    Result onlyWithout = Cli.run("manifests", "--only", "reaper");
    assertThat(onlyWithout.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(onlyWithout.err()).contains("--only reaper needs --reaper");

    Result badSchedule =
        Cli.run("manifests", "--reaper", "--reaper-image", "img:1", "--reaper-schedule", "5 min");
    assertThat(badSchedule.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badSchedule.err()).contains("ReaperManifests.schedule '5 min' has 2 field(s)");
    assertThat(noImage.out() + noReaper.out() + badSchedule.out()).isEmpty();
  }

  @Test
  void manifests_whenReaperApplied_expectCronJobWhoseCommandReapsExpiredClusters() {
    try (MockKubernetes mock = new MockKubernetes()) {
      mock.client()
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(KubeRayCrds.crd("1.3.2"))
          .create();
      String kubeconfig = Kubeconfigs.write(dir, mock).toString();
      Result applied =
          Cli.run(
              "manifests",
              "--reaper",
              "--reaper-image",
              "img:1",
              "--only",
              "reaper",
              "--apply",
              "--kubeconfig",
              kubeconfig);
      assertThat(applied.exit()).as(applied.toString()).isZero();
      assertThat(applied.out()).contains("CronJob geneva/geneva-reaper");

      CronJob stored =
          mock.client()
              .batch()
              .v1()
              .cronjobs()
              .inNamespace("geneva")
              .withName("geneva-reaper")
              .get();
      Container c =
          stored
              .getSpec()
              .getJobTemplate()
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0);
      assertThat(c.getCommand()).containsExactly("java", "-jar", "/opt/geneva/geneva.jar");

      Instant now = Instant.now();
      rayCluster(mock, "dead", ClusterLease.format(now.minusSeconds(600)));
      rayCluster(mock, "alive", ClusterLease.format(now.plusSeconds(600)));
      // What the CronJob's pod runs, with the pod's in-cluster credentials swapped for the mock's
      // kubeconfig: the same command line, parsed and run by this CLI.
      List<String> args = new ArrayList<>(c.getArgs());
      args.set(args.indexOf("--in-cluster"), "--kubeconfig=" + kubeconfig);
      Result reaped = Cli.run(args.toArray(String[]::new));
      assertThat(reaped.exit()).as(reaped.toString()).isZero();
      assertThat(reaped.out()).contains("deleted RayCluster geneva/dead");
      assertThat(
              mock.client()
                  .genericKubernetesResources("ray.io/v1", "RayCluster")
                  .inNamespace("geneva")
                  .list()
                  .getItems())
          .extracting(r -> r.getMetadata().getName())
          .containsExactly("alive");
    }
  }

  private static void rayCluster(MockKubernetes mock, String name, String leaseExpires) {
    mock.client()
        .genericKubernetesResources("ray.io/v1", "RayCluster")
        .inNamespace("geneva")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("ray.io/v1")
                .withKind("RayCluster")
                .withNewMetadata()
                .withName(name)
                .withNamespace("geneva")
                .withLabels(Map.of("app.kubernetes.io/managed-by", "geneva"))
                .withAnnotations(Map.of(ClusterLease.EXPIRES_ANNOTATION, leaseExpires))
                .endMetadata()
                .build())
        .create();
  }

  @SuppressWarnings("unchecked")
  private static Object path(Map<String, Object> doc, String... keys) {
    Object o = doc;
    for (String k : keys) {
      o = ((Map<String, Object>) o).get(k);
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> reaperContainer(Map<String, Object> cronJob) {
    Map<String, Object> pod =
        (Map<String, Object>) path(cronJob, "spec", "jobTemplate", "spec", "template", "spec");
    return ((List<Map<String, Object>>) pod.get("containers")).get(0);
  }
}
