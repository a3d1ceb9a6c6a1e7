package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import dev.geneva.cli.testing.Kubeconfigs;
import dev.geneva.cloud.gcp.testing.FakeGcs;
import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.WorkerGroupSpec;
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
import io.fabric8.kubernetes.client.VersionInfo;
import java.nio.file.Files;
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
    c.apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(KubeRayCrds.rayJobCrd("1.3.2"))
        .create();
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
        .contains("OK        CRD rayjobs.ray.io: installed, serves v1 (for detached backfills)")
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
  void doctor_whenServer134AndRoleGrantsOnlyGetOnPortForward_passesAndSaysWhy() {
    setUpCluster(true);
    mock.server()
        .setVersionInfo(
            new VersionInfo.Builder()
                .withMajor("1")
                .withMinor("34+")
                .withGitVersion("v1.34.1-gke.1829001")
                .build());
    Rbac.allowAllExcept(mock.server(), "create pods/portforward");

    Result r = doctor();

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains(
            "OK        can-i get pods/portforward in namespace geneva: allowed (Kubernetes"
                + " v1.34.1-gke.1829001: the port-forward websocket (a GET) is authorized as 'get'")
        .doesNotContain("can-i create pods/portforward");
  }

  @Test
  void doctor_whenServer135AndRoleGrantsOnlyGetOnPortForward_reportsCreateForbidden() {
    setUpCluster(true);
    mock.server()
        .setVersionInfo(
            new VersionInfo.Builder()
                .withMajor("1")
                .withMinor("35")
                .withGitVersion("v1.35.0")
                .build());
    Rbac.allowAllExcept(mock.server(), "create pods/portforward");

    Result r = doctor();

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out())
        .contains("OK        can-i get pods/portforward in namespace geneva")
        .contains("FORBIDDEN can-i create pods/portforward in namespace geneva")
        .contains("from 1.35 the port-forward websocket also needs 'create'")
        .contains("grant both 'get' and 'create' on pods/portforward");
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
        .contains(
            "WARN      CRD rayjobs.ray.io: not installed; only detached backfills (geneva backfill"
                + " --detached) need it")
        .contains("MISSING   node label geneva.lancedb.com/ray-head")
        .contains("kubectl label node <node> geneva.lancedb.com/ray-head=true")
        .contains("MISSING   node label geneva.lancedb.com/ray-worker-cpu")
        .contains("WARN      node label geneva.lancedb.com/ray-worker-gpu")
        .contains("WARN      GPU device plugin")
        .contains("FORBIDDEN bucket s3://my-bucket/db: write failed");
  }

  @Test
  void doctor_whenNodeLabelsAreFalseOrEmpty_reportsThoseNodesAsNotSelectedWithFix() {
    setUpCluster(true);
    NamespacedKubernetesClient c = mock.client();
    c.nodes().withName("head-0").delete();
    c.nodes().withName("cpu-0").delete();
    node(c, "head-1", Map.of(DoctorCommand.HEAD_LABEL, "false"), false);
    node(c, "cpu-1", Map.of(DoctorCommand.CPU_LABEL, ""), false);
    node(c, "cpu-2", Map.of(DoctorCommand.CPU_LABEL, "true"), false);
    node(c, "cpu-3", Map.of(DoctorCommand.CPU_LABEL, "False"), false);
    Rbac.allowAllExcept(mock.server());

    Result r = doctor();

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out())
        .contains(
            "MISSING   node label geneva.lancedb.com/ray-head: no node has"
                + " geneva.lancedb.com/ray-head=true; head-1 (\"false\") carry it with another"
                + " value, and the pods select \"true\"")
        .contains("fix: kubectl label nodes head-1 geneva.lancedb.com/ray-head=true --overwrite")
        .contains(
            "OK        node label geneva.lancedb.com/ray-worker-cpu: 1 node(s): cpu-2; not"
                + " selected, as the label's value is not \"true\": cpu-1 (\"\"), cpu-3"
                + " (\"False\")");
  }

  @Test
  void nodeLabel_whenCheckingDefaultSelectors_requiresTheValueThePodsSelect() {
    // The value doctor requires is the one the default node selectors put in the pod specs.
    assertThat(HeadGroupSpec.builder().build().nodeSelector())
        .containsEntry(DoctorCommand.HEAD_LABEL, "true");
    assertThat(WorkerGroupSpec.builder().build().nodeSelector())
        .containsEntry(DoctorCommand.CPU_LABEL, "true");
    assertThat(WorkerGroupSpec.builder().gpus(1).build().nodeSelector())
        .containsEntry(DoctorCommand.GPU_LABEL, "true");
  }

  @Test
  void doctor_whenGkeEndpointUnknown_exitsTwoListingTheChoices() {
    Result r =
        Cli.run(
            "doctor",
            "--config-method",
            "GKE",
            "--project",
            "p",
            "--location",
            "us-central1",
            "--cluster-name",
            "geneva",
            "--gke-endpoint",
            "internal");

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err())
        .contains("endpoint 'internal' is not one of auto, dns, public_ip, private_ip");
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

  /** A gs:// doctor run with --json, after the fakes and the cluster are set up. */
  private Result doctorGcs(String bucket, String... extra) {
    List<String> args = new ArrayList<>(List.of("--bucket", bucket, "--json"));
    args.addAll(List.of(extra));
    return doctor(args.toArray(String[]::new));
  }

  /** No access token, key material or token-like text in what the command printed. */
  private static void assertNoGoogleSecrets(Result r, FakeGoogle google) {
    String printed = r.out() + r.err();
    for (String token : google.issuedTokens()) {
      assertThat(printed).doesNotContain(token);
    }
    assertThat(printed)
        .doesNotContain("ya29.")
        .doesNotContain("s3cr3t")
        .doesNotContain("PRIVATE KEY")
        .doesNotContain(FakeGoogle.privateKeyBase64().substring(0, 40));
    FakeGoogle.privateKeyPem()
        .lines()
        .filter(line -> !line.startsWith("-----"))
        .forEach(line -> assertThat(printed).doesNotContain(line));
  }

  @Test
  void doctor_whenGcsBucketWritable_reportsOkAsKeyPrincipalAndWritesReadsDeletesProbe()
      throws Exception {
    setUpCluster(true);
    Rbac.allowAllExcept(mock.server());
    try (FakeGoogle google = new FakeGoogle();
        FakeGcs gcs = new FakeGcs().bucket("lake", FakeGcs.Mode.ALLOW_ALL)) {
      Path key = google.writeServiceAccountKey(dir.resolve("ray-workers-key.json"));

      Result r =
          doctorGcs(
              "gs://lake/db", "--gcs-credentials", key.toString(), "--gcs-endpoint", gcs.host());

      assertThat(r.exit()).as(r.toString()).isZero();
      JsonNode item = bucketItem(JSON.readTree(r.out()), "bucket gs://lake/db");
      assertThat(item.get("status").asText()).as(item.toString()).isEqualTo("OK");
      assertThat(item.get("detail").asText())
          .isEqualTo(
              "read/write as serviceAccount:"
                  + FakeGoogle.SA_EMAIL
                  + " (credentials from --gcs-credentials "
                  + key
                  + ", endpoint "
                  + gcs.host()
                  + ")");
      assertThat(gcs.requests())
          .satisfiesExactly(
              w ->
                  assertThat(w)
                      .startsWith("POST /upload/storage/v1/b/lake/o?")
                      .contains("uploadType=multipart"),
              rd ->
                  assertThat(rd)
                      .startsWith("GET /download/storage/v1/b/lake/o/db%2F_geneva%2Fprobe-")
                      .contains("alt=media"),
              d -> assertThat(d).startsWith("DELETE /storage/v1/b/lake/o/db%2F_geneva%2Fprobe-"));
      assertThat(gcs.objects()).as("the probe was deleted").isEmpty();
      assertThat(google.issuedTokens()).as("one token, from the key file's token_uri").hasSize(1);
      assertThat(gcs.authorizations()).containsOnly("Bearer " + google.issuedTokens().get(0));
      assertNoGoogleSecrets(r, google);
    }
  }

  @Test
  void doctor_whenGcsBucketNotWritable_reportsForbiddenWithObjectAdminGrantAndExitsOne()
      throws Exception {
    setUpCluster(true);
    Rbac.allowAllExcept(mock.server());
    try (FakeGoogle google = new FakeGoogle();
        FakeGcs gcs = new FakeGcs().bucket("lake", FakeGcs.Mode.DENY_WRITE)) {
      Path key = google.writeServiceAccountKey(dir.resolve("key.json"));

      Result r =
          doctorGcs(
              "gs://lake/db", "--gcs-credentials", key.toString(), "--gcs-endpoint", gcs.host());

      assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
      JsonNode doc = JSON.readTree(r.out());
      assertThat(doc.get("ok").asBoolean()).isFalse();
      JsonNode item = bucketItem(doc, "bucket gs://lake/db");
      assertThat(item.get("status").asText()).as(item.toString()).isEqualTo("FORBIDDEN");
      assertThat(item.get("detail").asText())
          .contains("serviceAccount:" + FakeGoogle.SA_EMAIL + " lacks storage.objects.create")
          .contains("bucket 'lake'");
      assertThat(item.get("fix").asText())
          .isEqualTo(
              "grant roles/storage.objectAdmin on gs://lake to serviceAccount:"
                  + FakeGoogle.SA_EMAIL);
      assertThat(gcs.requests()).singleElement().asString().startsWith("POST /upload/");
      assertThat(gcs.objects()).isEmpty();
      assertNoGoogleSecrets(r, google);
    }
  }

  @Test
  void doctor_whenGcsBucketMissing_reportsMissingAndExitsOne() throws Exception {
    setUpCluster(true);
    Rbac.allowAllExcept(mock.server());
    try (FakeGoogle google = new FakeGoogle();
        FakeGcs gcs = new FakeGcs()) {
      Path key = google.writeServiceAccountKey(dir.resolve("key.json"));

      Result r =
          doctorGcs(
              "gs://nope/db", "--gcs-credentials", key.toString(), "--gcs-endpoint", gcs.host());

      assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
      JsonNode item = bucketItem(JSON.readTree(r.out()), "bucket gs://nope/db");
      assertThat(item.get("status").asText()).as(item.toString()).isEqualTo("MISSING");
      assertThat(item.get("detail").asText())
          .contains("HTTP 404")
          .contains("Bucket 'nope' does not exist");
      assertNoGoogleSecrets(r, google);
    }
  }

  @Test
  void doctor_whenGcsCredentialsFileMissing_exitsTwoNamingOptionAndFile() throws Exception {
    try (FakeGcs gcs = new FakeGcs().bucket("lake", FakeGcs.Mode.ALLOW_ALL)) {
      Path missing = dir.resolve("no-such-key.json");

      Result r =
          doctorGcs(
              "gs://lake/db",
              "--gcs-credentials",
              missing.toString(),
              "--gcs-endpoint",
              gcs.host());

      assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err())
          .contains("geneva: error: --gcs-credentials " + missing + ": no such file")
          .contains("service-account key");
      assertThat(r.out()).as("no report before the options are right").isEmpty();
      assertThat(gcs.requests()).isEmpty();
    }
  }

  @Test
  void doctor_whenGcsCredentialsNotCredentials_exitsTwoWithoutShowingTheirContent()
      throws Exception {
    Path broken = dir.resolve("broken-key.json");
    Files.writeString(
        broken,
        "{\"type\": \"service_account\", \"client_email\": \"x@p.iam.gserviceaccount.com\","
            + " \"client_id\": \"1\", \"private_key_id\": \"k\", \"private_key\":"
            + " \"-----BEGIN PRIVATE KEY-----\\nnot-a-key-s3cr3t\\n-----END PRIVATE KEY-----\\n\"}");

    Result bad = doctorGcs("gs://lake/db", "--gcs-credentials", broken.toString());
    Result directory = doctorGcs("gs://lake/db", "--gcs-credentials", dir.toString());

    assertThat(bad.exit()).as(bad.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err())
        .contains("--gcs-credentials " + broken + ": cannot read it as Google credentials")
        .doesNotContain("s3cr3t")
        .doesNotContain("not-a-key");
    assertThat(directory.exit()).as(directory.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(directory.err()).contains("--gcs-credentials " + dir + ": not a file");
  }

  @Test
  void doctor_whenGcsEndpointNotHttpUrl_exitsTwoNamingOption() {
    for (String endpoint : List.of("127.0.0.1:4443", "ftp://127.0.0.1:4443", "http://", "::")) {
      Result r = doctorGcs("gs://lake/db", "--gcs-endpoint", endpoint);

      assertThat(r.exit()).as(endpoint + ": " + r).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err())
          .as(endpoint)
          .contains("--gcs-endpoint must be an http(s) URL such as http://127.0.0.1:4443")
          .contains("got " + endpoint);
    }
  }

  @Test
  void doctor_whenGcsOptionsWithoutGsBucket_exitsTwoSayingTheyNeedOne() throws Exception {
    Path key = dir.resolve("key.json");
    Files.writeString(key, "{}");

    Result s3 = doctor("--bucket", "s3://lake/db", "--gcs-credentials", key.toString(), "--json");
    Result none = doctor("--gcs-endpoint", "http://127.0.0.1:4443");
    Result both =
        doctor("--gcs-credentials", key.toString(), "--gcs-endpoint", "http://127.0.0.1:4443");

    assertThat(s3.exit()).as(s3.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(s3.err())
        .contains(
            "--gcs-credentials applies only to a gs:// bucket check (--bucket"
                + " gs://bucket[/path]), got --bucket s3://lake/db");
    assertThat(none.exit()).as(none.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("--gcs-endpoint applies only to a gs:// bucket check");
    assertThat(none.err()).contains("got no --bucket");
    assertThat(both.exit()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("--gcs-credentials and --gcs-endpoint apply only to a gs://");
  }

  @Test
  void help_whenDoctor_documentsGcsOptions() {
    Result r = Cli.run("doctor", "--help");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("--gcs-credentials=FILE")
        .contains("--gcs-endpoint=URL")
        .contains("fake-gcs-server");
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
