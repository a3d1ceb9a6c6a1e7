package dev.geneva.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.geneva.cloud.aws.iam.EksIamDocuments;
import dev.geneva.k8s.admin.ApplyResult;
import dev.geneva.k8s.admin.RayClusterManifests;
import dev.geneva.k8s.admin.RbacSubject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code geneva manifests}: the Kubernetes objects an admin applies once (namespace, service
 * account, RBAC) as YAML, optionally the EKS IAM documents, and with {@code --apply} applies the
 * Kubernetes objects.
 */
@Command(
    name = "manifests",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the Kubernetes objects Geneva needs (namespace, service account with its cloud"
          + " identity, ClusterRole/Binding for Ray's pods, Role/ClusterRole for clients) as YAML;"
          + " with --eks-bucket/--eks-cluster-arn/--eks-oidc-provider also the IAM policy"
          + " documents (JSON, which is YAML too, as further documents).",
      "With --apply, applies the Kubernetes objects (idempotently) instead of printing them."
    })
public final class ManifestsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin KubeOptions kube;

  @Option(
      names = "--service-account",
      defaultValue = "geneva-ray-runner",
      description = "Service account Ray's pods run as (default: ${DEFAULT-VALUE}).")
  String serviceAccount;

  @Option(
      names = "--eks-role-arn",
      description = "Annotate the service account with this IAM role (EKS).")
  String eksRoleArn;

  @Option(
      names = "--gcp-service-account",
      description = "Annotate the service account with this Google service account email (GKE).")
  String gcpServiceAccount;

  @Option(
      names = "--client-user",
      description = "Grant the client rules to this user (repeatable).")
  List<String> clientUsers = new ArrayList<>();

  @Option(
      names = "--client-group",
      description = "Grant the client rules to this group (repeatable).")
  List<String> clientGroups = new ArrayList<>();

  @Option(
      names = "--client-service-account",
      paramLabel = "NAMESPACE:NAME",
      description = "Grant the client rules to this service account (repeatable).")
  List<String> clientServiceAccounts = new ArrayList<>();

  @Option(
      names = "--create-namespace",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Include the Namespace object (default: true).")
  boolean createNamespace;

  @Option(names = "--eks-bucket", description = "EKS IAM: the S3 bucket Lance tables live in.")
  String eksBucket;

  @Option(names = "--eks-cluster-arn", description = "EKS IAM: the cluster's ARN.")
  String eksClusterArn;

  @Option(
      names = "--eks-oidc-provider",
      description =
          "EKS IAM: the cluster's OIDC provider (oidc.eks.<region>.amazonaws.com/id/...).")
  String eksOidcProvider;

  @Option(
      names = "--eks-client-principal",
      description =
          "EKS IAM: the principal ARN that may assume the client role (adds its trust policy).")
  String eksClientPrincipal;

  @Option(
      names = "--eks-client-role-arn",
      description = "EKS IAM: the client role's ARN (adds the aws eks access-entry commands).")
  String eksClientRoleArn;

  @Option(names = "--only", description = "Print only these: kubernetes or iam (default: both).")
  Only only;

  @Option(names = "--apply", description = "Apply the Kubernetes objects to the cluster.")
  boolean apply;

  @Option(
      names = "--json",
      description = "Print JSON: {kubernetes: [objects], iam: {name: document}}.")
  boolean json;

  /** What {@code --only} selects. */
  enum Only {
    kubernetes,
    iam
  }

  /** Creates the command (picocli instantiates it). */
  public ManifestsCommand() {}

  @Override
  public Integer call() {
    RayClusterManifests manifests = manifests();
    Map<String, String> iam = iamDocuments();
    if (only == Only.iam && iam.isEmpty()) {
      throw usage("--only iam needs --eks-bucket, --eks-cluster-arn and --eks-oidc-provider");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (apply) {
      if (only == Only.iam) {
        throw usage("--apply applies Kubernetes objects; it cannot go with --only iam");
      }
      ApplyResult result;
      try (KubernetesClient client =
          new KubernetesClientBuilder().withConfig(kube.auth().resolve()).build()) {
        result = manifests.apply(client);
      }
      if (json) {
        out.println(Json.write(Map.of("applied", result.objects())));
      } else {
        for (ApplyResult.Applied a : result.objects()) {
          out.printf(
              "%-9s %s %s%n",
              a.outcome(), a.kind(), (a.namespace() == null ? "" : a.namespace() + "/") + a.name());
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
    boolean k8s = only != Only.iam;
    boolean withIam = only != Only.kubernetes && !iam.isEmpty();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      if (k8s) {
        KubernetesSerialization ser = new KubernetesSerialization();
        List<Object> objects = new ArrayList<>();
        for (HasMetadata o : manifests.objects()) {
          objects.add(parse(ser.asJson(o)));
        }
        doc.put("kubernetes", objects);
      }
      if (withIam) {
        Map<String, Object> docs = new LinkedHashMap<>();
        iam.forEach((k, v) -> docs.put(k, k.endsWith("command") ? v : parse(v)));
        doc.put("iam", docs);
      }
      out.println(Json.write(doc));
    } else {
      StringBuilder sb = new StringBuilder();
      if (k8s) {
        sb.append(manifests.toYaml());
      }
      if (withIam) {
        for (Map.Entry<String, String> e : iam.entrySet()) {
          if (e.getKey().endsWith("command")) {
            sb.append("# ").append(e.getKey()).append(":\n");
            for (String line : e.getValue().strip().split("\\R")) {
              sb.append("#   ").append(line).append('\n');
            }
          } else {
            sb.append("---\n# IAM ").append(e.getKey()).append(" (JSON)\n").append(e.getValue());
            if (!e.getValue().endsWith("\n")) {
              sb.append('\n');
            }
          }
        }
      }
      out.print(sb);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private RayClusterManifests manifests() {
    RayClusterManifests.Builder b =
        RayClusterManifests.builder()
            .namespace(kube.namespace)
            .serviceAccountName(serviceAccount)
            .createNamespace(createNamespace);
    if (eksRoleArn != null) {
      b.eksRoleArn(eksRoleArn);
    }
    if (gcpServiceAccount != null) {
      b.gcpServiceAccount(gcpServiceAccount);
    }
    List<RbacSubject> subjects = new ArrayList<>();
    clientUsers.forEach(u -> subjects.add(RbacSubject.user(u)));
    clientGroups.forEach(g -> subjects.add(RbacSubject.group(g)));
    for (String s : clientServiceAccounts) {
      int colon = s.indexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw usage("--client-service-account must be NAMESPACE:NAME, got " + s);
      }
      subjects.add(RbacSubject.serviceAccount(s.substring(0, colon), s.substring(colon + 1)));
    }
    if (!subjects.isEmpty()) {
      b.clientSubjects(subjects);
    }
    return b.build();
  }

  private Map<String, String> iamDocuments() {
    Map<String, String> docs = new LinkedHashMap<>();
    boolean any =
        eksBucket != null
            || eksClusterArn != null
            || eksOidcProvider != null
            || eksClientPrincipal != null
            || eksClientRoleArn != null;
    if (!any) {
      return docs;
    }
    if (eksBucket == null || eksClusterArn == null || eksOidcProvider == null) {
      throw usage(
          "the EKS IAM documents need all of --eks-bucket, --eks-cluster-arn and"
              + " --eks-oidc-provider");
    }
    EksIamDocuments d =
        EksIamDocuments.builder()
            .bucket(eksBucket)
            .clusterArn(eksClusterArn)
            .oidcProvider(eksOidcProvider)
            .namespace(kube.namespace)
            .serviceAccount(serviceAccount)
            .build();
    docs.put("client-role-policy", d.clientRolePolicy());
    if (eksClientPrincipal != null) {
      docs.put("client-role-trust-policy", d.clientRoleTrustPolicy(eksClientPrincipal));
    }
    docs.put("service-account-role-policy", d.serviceAccountRolePolicy());
    docs.put("service-account-trust-policy", d.serviceAccountTrustPolicy());
    if (eksClientRoleArn != null) {
      docs.put("create-access-entry-command", d.createAccessEntryCommand(eksClientRoleArn));
      docs.put("associate-access-policy-command", d.associateAccessPolicyCommand(eksClientRoleArn));
    }
    return docs;
  }

  private static Object parse(String jsonText) {
    try {
      return Json.MAPPER.readTree(jsonText);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
