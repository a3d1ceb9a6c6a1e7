package dev.geneva.cli;

import com.google.auth.oauth2.GoogleCredentials;
import dev.geneva.InvalidInputException;
import dev.geneva.cloud.gcp.GcsCheckReport;
import dev.geneva.cloud.gcp.GcsWriteCheck;
import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.KubeApi;
import dev.geneva.k8s.PreflightReport;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterException;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code geneva doctor}: the preflight report, item by item, with the fix for each problem. Exit 1
 * when an item is MISSING, FORBIDDEN or ERROR; WARN items do not fail.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Checks that this identity can run Geneva on the cluster: auth, namespace, service account"
          + " and its cloud annotation, RBAC (can-i per verb), the KubeRay CRDs (RayCluster; RayJob for detached backfills) and operator,"
          + " node labels, the GPU device plugin and (with --bucket) bucket access.",
      "Each item is OK, MISSING, FORBIDDEN, WARN or ERROR, with the fix."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every check passed (WARN allowed)",
      "1:a check failed",
      "2:bad usage",
      "3:unexpected error"
    })
public final class DoctorCommand implements Callable<Integer> {
  /** Node label that the default head group selects. */
  public static final String HEAD_LABEL = "geneva.lancedb.com/ray-head";

  /** Node label that the default CPU worker groups select. */
  public static final String CPU_LABEL = "geneva.lancedb.com/ray-worker-cpu";

  /** Node label that the default GPU worker groups select. */
  public static final String GPU_LABEL = "geneva.lancedb.com/ray-worker-gpu";

  /** The extended resource NVIDIA's device plugin advertises. */
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  static final String SEE = "(geneva manifests generates the objects; see the deployment guide)";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin KubeOptions kube;

  @Option(
      names = "--service-account",
      defaultValue = "geneva-ray-runner",
      description = "The service account Ray's pods run as (default: ${DEFAULT-VALUE}).")
  String serviceAccount;

  @Option(
      names = "--port-forwarding",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Check pods/portforward too (default: true; --no-port-forwarding inside the cluster).")
  boolean portForwarding;

  @Option(
      names = "--bucket",
      description =
          "Check read/write/delete under a database URI: gs://bucket[/path] (application-default"
              + " Google credentials, or --gcs-credentials and --gcs-endpoint) or"
              + " s3://bucket[/path] (through Lance, with --storage-option).")
  String bucket;

  @Option(
      names = "--gcs-credentials",
      paramLabel = "FILE",
      description =
          "For a gs:// --bucket: check as the principal of this Google credentials JSON file (a"
              + " service-account key, e.g. of the Ray workers' Google service account, or an"
              + " application-default credentials file) instead of this machine's"
              + " application-default credentials.")
  Path gcsCredentials;

  @Option(
      names = "--gcs-endpoint",
      paramLabel = "URL",
      description =
          "For a gs:// --bucket: the Cloud Storage endpoint, an http(s) URL such as"
              + " http://127.0.0.1:4443 (an emulator like fake-gcs-server) or a private endpoint"
              + " (default: the public https://storage.googleapis.com).")
  String gcsEndpoint;

  @Option(
      names = "--storage-option",
      paramLabel = "KEY=VALUE",
      description =
          "Lance storage option for the s3:// bucket check (repeatable), e.g. aws_region=us-east-1.")
  Map<String, String> storageOptions = new LinkedHashMap<>();

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  /** Creates the command (picocli instantiates it). */
  public DoctorCommand() {}

  /**
   * One line of the report.
   *
   * @param check what was checked
   * @param status OK, MISSING, FORBIDDEN, WARN or ERROR
   * @param detail what was found
   * @param fix how to fix it; empty when OK
   */
  public record Item(String check, String status, String detail, String fix) {
    boolean fatal() {
      return status.equals("MISSING") || status.equals("FORBIDDEN") || status.equals("ERROR");
    }
  }

  @Override
  public Integer call() {
    if (bucket != null && !bucket.startsWith("gs://") && !bucket.startsWith("s3://")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--bucket must be gs://bucket[/path] or s3://bucket[/path], got " + bucket);
    }
    GcsWriteCheck gcsCheck = bucket != null && bucket.startsWith("gs://") ? gcsCheck() : null;
    if (gcsCheck == null && (gcsCredentials != null || gcsEndpoint != null)) {
      String given =
          gcsCredentials != null && gcsEndpoint != null
              ? "--gcs-credentials and --gcs-endpoint apply"
              : gcsCredentials != null ? "--gcs-credentials applies" : "--gcs-endpoint applies";
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          given
              + " only to a gs:// bucket check (--bucket gs://bucket[/path]), got "
              + (bucket == null ? "no --bucket" : "--bucket " + bucket));
    }
    KubeAuth auth = kube.auth();
    List<Item> items = new ArrayList<>();
    Config config = null;
    try {
      config = auth.resolve();
      items.add(
          new Item("auth", "OK", kube.describe() + " -> API server " + config.getMasterUrl(), ""));
    } catch (RuntimeException e) {
      items.add(
          new Item(
              "auth",
              "ERROR",
              kube.describe() + ": " + e.getMessage(),
              "fix the kubeconfig/context or the --config-method options; the other checks need"
                  + " the API server"));
    }
    if (config != null) {
      items.addAll(kubernetesChecks(config));
    }
    if (bucket != null) {
      items.add(gcsCheck != null ? gcsBucketCheck(gcsCheck) : s3BucketCheck());
    }
    print(items);
    return items.stream().anyMatch(Item::fatal) ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
  }

