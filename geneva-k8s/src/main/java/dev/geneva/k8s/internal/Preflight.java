package dev.geneva.k8s.internal;

import dev.geneva.k8s.GroupSpec;
import dev.geneva.k8s.PreflightReport;
import dev.geneva.k8s.PreflightReport.Item;
import dev.geneva.k8s.PreflightReport.Status;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The deployment guide's "verify using" and {@code kubectl auth can-i} steps, done by the SDK. */
public final class Preflight {
  /** Where admins find the manifests to fix RBAC and service accounts. */
  static final String SEE = "(see RayClusterManifests / the deployment guide)";

  /**
   * One API permission the SDK uses.
   *
   * @param verb e.g. create
   * @param group API group, "" for core
   * @param resource e.g. rayclusters
   * @param subresource e.g. portforward, or ""
   */
  public record Permission(String verb, String group, String resource, String subresource) {
    /**
     * As {@code kubectl auth can-i} spells it.
     *
     * @return e.g. "create rayclusters.ray.io"
     */
    public String display() {
      return verb
          + " "
          + resource
          + (group.isEmpty() ? "" : "." + group)
          + (subresource.isEmpty() ? "" : "/" + subresource);
    }
  }

  /**
   * The API server's version, from {@code GET /version}, as far as it decides which verbs a
   * port-forward needs.
   *
   * @param major e.g. 1; 0 when unknown
   * @param minor e.g. 35; 0 when unknown
   * @param gitVersion as the server reports it, e.g. {@code v1.31.4-gke.1000}; "" when unknown
   */
  public record ServerVersion(int major, int minor, String gitVersion) {
    /** The version of a server that did not tell (or a test double reporting 0.0). */
    public static final ServerVersion UNKNOWN = new ServerVersion(0, 0, "");

    private static final Pattern GIT = Pattern.compile("v?(\\d+)\\.(\\d+).*");
    private static final Pattern LEADING_DIGITS = Pattern.compile("(\\d+).*");

    /**
     * Whether the server told its version.
     *
     * @return false for {@link #UNKNOWN}
     */
    public boolean known() {
      return major > 0;
    }

    /**
     * Whether this version is at least {@code major.minor}.
     *
     * @param major e.g. 1
     * @param minor e.g. 35
     * @return false when unknown
     */
    public boolean atLeast(int major, int minor) {
      return known() && (this.major > major || this.major == major && this.minor >= minor);
    }

