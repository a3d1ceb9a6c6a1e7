package dev.geneva.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.geneva.cloud.aws.iam.EksIamDocuments;
import dev.geneva.k8s.KubeApi;
import dev.geneva.k8s.admin.ApplyResult;
import dev.geneva.k8s.admin.RayClusterManifests;
import dev.geneva.k8s.admin.RbacSubject;
import dev.geneva.k8s.admin.ReaperManifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * account, RBAC) as YAML on stdout, which {@code kubectl apply -f -} takes as it is; with the EKS
 * options also the IAM documents, written as files to {@code --iam-out DIR} (they are IAM JSON, not
 * Kubernetes objects, so they never go into the YAML stream); with {@code --apply} applies the
 * Kubernetes objects.
 */
@Command(
    name = "manifests",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the Kubernetes objects Geneva needs (namespace, service account with its cloud"
          + " identity, ClusterRole/Binding for Ray's pods, Role/ClusterRole for clients) as YAML"
          + " documents, ready for kubectl apply -f -.",
      "With --eks-bucket/--eks-cluster-arn/--eks-oidc-provider it also writes the IAM policy"
          + " documents as JSON files (and the aws eks access-entry commands as a script) to"
          + " --iam-out DIR; stdout stays Kubernetes YAML only. --json puts both in one JSON"
          + " document instead.",
      "With --reaper it adds the in-cluster reaper: a CronJob running geneva clusters reap"
          + " --expired every few minutes (--reaper-schedule), with its ServiceAccount, Role"
          + " (rayclusters list/get/delete in the namespace) and RoleBinding. It runs the Geneva"
          + " CLI's jar in an image you build (--reaper-image; Dockerfile in docs/kubernetes.md),"
          + " so a cluster whose client died runs at most its lease plus one reaper period.",
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
          "EKS IAM: the cluster's OIDC provider: its issuer URL"
              + " (https://oidc.eks.<region>.amazonaws.com/id/...), the issuer without https://, or"
              + " the IAM OIDC provider's ARN (arn:<partition>:iam::<account>:oidc-provider/...).")
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

  @Option(
      names = "--iam-out",
      paramLabel = "DIR",
      description =
          "EKS IAM: write the IAM documents here (created if missing; files are overwritten):"
              + " client-role-policy.json, client-role-trust-policy.json (with"
              + " --eks-client-principal), service-account-role-policy.json,"
              + " service-account-trust-policy.json and eks-access-entry.sh (with"
              + " --eks-client-role-arn).")
  Path iamOut;

  @Option(
      names = "--only",
      description =
          "Only these: kubernetes (no IAM files), iam (no YAML on stdout; needs --iam-out or"
              + " --json) or reaper (only the reaper's objects; needs --reaper). Default: both"
              + " kubernetes and iam.")
  Only only;

  @Option(
      names = "--reaper",
      description =
          "Add the in-cluster reaper (CronJob, ServiceAccount, Role, RoleBinding); needs"
              + " --reaper-image.")
  boolean reaper;

  @Option(
      names = "--reaper-image",
      paramLabel = "IMAGE",
      description =
          "The reaper's image: a JRE 17 image with the Geneva CLI's runnable jar (geneva.jar) at"
              + " --reaper-jar; see the Dockerfile in docs/kubernetes.md.")
  String reaperImage;

  @Option(
      names = "--reaper-schedule",
      paramLabel = "CRON",
      description =
          "The reaper's schedule, five cron fields or a macro such as @hourly (default:"
              + " "
              + ReaperManifests.DEFAULT_SCHEDULE
              + ", every 5 minutes).")
  String reaperSchedule;

  @Option(
      names = "--reaper-grace",
      converter = Durations.class,
      description = "How long past its end a lease still counts, for clock skew (default: 60s).")
  Duration reaperGrace;

  @Option(
      names = "--reaper-jar",
      paramLabel = "PATH",
      description =
          "Where the image keeps the CLI's jar (default: " + ReaperManifests.DEFAULT_JAR + ").")
  String reaperJar;

  @Option(names = "--apply", description = "Apply the Kubernetes objects to the cluster.")
  boolean apply;

  @Option(
      names = "--json",
      description = "Print JSON: {kubernetes: [objects], iam: {name: document}}.")
  boolean json;

  /** What {@code --only} selects. */
  enum Only {
    kubernetes,
    iam,
    reaper
  }

  /** Creates the command (picocli instantiates it). */
  public ManifestsCommand() {}

  @Override
  public Integer call() {
    ReaperManifests reaperManifests = reaperManifests();
    if (only == Only.reaper && reaperManifests == null) {
      throw usage("--only reaper needs --reaper (and --reaper-image)");
    }
    RayClusterManifests manifests = manifests(reaperManifests);
    boolean noIam = only == Only.kubernetes || only == Only.reaper;
    Map<String, String> iam = noIam ? Map.of() : iamDocuments();
    if (only == Only.iam && iam.isEmpty()) {
      throw usage("--only iam needs --eks-bucket, --eks-cluster-arn and --eks-oidc-provider");
    }
    if (iamOut != null && iam.isEmpty()) {
      throw usage(
          noIam
              ? "--iam-out writes IAM documents, which --only " + only + " leaves out"
              : "--iam-out needs --eks-bucket, --eks-cluster-arn and --eks-oidc-provider");
    }
    if (!iam.isEmpty() && iamOut == null && (!json || apply)) {
      throw usage(
          "the EKS IAM documents are IAM JSON, not Kubernetes objects, so they do not go into the"
              + " YAML on stdout: add --iam-out DIR to write them as files"
              + (apply ? "" : " (or --json for one JSON document with both)")
              + ", or --only kubernetes to leave them out");
    }
    if (iamOut != null) {
      writeIamFiles(iam);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (apply) {
      if (only == Only.iam) {
        throw usage("--apply applies Kubernetes objects; it cannot go with --only iam");
      }
      ApplyResult result;
      // No fabric8 retries: a refused API server fails within seconds, not ~19 s per call.
      try (KubeApi api = KubeApi.connect(kube.auth())) {
        KubernetesClient client = api.client();
        result = only == Only.reaper ? reaperManifests.apply(client) : manifests.apply(client);
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
    boolean withIam = !iam.isEmpty();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      if (k8s) {
        KubernetesSerialization ser = new KubernetesSerialization();
        List<Object> objects = new ArrayList<>();
        for (HasMetadata o :
            only == Only.reaper ? reaperManifests.objects() : manifests.objects()) {
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
    } else if (k8s) {
      // Kubernetes objects only: whatever else is asked for went to --iam-out.
      out.print(only == Only.reaper ? reaperManifests.toYaml() : manifests.toYaml());
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** The reaper's manifests when {@code --reaper} asks for them; null otherwise. */
  private ReaperManifests reaperManifests() {
    if (!reaper) {
      if (reaperImage != null
          || reaperSchedule != null
          || reaperGrace != null
          || reaperJar != null) {
        throw usage(
            "--reaper-image, --reaper-schedule, --reaper-grace and --reaper-jar go with --reaper");
      }
      return null;
    }
    if (reaperImage == null) {
      throw usage(
          "--reaper needs --reaper-image IMAGE: an image with a JRE 17 and the Geneva CLI's jar at "
              + (reaperJar == null ? ReaperManifests.DEFAULT_JAR : reaperJar)
              + " (build it with the Dockerfile in docs/kubernetes.md and push it where the nodes"
              + " pull from)");
    }
    ReaperManifests.Builder b =
        ReaperManifests.builder().namespace(kube.namespace).image(reaperImage);
    if (reaperSchedule != null) {
      b.schedule(reaperSchedule);
    }
    if (reaperGrace != null) {
      b.grace(reaperGrace);
    }
    if (reaperJar != null) {
      b.jarPath(reaperJar);
    }
    return b.build();
  }

  private RayClusterManifests manifests(ReaperManifests reaperManifests) {
    RayClusterManifests.Builder b =
        RayClusterManifests.builder()
            .namespace(kube.namespace)
            .serviceAccountName(serviceAccount)
            .createNamespace(createNamespace)
            .reaper(reaperManifests);
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

  /**
   * Writes each IAM document to {@code --iam-out} as {@code <name>.json}, and the access-entry
   * commands as one script, then lists the files on stderr (stdout carries only YAML or JSON).
   */
  private void writeIamFiles(Map<String, String> iam) {
    List<Path> written = new ArrayList<>();
    StringBuilder script = new StringBuilder();
    try {
      Files.createDirectories(iamOut);
      for (Map.Entry<String, String> e : iam.entrySet()) {
        if (e.getKey().endsWith("command")) {
          script.append(e.getValue().strip()).append('\n');
        } else {
          Path file = iamOut.resolve(e.getKey() + ".json");
          String body = e.getValue().endsWith("\n") ? e.getValue() : e.getValue() + "\n";
          Files.writeString(file, body, StandardCharsets.UTF_8);
          written.add(file);
        }
      }
      if (script.length() > 0) {
        Path file = iamOut.resolve("eks-access-entry.sh");
        Files.writeString(
            file,
            "#!/bin/sh\n# Grants the Geneva client role access to the EKS cluster (EKS access"
                + " entry).\nset -e\n"
                + script,
            StandardCharsets.UTF_8);
        written.add(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the IAM documents to --iam-out " + iamOut, e);
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("wrote the EKS IAM documents to " + iamOut + ":");
    for (Path file : written) {
      err.println("  " + file.getFileName());
    }
    err.flush();
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