  private List<Item> kubernetesChecks(Config config) {
    List<Item> items = new ArrayList<>();
    RayCluster cluster =
        RayCluster.builder()
            .namespace(kube.namespace)
            .auth(KubeAuth.of(config))
            .portForwarding(portForwarding)
            .headGroup(HeadGroupSpec.builder().serviceAccount(serviceAccount).build())
            .workerGroup(WorkerGroupSpec.builder().serviceAccount(serviceAccount).build())
            .build();
    PreflightReport report;
    try {
      report = cluster.preflight();
    } catch (RayClusterException e) {
      if (!KubeApi.isUnreachable(e)) {
        throw e;
      }
      items.add(
          new Item(
              "API server",
              "ERROR",
              e.getMessage(),
              "the other checks need the API server; fix the endpoint or the network first"));
      return items;
    }
    boolean saExists = false;
    for (PreflightReport.Item i : report.items()) {
      String status = i.status() == PreflightReport.Status.UNVERIFIED ? "WARN" : i.status().name();
      items.add(new Item(i.check(), status, i.detail(), i.fix()));
      if (i.check().equals("service account " + serviceAccount)
          && i.status() == PreflightReport.Status.OK) {
        saExists = true;
      }
    }
    // No fabric8 retries (about 19 s per call on a refused connection): these checks warn at once.
    try (KubeApi api = KubeApi.connect(config)) {
      KubernetesClient client = api.client();
      if (saExists) {
        items.add(1 + indexOf(items, "service account " + serviceAccount), cloudIdentity(client));
      }
      items.add(kuberayOperator(client));
      items.add(rayJobCrd(client));
      items.addAll(nodes(client));
    }
    return items;
  }