    /**
     * Reads the version from {@code /version}'s fields: {@code gitVersion} first ({@code
     * v1.31.4-gke.1000}), else {@code major}/{@code minor}, whose minor carries a {@code +} on GKE
     * and EKS ({@code "31+"}).
     *
     * @param info the server's answer, or null
     * @return the version, {@link #UNKNOWN} when it tells none
     */
    public static ServerVersion of(VersionInfo info) {
      if (info == null) {
        return UNKNOWN;
      }
      String git = info.getGitVersion() == null ? "" : info.getGitVersion();
      Matcher m = GIT.matcher(git);
      if (m.matches()) {
        return new ServerVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), git);
      }
      Matcher major = LEADING_DIGITS.matcher(info.getMajor() == null ? "" : info.getMajor());
      Matcher minor = LEADING_DIGITS.matcher(info.getMinor() == null ? "" : info.getMinor());
      if (major.matches() && minor.matches()) {
        return new ServerVersion(
            Integer.parseInt(major.group(1)), Integer.parseInt(minor.group(1)), git);
      }
      return UNKNOWN;
    }

    @Override
    public String toString() {
      return known() ? (gitVersion.isEmpty() ? major + "." + minor : gitVersion) : "unknown";
    }
  }

  private Preflight() {}

  /**
   * Every permission start and close use, for a server of unknown version (so port-forwarding
   * checks both verbs a server may require).
   *
   * @param portForwarding whether pods/portforward is needed
   * @return the permissions
   */
  public static List<Permission> permissions(boolean portForwarding) {
    return permissions(portForwarding, ServerVersion.UNKNOWN);
  }

  /**
   * The verbs a port-forward needs on {@code pods/portforward}. fabric8 port-forwards over a
   * websocket, whose upgrade request is a GET, authorized as {@code get}; from Kubernetes 1.35 the
   * API server also requires {@code create} on it (KEP-4006, feature gate
   * AuthorizePodWebsocketUpgradeCreatePermission, on by default). SPDY clients such as older
   * kubectl POST instead, authorized as {@code create} alone, which is why Roles written for them
   * grant only that.
   *
   * @param version the API server's version
   * @return {@code [get]} before 1.35, {@code [get, create]} from 1.35 on or when unknown
   */
  public static List<String> portForwardVerbs(ServerVersion version) {
    return version.known() && !version.atLeast(1, 35) ? List.of("get") : List.of("get", "create");
  }

  /**
   * Every permission start and close use against a server of this version.
   *
   * @param portForwarding whether pods/portforward is needed
   * @param version the API server's version; decides the verbs on pods/portforward
   * @return the permissions
   */
  public static List<Permission> permissions(boolean portForwarding, ServerVersion version) {
    List<Permission> p = new ArrayList<>();
    for (String verb : List.of("create", "get", "list", "watch", "delete", "patch")) {
      p.add(new Permission(verb, "ray.io", "rayclusters", ""));
    }
    for (String verb : List.of("get", "list", "watch")) {
      p.add(new Permission(verb, "", "pods", ""));
    }
    for (String verb : List.of("get", "list")) {
      p.add(new Permission(verb, "", "services", ""));
    }
    if (portForwarding) {
      for (String verb : portForwardVerbs(version)) {
        p.add(new Permission(verb, "", "pods", "portforward"));
      }
    }
    p.add(new Permission("list", "", "events", ""));
    return p;
  }

  /**
   * Runs every check; never throws for a failed check.
   *
   * @param client the client
   * @param cluster the definition
   * @return the report
   */
  public static PreflightReport run(KubernetesClient client, RayClusterSpec cluster) {
    return run(client, ApiCalls.forClient(client), () -> false, cluster);
  }

  /**
   * Runs every check, each call through {@code calls} (429 and 5xx retried briefly); never throws
   * for a failed check, but fails at once when the API server cannot be reached.
   *
   * @param client the client
   * @param calls the client's call wrapper
   * @param abort true stops retrying (a close during start)
   * @param cluster the definition
   * @return the report
   * @throws dev.geneva.k8s.RayClusterException "cannot reach the API server at ..." when the first
   *     call's connection is refused (or the host is unknown, or the connect times out)
   */
  public static PreflightReport run(
      KubernetesClient client, ApiCalls calls, BooleanSupplier abort, RayClusterSpec cluster) {
    Calls c = new Calls(calls, abort);
    String ns = cluster.namespace();
    List<Item> items = new ArrayList<>();
    items.add(namespace(client, c, ns));
    Set<String> accounts = new LinkedHashSet<>();
    List<GroupSpec> groups = new ArrayList<>();
    groups.add(cluster.headGroup());
    groups.addAll(cluster.workerGroups());
    groups.forEach(g -> accounts.add(Manifests.serviceAccount(cluster, g)));
    for (String sa : accounts) {
      items.add(serviceAccount(client, c, ns, sa));
    }
    ServerVersion version = cluster.portForwarding() ? serverVersion(client) : null;
    for (Permission p : permissions(cluster.portForwarding(), version)) {
      items.add(access(client, c, ns, p, version));
    }
    items.add(crd(client, c));
    return new PreflightReport(ns, items);
  }

  /** The wrapper and abort flag of one run. */
  private record Calls(ApiCalls calls, BooleanSupplier abort) {
    <T> T call(String what, Supplier<T> op) {
      return calls.call(what, BUDGET, abort, op);
    }
  }

  /** How long one preflight call may retry 429 and 5xx answers. */
  static final Duration BUDGET = Duration.ofSeconds(10);

  /**
   * The optional RayCluster fields the installed KubeRay has, read from its CRD; {@link
   * KubeRayFeatures#OLDEST} when the CRD cannot be read (reading CRDs is often forbidden).
   *
   * @param client the client
   * @return the features
   */
  public static KubeRayFeatures kubeRayFeatures(KubernetesClient client) {
    try {
      return KubeRayFeatures.fromCrd(
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(RayClusterResource.CRD_NAME)
              .get());
    } catch (KubernetesClientException e) {
      return KubeRayFeatures.OLDEST;
    }
  }

  private static Item namespace(KubernetesClient client, Calls c, String ns) {
    String check = "namespace " + ns;
    try {
      if (c.call(check, () -> client.namespaces().withName(ns).get()) == null) {
        return new Item(
            check,
            Status.MISSING,
            "namespace " + ns + " does not exist",
            "create it: kubectl create namespace " + ns + " " + SEE);
      }
      return new Item(check, Status.OK, "exists", "");
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        return new Item(
            check,
            Status.UNVERIFIED,
            "reading namespaces is forbidden for this identity; the other checks still tell",
            "");
      }
      return error(check, e);
    }
  }

  private static Item serviceAccount(KubernetesClient client, Calls c, String ns, String sa) {
    String check = "service account " + sa;
    try {
      ServiceAccount account =
          c.call(check, () -> client.serviceAccounts().inNamespace(ns).withName(sa).get());
      if (account == null) {
        return new Item(
            check,
            Status.MISSING,
            "service account " + sa + " missing in namespace " + ns,
            "create it: kubectl create serviceaccount "
                + sa
                + " -n "
                + ns
                + " "
                + SEE
                + (sa.equals(GroupSpec.DEFAULT_SERVICE_ACCOUNT)
                    ? "; it is Geneva's default service account (set serviceAccount(..) on the"
                        + " head group to use another, \"default\" for the namespace's own)"
                    : ""));
      }
      Map<String, String> ann =
          account.getMetadata().getAnnotations() == null
              ? Map.of()
              : account.getMetadata().getAnnotations();
      String cloud =
          ann.containsKey("eks.amazonaws.com/role-arn")
              ? "bound to IAM role " + ann.get("eks.amazonaws.com/role-arn")
              : ann.containsKey("iam.gke.io/gcp-service-account")
                  ? "bound to GCP service account " + ann.get("iam.gke.io/gcp-service-account")
                  : "no cloud identity annotation (eks.amazonaws.com/role-arn or"
                      + " iam.gke.io/gcp-service-account): pods get no cloud storage credentials"
                      + " from it";
      return new Item(check, Status.OK, "exists in namespace " + ns + "; " + cloud, "");
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        return new Item(
            check,
            Status.UNVERIFIED,
            "reading service accounts in namespace " + ns + " is forbidden for this identity",
            "");
      }
      return error(check, e);
    }
  }

  /**
   * The API server's version; {@link ServerVersion#UNKNOWN} when {@code /version} fails.
   *
   * @param client the client
   * @return the version
   */
  public static ServerVersion serverVersion(KubernetesClient client) {
    try {
      return ServerVersion.of(client.getKubernetesVersion());
    } catch (KubernetesClientException e) {
      return ServerVersion.UNKNOWN;
    }
  }

  /** Why a port-forward verb is checked on this server, for the report. */
  private static String portForwardReason(Permission p, ServerVersion version) {
    String v =
        version == null || !version.known()
            ? "the API server's version is unknown, so both 'get' and 'create' are checked"
            : "Kubernetes " + version;
    if (p.verb().equals("get")) {
      return v
          + (version != null && version.known() && !version.atLeast(1, 35)
              ? ": the port-forward websocket (a GET) is authorized as 'get' (from 1.35 also as"
                  + " 'create')"
              : ": the port-forward websocket (a GET) is authorized as 'get'");
    }
    return v + ": from 1.35 the port-forward websocket also needs 'create'";
  }

  private static Item access(
      KubernetesClient client, Calls c, String ns, Permission p, ServerVersion version) {
    boolean portForward = p.subresource().equals("portforward");
    String check = "can-i " + p.display() + " in namespace " + ns;
    try {
      SelfSubjectAccessReview review =
          new SelfSubjectAccessReviewBuilder()
              .withNewSpec()
              .withNewResourceAttributes()
              .withNamespace(ns)
              .withVerb(p.verb())
              .withGroup(p.group())
              .withResource(p.resource())
              .withSubresource(p.subresource().isEmpty() ? null : p.subresource())
              .endResourceAttributes()
              .endSpec()
              .build();
      SelfSubjectAccessReview answer =
          c.call(check, () -> client.authorization().v1().selfSubjectAccessReview().create(review));
      boolean allowed =
          answer != null
              && answer.getStatus() != null
              && Boolean.TRUE.equals(answer.getStatus().getAllowed());
      if (allowed) {
        return new Item(
            check,
            Status.OK,
            portForward ? "allowed (" + portForwardReason(p, version) + ")" : "allowed",
            "");
      }
      String why =
          answer != null && answer.getStatus() != null && answer.getStatus().getReason() != null
              ? " (" + answer.getStatus().getReason() + ")"
              : "";
      return new Item(
          check,
          Status.FORBIDDEN,
          "'"
              + p.verb()
              + "' on "
              + resourceName(p)
              + " is forbidden"
              + why
              + (portForward ? " (" + portForwardReason(p, version) + ")" : ""),
          fix(p, ns));
    } catch (KubernetesClientException e) {
      return error(check, e);
    }
  }

  private static String resourceName(Permission p) {
    return (p.subresource().isEmpty() ? p.resource() : p.resource() + "/" + p.subresource())
        + " (apiGroup \""
        + p.group()
        + "\")";
  }

  private static String fix(Permission p, String ns) {
    String grant =
        "grant '"
            + p.verb()
            + "' on "
            + resourceName(p)
            + " in namespace "
            + ns
            + " to this identity with a Role or ClusterRole and a binding";
    if (p.subresource().equals("portforward")) {
      grant +=
          "; grant both 'get' and 'create' on pods/portforward so port-forwarding works before"
              + " and after Kubernetes 1.35 (RayClusterManifests.clientRules() does)";
    }
    if (p.group().equals("ray.io")) {
      grant +=
          "; the deployment guide's ClusterRole only grants get/patch/delete on rayclusters, so a"
              + " client that creates clusters also needs create, list and watch";
    }
    return grant + " " + SEE;
  }

  private static Item crd(KubernetesClient client, Calls c) {
    String check = "CRD " + RayClusterResource.CRD_NAME;
    String install =
        "install the KubeRay operator (1.1 or newer), e.g. helm install kuberay-operator"
            + " kuberay/kuberay-operator "
            + SEE;
    try {
      CustomResourceDefinition crd =
          c.call(
              check,
              () ->
                  client
                      .apiextensions()
                      .v1()
                      .customResourceDefinitions()
                      .withName(RayClusterResource.CRD_NAME)
                      .get());
      if (crd == null) {
        return new Item(
            check, Status.MISSING, "KubeRay's RayCluster CRD is not installed", install);
      }
      List<CustomResourceDefinitionVersion> versions = crd.getSpec().getVersions();
      boolean v1 =
          versions.stream()
              .anyMatch(v -> "v1".equals(v.getName()) && Boolean.TRUE.equals(v.getServed()));
      String served =
          versions.stream()
              .filter(v -> Boolean.TRUE.equals(v.getServed()))
              .map(CustomResourceDefinitionVersion::getName)
              .collect(Collectors.joining(", "));
      if (!v1) {
        return new Item(
            check,
            Status.MISSING,
            "installed but does not serve ray.io/v1 (serves: "
                + served
                + "); KubeRay older than 1.0",
            "upgrade the KubeRay operator to 1.1 or newer " + SEE);
      }
      return new Item(check, Status.OK, "installed, serves " + served, "");
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) {
        return error(check, e);
      }
    }
    // Reading CRDs is cluster-scoped and often forbidden; API discovery is open to all users.
    try {
      APIResourceList resources = c.call(check, () -> client.getApiResources("ray.io/v1"));
      boolean present =
          resources != null
              && resources.getResources().stream().anyMatch(r -> "rayclusters".equals(r.getName()));
      return present
          ? new Item(check, Status.OK, "ray.io/v1 rayclusters served (seen by API discovery)", "")
          : new Item(
              check,
              Status.MISSING,
              "the API server does not serve ray.io/v1 rayclusters",
              install);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return new Item(check, Status.MISSING, "the API server does not serve ray.io/v1", install);
      }
      return error(check, e);
    }
  }

  private static Item error(String check, KubernetesClientException e) {
    return new Item(
        check,
        Status.ERROR,
        "the API server answered HTTP " + e.getCode() + ": " + Errors.safeMessage(e),
        "check the API server URL and credentials (KubeAuth) and retry");
  }
}
