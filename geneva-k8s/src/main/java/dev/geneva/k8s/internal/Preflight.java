package dev.geneva.k8s.internal;

import dev.geneva.k8s.GroupSpec;
import dev.geneva.k8s.PreflightReport;
import dev.geneva.k8s.PreflightReport.Item;
import dev.geneva.k8s.PreflightReport.Status;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  private Preflight() {}

  /**
   * Every permission start and close use.
   *
   * @param portForwarding whether pods/portforward is needed
   * @return the permissions
   */
  public static List<Permission> permissions(boolean portForwarding) {
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
      p.add(new Permission("create", "", "pods", "portforward"));
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
  public static PreflightReport run(KubernetesClient client, RayCluster cluster) {
    String ns = cluster.namespace();
    List<Item> items = new ArrayList<>();
    items.add(namespace(client, ns));
    Set<String> accounts = new LinkedHashSet<>();
    List<GroupSpec> groups = new ArrayList<>();
    groups.add(cluster.headGroup());
    groups.addAll(cluster.workerGroups());
    groups.forEach(g -> accounts.add(Manifests.serviceAccount(cluster, g)));
    for (String sa : accounts) {
      items.add(serviceAccount(client, ns, sa));
    }
    for (Permission p : permissions(cluster.portForwarding())) {
      items.add(access(client, ns, p));
    }
    items.add(crd(client));
    return new PreflightReport(ns, items);
  }

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

  private static Item namespace(KubernetesClient client, String ns) {
    String check = "namespace " + ns;
    try {
      if (client.namespaces().withName(ns).get() == null) {
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

  private static Item serviceAccount(KubernetesClient client, String ns, String sa) {
    String check = "service account " + sa;
    try {
      ServiceAccount account = client.serviceAccounts().inNamespace(ns).withName(sa).get();
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

  private static Item access(KubernetesClient client, String ns, Permission p) {
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
          client.authorization().v1().selfSubjectAccessReview().create(review);
      boolean allowed =
          answer != null
              && answer.getStatus() != null
              && Boolean.TRUE.equals(answer.getStatus().getAllowed());
      if (allowed) {
        return new Item(check, Status.OK, "allowed", "");
      }
      String why =
          answer != null && answer.getStatus() != null && answer.getStatus().getReason() != null
              ? " (" + answer.getStatus().getReason() + ")"
              : "";
      return new Item(
          check,
          Status.FORBIDDEN,
          "'" + p.verb() + "' on " + resourceName(p) + " is forbidden" + why,
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
    if (p.group().equals("ray.io")) {
      grant +=
          "; the deployment guide's ClusterRole only grants get/patch/delete on rayclusters, so a"
              + " client that creates clusters also needs create, list and watch";
    }
    return grant + " " + SEE;
  }

  private static Item crd(KubernetesClient client) {
    String check = "CRD " + RayClusterResource.CRD_NAME;
    String install =
        "install the KubeRay operator (1.1 or newer), e.g. helm install kuberay-operator"
            + " kuberay/kuberay-operator "
            + SEE;
    try {
      CustomResourceDefinition crd =
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(RayClusterResource.CRD_NAME)
              .get();
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
      APIResourceList resources = client.getApiResources("ray.io/v1");
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