  private static int indexOf(List<Item> items, String check) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).check().equals(check)) {
        return i;
      }
    }
    return items.size() - 1;
  }

  private Item cloudIdentity(KubernetesClient client) {
    String check = "service account " + serviceAccount + " cloud identity";
    try {
      ServiceAccount sa =
          client.serviceAccounts().inNamespace(kube.namespace).withName(serviceAccount).get();
      Map<String, String> ann =
          sa == null || sa.getMetadata().getAnnotations() == null
              ? Map.of()
              : sa.getMetadata().getAnnotations();
      String eks = ann.get("eks.amazonaws.com/role-arn");
      String gke = ann.get("iam.gke.io/gcp-service-account");
      if (eks != null) {
        return new Item(check, "OK", "eks.amazonaws.com/role-arn=" + eks, "");
      }
      if (gke != null) {
        return new Item(check, "OK", "iam.gke.io/gcp-service-account=" + gke, "");
      }
      return new Item(
          check,
          "WARN",
          "no eks.amazonaws.com/role-arn or iam.gke.io/gcp-service-account annotation: Ray's pods"
              + " get no cloud storage credentials from it",
          "kubectl annotate serviceaccount "
              + serviceAccount
              + " -n "
              + kube.namespace
              + " eks.amazonaws.com/role-arn=<role ARN> (EKS) or"
              + " iam.gke.io/gcp-service-account=<email> (GKE) "
              + SEE);
    } catch (KubernetesClientException e) {
      return new Item(check, "WARN", "could not read it: HTTP " + e.getCode(), "");
    }
  }

  private static Item kuberayOperator(KubernetesClient client) {
    String check = "KubeRay operator";
    try {
      List<Deployment> found =
          client
              .apps()
              .deployments()
              .inAnyNamespace()
              .withLabel("app.kubernetes.io/name", "kuberay-operator")
              .list()
              .getItems();
      if (found.isEmpty()) {
        return new Item(
            check,
            "WARN",
            "no Deployment labelled app.kubernetes.io/name=kuberay-operator found",
            "install it: helm install kuberay-operator kuberay/kuberay-operator --version 1.3.2 "
                + SEE);
      }
      String versions =
          found.stream()
              .map(
                  d -> {
                    String image =
                        d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
                    int colon = image.lastIndexOf(':');
                    String version = colon < 0 ? "unknown" : image.substring(colon + 1);
                    return "version "
                        + version
                        + " ("
                        + d.getMetadata().getNamespace()
                        + "/"
                        + d.getMetadata().getName()
                        + ")";
                  })
              .collect(Collectors.joining(", "));
      return new Item(check, "OK", versions, "");
    } catch (KubernetesClientException | NullPointerException | IndexOutOfBoundsException e) {
      return new Item(
          check,
          "WARN",
          "could not list Deployments in all namespaces"
              + (e instanceof KubernetesClientException k ? " (HTTP " + k.getCode() + ")" : ""),
          "");
    }
  }

  /** The RayJob CRD: only detached backfills need it, so its absence is a warning. */
  private static Item rayJobCrd(KubernetesClient client) {
    String check = "CRD rayjobs.ray.io";
    String missing = "not installed; only detached backfills (geneva backfill --detached) need it";
    String install =
        "install or upgrade the KubeRay operator (1.1 or newer; its Helm chart installs the RayJob"
            + " CRD) "
            + SEE;
    try {
      CustomResourceDefinition crd =
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(check.substring(4))
              .get();
      if (crd == null) {
        return new Item(check, "WARN", missing, install);
      }
      boolean v1 =
          crd.getSpec().getVersions().stream()
              .anyMatch(v -> "v1".equals(v.getName()) && Boolean.TRUE.equals(v.getServed()));
      return v1
          ? new Item(check, "OK", "installed, serves v1 (for detached backfills)", "")
          : new Item(check, "WARN", "installed but does not serve ray.io/v1", install);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) {
        return new Item(check, "WARN", "could not read it (HTTP " + e.getCode() + ")", "");
      }
    }
    // Reading CRDs is cluster-scoped and often forbidden; API discovery is open to all users.
    try {
      APIResourceList resources = client.getApiResources("ray.io/v1");
      boolean present =
          resources != null
              && resources.getResources().stream().anyMatch(r -> "rayjobs".equals(r.getName()));
      return present
          ? new Item(check, "OK", "ray.io/v1 rayjobs served (seen by API discovery)", "")
          : new Item(check, "WARN", missing, install);
    } catch (KubernetesClientException e) {
      return new Item(
          check, "WARN", "could not read it or discover ray.io/v1 (HTTP " + e.getCode() + ")", "");
    }
  }

  private static List<Item> nodes(KubernetesClient client) {
    List<Node> nodes;
    try {
      nodes = client.nodes().list().getItems();
    } catch (KubernetesClientException e) {
      return List.of(
          new Item(
              "node labels",
              "WARN",
              "could not list nodes (HTTP " + e.getCode() + "); node labels and GPUs not checked",
              ""));
    }
    List<Item> items = new ArrayList<>();
    Map<String, Boolean> required = new LinkedHashMap<>();
    required.put(HEAD_LABEL, true);
    required.put(CPU_LABEL, true);
    required.put(GPU_LABEL, false);
    for (Map.Entry<String, Boolean> e : required.entrySet()) {
      items.add(nodeLabel(nodes, e.getKey(), e.getValue()));
    }
    List<String> gpuNodes =
        nodes.stream()
            .filter(
                n -> {
                  Map<String, Quantity> alloc =
                      n.getStatus() == null ? null : n.getStatus().getAllocatable();
                  Quantity q = alloc == null ? null : alloc.get(GPU_RESOURCE);
                  return q != null && q.getNumericalAmount().signum() > 0;
                })
            .map(n -> n.getMetadata().getName())
            .toList();
    items.add(
        gpuNodes.isEmpty()
            ? new Item(
                "GPU device plugin",
                "WARN",
                "no node advertises allocatable " + GPU_RESOURCE,
                "only GPU worker groups need it: install NVIDIA's device plugin (GKE installs"
                    + " drivers on GPU node pools; EKS: the nvidia-device-plugin DaemonSet)")
            : new Item(
                "GPU device plugin",
                "OK",
                GPU_RESOURCE + " allocatable on " + String.join(", ", gpuNodes),
                ""));
    return items;
  }

  /**
   * Whether some node carries {@code label=true}, the value the default node selectors ask for. A
   * node with the label set to anything else ({@code "false"}, empty) is not selected, so it is
   * reported by name with the command that fixes it, not counted as a match.
   */
  static Item nodeLabel(List<Node> nodes, String label, boolean required) {
    String check = "node label " + label;
    List<String> matching = new ArrayList<>();
    Map<String, String> otherValues = new LinkedHashMap<>();
    for (Node n : nodes) {
      Map<String, String> labels = n.getMetadata().getLabels();
      if (labels == null || !labels.containsKey(label)) {
        continue;
      }
      String value = labels.get(label);
      if ("true".equals(value)) {
        matching.add(n.getMetadata().getName());
      } else {
        otherValues.put(n.getMetadata().getName(), value == null ? "" : value);
      }
    }
    String others =
        otherValues.entrySet().stream()
            .map(o -> o.getKey() + " (\"" + o.getValue() + "\")")
            .collect(Collectors.joining(", "));
    if (!matching.isEmpty()) {
      return new Item(
          check,
          "OK",
          matching.size()
              + " node(s): "
              + String.join(", ", matching)
              + (otherValues.isEmpty()
                  ? ""
                  : "; not selected, as the label's value is not \"true\": " + others),
          "");
    }
    String status = required ? "MISSING" : "WARN";
    String gpuOnly = required ? "" : " (needed only for GPU worker groups)";
    if (!otherValues.isEmpty()) {
      return new Item(
          check,
          status,
          "no node has "
              + label
              + "=true; "
              + others
              + " carry it with another value, and the pods select \"true\", so pods of groups"
              + " with the default node selector stay Pending"
              + gpuOnly,
          "kubectl label nodes "
              + String.join(" ", otherValues.keySet())
              + " "
              + label
              + "=true --overwrite, or give the group another nodeSelector");
    }
    return new Item(
        check,
        status,
        "no node has it (of "
            + nodes.size()
            + "); pods of groups with the default node selector stay Pending"
            + gpuOnly,
        "kubectl label node <node> " + label + "=true, or give the group another nodeSelector");
  }

  private Item s3BucketCheck() {
    String check = "bucket " + bucket;
    LanceStorageProbe.Outcome o = LanceStorageProbe.run(bucket, storageOptions);
    if (o.ok()) {
      return new Item(check, "OK", o.message(), "");
    }
    if (o.failedStep().equals("delete")) {
      // Backfills write and read; deleting is only needed to clean up (Lance's cleanup).
      return new Item(
          check,
          "WARN",
          "wrote and read a probe table, but deleting it failed: " + o.message(),
          "grant s3:DeleteObject on the bucket so Lance can clean up old versions");
    }
    return new Item(
        check,
        "FORBIDDEN",
        o.failedStep() + " failed: " + o.message(),
        "the client (and the workers' IAM role) need s3:PutObject, s3:GetObject, s3:DeleteObject"
            + " and s3:ListBucket on the bucket; see docs/eks.md (client and service-account"
            + " role policies) and pass credentials or aws_region with --storage-option");
  }

  /**
   * The gs:// check the options describe, built before anything is contacted so that a bad
   * --gcs-credentials file or --gcs-endpoint URL is a usage error, not a report item.
   */
  private GcsWriteCheck gcsCheck() {
    GcsWriteCheck.Builder b = GcsWriteCheck.builder().tableUri(bucket);
    if (gcsCredentials != null) {
      b.credentials(readGcsCredentials());
    }
    if (gcsEndpoint != null) {
      b.host(gcsEndpoint());
    }
    try {
      return b.build();
    } catch (InvalidInputException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bucket " + bucket + ": " + e.getMessage());
    }
  }

  /**
   * Reads --gcs-credentials like Google's libraries read GOOGLE_APPLICATION_CREDENTIALS: any
   * credentials JSON (service_account, authorized_user, external_account, ...). The file's content
   * never goes into a message, only its path and the parser's complaint (which names fields, not
   * values).
   */
  private GoogleCredentials readGcsCredentials() {
    Path file = gcsCredentials;
    String what = "--gcs-credentials " + file;
    if (!Files.exists(file)) {
      throw new InvalidInputException(
          what
              + ": no such file. Pass a Google credentials JSON file: a service-account key"
              + " (gcloud iam service-accounts keys create key.json --iam-account=<GSA email>) or"
              + " an application-default credentials file");
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(
          what + ": not a file. Pass a Google credentials JSON file, e.g. a service-account key");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return GoogleCredentials.fromStream(in);
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new InvalidInputException(
          what
              + ": cannot read it as Google credentials ("
              + e.getClass().getSimpleName()
              + (why.isBlank() ? "" : ": " + why)
              + "). Pass a Google credentials JSON file: a service-account key as downloaded"
              + " from IAM, or an application-default credentials file");
    }
  }

  /** --gcs-endpoint, checked to be an http(s) URL with a host, without a trailing slash. */
  private String gcsEndpoint() {
    String usage =
        "--gcs-endpoint must be an http(s) URL such as http://127.0.0.1:4443 or"
            + " https://storage.googleapis.com, got "
            + gcsEndpoint;
    URI uri;
    try {
      uri = new URI(gcsEndpoint);
    } catch (URISyntaxException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), usage);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), usage);
    }
    return gcsEndpoint.endsWith("/")
        ? gcsEndpoint.substring(0, gcsEndpoint.length() - 1)
        : gcsEndpoint;
  }

  private Item gcsBucketCheck(GcsWriteCheck gcs) {
    String check = "bucket " + bucket;
    List<String> given = new ArrayList<>();
    if (gcsCredentials != null) {
      given.add("credentials from --gcs-credentials " + gcsCredentials);
    }
    if (gcsEndpoint != null) {
      given.add("endpoint " + gcsEndpoint);
    }
    String via = given.isEmpty() ? "" : " (" + String.join(", ", given) + ")";
    try {
      GcsCheckReport r = gcs.run();
      if (r.ok()) {
        return new Item(check, "OK", "read/write as " + r.principal() + via, "");
      }
      int http = r.httpStatus();
      return new Item(
          check,
          http == 403 || http == 401 ? "FORBIDDEN" : http == 404 ? "MISSING" : "ERROR",
          r.message(),
          r.missingRole()
              .map(role -> "grant " + role + " on gs://" + r.bucket() + " to " + r.principal())
              .orElse("see the message"));
    } catch (RuntimeException e) {
      return new Item(
          check,
          "ERROR",
          e.getMessage(),
          gcsCredentials == null
              ? "check Google credentials (application default), or pass --gcs-credentials FILE"
              : "check the credentials in --gcs-credentials " + gcsCredentials);
    }
  }

  private void print(List<Item> items) {
    PrintWriter out = spec.commandLine().getOut();
    long failed = items.stream().filter(Item::fatal).count();
    long warned = items.stream().filter(i -> i.status().equals("WARN")).count();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("namespace", kube.namespace);
      doc.put("ok", failed == 0);
      doc.put("items", items);
      out.println(Json.write(doc));
    } else {
      for (Item i : items) {
        out.printf(
            "%-9s %s%s%n", i.status(), i.check(), i.detail().isEmpty() ? "" : ": " + i.detail());
        if (!i.status().equals("OK") && !i.fix().isEmpty()) {
          out.printf("          fix: %s%n", i.fix());
        }
      }
      out.printf(
          "%s: %d checks, %d failed, %d warnings%n",
          failed == 0 ? "OK" : "FAILED", items.size(), failed, warned);
    }
    out.flush();
  }
}
