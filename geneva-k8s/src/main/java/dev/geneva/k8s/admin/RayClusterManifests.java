package dev.geneva.k8s.admin;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.GroupSpec;
import dev.geneva.k8s.admin.internal.Applier;
import dev.geneva.k8s.admin.internal.Names;
import dev.geneva.k8s.admin.internal.YamlStream;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Kubernetes objects an admin sets up once so Geneva can run Ray on KubeRay, as code: the
 * namespace, the service account Ray's pods run as (with its EKS or GKE identity annotation), the
 * deployment guide's ClusterRole and ClusterRoleBinding for it, and, when client subjects are
 * given, the Role and ClusterRole the Geneva <em>client</em> needs to create clusters and
 * port-forward to them.
 *
 * <pre>{@code
 * RayClusterManifests m = RayClusterManifests.builder()
 *     .namespace("geneva").serviceAccountName("geneva-ray-runner")
 *     .eksRoleArn("arn:aws:iam::123456789012:role/geneva-ray-runner")
 *     .clientSubject(RbacSubject.user("geneva-client"))
 *     .build();
 * System.out.println(m.toYaml());            // review, or kubectl apply -f -
 * ApplyResult r = m.apply(kubernetesClient); // or apply it directly, idempotently
 * }</pre>
 *
 * <p>The guide's ClusterRole grants {@code rayclusters} get/patch/delete and {@code pods}
 * get/list/watch only: enough for a client that finds and deletes clusters, not for one that
 * creates them. {@link #clientRules()} lists what a creating client needs, with the reason for each
 * rule.
 */
public final class RayClusterManifests {
  /** The label {@link #apply} and {@link #toYaml()} put on every object they generate. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  /** The value of {@link #MANAGED_BY_LABEL}. */
  public static final String MANAGED_BY = "geneva";

  /** The annotation binding a service account to an AWS IAM role (IRSA). */
  public static final String EKS_ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";

  /** The annotation binding a service account to a Google service account (workload identity). */
  public static final String GKE_SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account";

  private static final String RBAC_GROUP = "rbac.authorization.k8s.io";
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
  private static final Pattern GSA_EMAIL =
      Pattern.compile("[^@\\s]+@[^@\\s]+\\.gserviceaccount\\.com");

  private final String namespace;
  private final String serviceAccountName;
  private final String clusterRoleName;
  private final String clusterRoleBindingName;
  private final String clientRoleName;
  private final List<RbacSubject> clientSubjects;
  private final String eksRoleArn;
  private final String gcpServiceAccount;
  private final boolean createNamespace;
  private final ReaperManifests reaper;

  private RayClusterManifests(Builder b) {
    this.namespace = b.namespace;
    this.serviceAccountName = b.serviceAccountName;
    this.clusterRoleName =
        b.clusterRoleName != null ? b.clusterRoleName : b.serviceAccountName + "-role";
    this.clusterRoleBindingName =
        b.clusterRoleBindingName != null
            ? b.clusterRoleBindingName
            : b.serviceAccountName + "-binding";
    this.clientRoleName = b.clientRoleName;
    this.clientSubjects = List.copyOf(b.clientSubjects);
    this.eksRoleArn = b.eksRoleArn;
    this.gcpServiceAccount = b.gcpServiceAccount;
    this.createNamespace = b.createNamespace;
    this.reaper = b.reaper;
  }

  /**
   * Starts a set of manifests with the deployment guide's defaults: namespace {@code geneva},
   * service account {@code geneva-ray-runner}, ClusterRole {@code geneva-ray-runner-role} bound by
   * {@code geneva-ray-runner-binding}, no cloud annotation, no client subjects.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies these manifests' inputs into a builder.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.namespace = namespace;
    b.serviceAccountName = serviceAccountName;
    b.clusterRoleName = clusterRoleName;
    b.clusterRoleBindingName = clusterRoleBindingName;
    b.clientRoleName = clientRoleName;
    b.clientSubjects.addAll(clientSubjects);
    b.eksRoleArn = eksRoleArn;
    b.gcpServiceAccount = gcpServiceAccount;
    b.createNamespace = createNamespace;
    b.reaper = reaper;
    return b;
  }

  /**
   * The namespace Ray's pods and the RayCluster resources live in.
   *
   * @return the namespace name
   */
  public String namespaceName() {
    return namespace;
  }

  /**
   * The client subjects the client Role is bound to.
   *
   * @return the subjects, possibly empty
   */
  public List<RbacSubject> clientSubjects() {
    return clientSubjects;
  }

  /**
   * The in-cluster reaper of RayClusters whose lease ran out, when one was added.
   *
   * @return the reaper's manifests
   */
  public Optional<ReaperManifests> reaper() {
    return Optional.ofNullable(reaper);
  }

  /**
   * The namespace object ({@code kubectl create namespace $NAMESPACE}).
   *
   * @return a new namespace object
   */
  public Namespace namespace() {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(namespace)
        .withLabels(labels())
        .endMetadata()
        .build();
  }

  /**
   * The service account Ray's head and worker pods run as, annotated with the EKS role ARN or the
   * Google service account when one was given.
   *
   * @return a new service account object
   */
  public ServiceAccount serviceAccount() {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (eksRoleArn != null) {
      annotations.put(EKS_ROLE_ARN_ANNOTATION, eksRoleArn);
    }
    if (gcpServiceAccount != null) {
      annotations.put(GKE_SERVICE_ACCOUNT_ANNOTATION, gcpServiceAccount);
    }
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(serviceAccountName)
        .withNamespace(namespace)
        .withLabels(labels())
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .endMetadata()
        .build();
  }

  /**
   * The deployment guide's ClusterRole, rule for rule: {@code pods} get/list/watch and {@code
   * ray.io rayclusters} get/patch/delete.
   *
   * @return a new ClusterRole
   */
  public ClusterRole clusterRole() {
    return new ClusterRoleBuilder()
        .withNewMetadata()
        .withName(clusterRoleName)
        .withLabels(labels())
        .endMetadata()
        .withRules(
            rule("", "pods", "get", "list", "watch"),
            rule("ray.io", "rayclusters", "get", "patch", "delete"))
        .build();
  }

  /**
   * The deployment guide's ClusterRoleBinding of {@link #clusterRole()} to the service account.
   *
   * @return a new ClusterRoleBinding
   */
  public ClusterRoleBinding clusterRoleBinding() {
    return new ClusterRoleBindingBuilder()
        .withNewMetadata()
        .withName(clusterRoleBindingName)
        .withLabels(labels())
        .endMetadata()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(serviceAccountName)
        .withNamespace(namespace)
        .endSubject()
        .withNewRoleRef(RBAC_GROUP, "ClusterRole", clusterRoleName)
        .build();
  }

  /**
   * Every rule a Geneva client needs to create a RayCluster, wait for it, port-forward to its
   * dashboard, run preflight checks and delete it, with the reason for each. The namespaced ones go
   * in {@link #clientRole()}; {@code customresourcedefinitions} and {@code
   * selfsubjectaccessreviews} are cluster-scoped, which a namespaced Role cannot grant, so they go
   * in {@link #clientClusterRole()}.
   *
   * @return the rules
   */
  public static List<ClientRule> clientRules() {
    return List.of(
        new ClientRule(
            rule("ray.io", "rayclusters", "get", "list", "watch", "create", "patch", "delete"),
            false,
            "start() creates the RayCluster, watches it until ready and deletes it on close;"
                + " list finds clusters left behind by label. create, list and watch go beyond the"
                + " guide's ClusterRole (get, patch, delete)"),
        new ClientRule(
            rule("ray.io", "rayjobs", "get", "list", "create", "delete"),
            false,
            "detached backfills (DetachedBackfills, geneva backfill --detached, geneva jobs"
                + " detached): submit the backfill as a RayJob, follow it, list the SDK's RayJobs"
                + " and cancel one"),
        new ClientRule(
            rule("", "pods", "get", "list", "watch"),
            false,
            "find the head pod by label, wait until it is Ready, and report a CrashLoopBackOff,"
                + " ImagePullBackOff or Unschedulable pod's reason (also in the guide's"
                + " ClusterRole, which is bound to the Ray service account, not to clients)"),
        new ClientRule(
            rule("", "pods/portforward", "get", "create"),
            false,
            "port-forward to the head pod's dashboard (8265) and client (10001) ports; the"
                + " websocket upgrade is authorized as get before Kubernetes 1.35 and as create"
                + " from 1.35 on"),
        new ClientRule(
            rule("", "services", "get", "list"),
            false,
            "find the head service (status.head.serviceName, or by label on KubeRay 1.1)"),
        new ClientRule(
            rule("", "events", "list"),
            false,
            "quote the pod's and the RayCluster's events when start() fails"),
        new ClientRule(
            rule("", "serviceaccounts", "get"),
            false,
            "preflight: check the Ray service account exists and carries its cloud annotation"),
        new ClientRule(
            rule("", "namespaces", "get"),
            false,
            "preflight: check the namespace exists (a Role may grant get on its own namespace)"),
        new ClientRule(
            new PolicyRuleBuilder(rule("apiextensions.k8s.io", "customresourcedefinitions", "get"))
                .withResourceNames("rayclusters.ray.io", "rayjobs.ray.io")
                .build(),
            true,
            "preflight: check KubeRay is installed and which ray.io versions it serves; a"
                + " detached backfill reads the RayJob CRD for the fields its KubeRay supports"),
        new ClientRule(
            rule("authorization.k8s.io", "selfsubjectaccessreviews", "create"),
            true,
            "preflight: ask the API server whether each of these rules is granted (usually also"
                + " granted to every authenticated user by system:basic-user)"));
  }

  /**
   * The namespaced Role holding the namespaced {@link #clientRules()}.
   *
   * @return a new Role, or empty when no client subject was given
   */
  public Optional<Role> clientRole() {
    if (clientSubjects.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RoleBuilder()
            .withNewMetadata()
            .withName(clientRoleName)
            .withNamespace(namespace)
            .withLabels(labels())
            .endMetadata()
            .withRules(rules(false))
            .build());
  }

  /**
   * The RoleBinding of {@link #clientRole()} to the client subjects.
   *
   * @return a new RoleBinding, or empty when no client subject was given
   */
  public Optional<RoleBinding> clientRoleBinding() {
    if (clientSubjects.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RoleBindingBuilder()
            .withNewMetadata()
            .withName(clientRoleName)
            .withNamespace(namespace)
            .withLabels(labels())
            .endMetadata()
            .withSubjects(subjects())
            .withNewRoleRef(RBAC_GROUP, "Role", clientRoleName)
            .build());
  }

  /**
   * The ClusterRole holding the cluster-scoped {@link #clientRules()}, named {@code
   * <clientRoleName>-cluster}. It is the same for every namespace, so several namespaces share it.
   *
   * @return a new ClusterRole, or empty when no client subject was given
   */
  public Optional<ClusterRole> clientClusterRole() {
    if (clientSubjects.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ClusterRoleBuilder()
            .withNewMetadata()
            .withName(clientRoleName + "-cluster")
            .withLabels(labels())
            .endMetadata()
            .withRules(rules(true))
            .build());
  }

  /**
   * The ClusterRoleBinding of {@link #clientClusterRole()} to the client subjects, named {@code
   * <clientRoleName>-cluster-<namespace>} so each namespace's clients keep their own binding.
   *
   * @return a new ClusterRoleBinding, or empty when no client subject was given
   */
  public Optional<ClusterRoleBinding> clientClusterRoleBinding() {
    if (clientSubjects.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ClusterRoleBindingBuilder()
            .withNewMetadata()
            .withName(clientRoleName + "-cluster-" + namespace)
            .withLabels(labels())
            .endMetadata()
            .withSubjects(subjects())
            .withNewRoleRef(RBAC_GROUP, "ClusterRole", clientRoleName + "-cluster")
            .build());
  }

  /**
   * Every object, in the order to apply them: namespace (unless {@link
   * Builder#createNamespace(boolean)} is false), service account, ClusterRole, ClusterRoleBinding,
   * then the client Role, RoleBinding, ClusterRole and ClusterRoleBinding when client subjects were
   * given, then the {@linkplain Builder#reaper reaper}'s ServiceAccount, Role, RoleBinding and
   * CronJob when one was added.
   *
   * @return new objects
   */
  public List<HasMetadata> objects() {
    List<HasMetadata> out = new ArrayList<>();
    if (createNamespace) {
      out.add(namespace());
    }
    out.add(serviceAccount());
    out.add(clusterRole());
    out.add(clusterRoleBinding());
    clientRole().ifPresent(out::add);
    clientRoleBinding().ifPresent(out::add);
    clientClusterRole().ifPresent(out::add);
    clientClusterRoleBinding().ifPresent(out::add);
    if (reaper != null) {
      out.addAll(reaper.objects());
    }
    return out;
  }

  /**
   * {@link #objects()} as one multi-document YAML stream, for review or {@code kubectl apply -f -}.
   *
   * @return the YAML
   */
  public String toYaml() {
    return YamlStream.of(objects());
  }

  /**
   * Creates or updates {@link #objects()} so the cluster matches them; running it again changes
   * nothing. An existing namespace is left as it is; an existing service account keeps its other
   * annotations and gets ours added; roles get our rules; bindings get our subjects. A binding
   * whose {@code roleRef} differs is not touched (Kubernetes forbids changing it): that is an
   * error.
   *
   * @param client a client with the rights to manage RBAC (creating ClusterRoles needs cluster
   *     admin rights)
   * @return what happened to each object
   * @throws dev.geneva.GenevaException when the API server refuses an object; the message names it
   */
  public ApplyResult apply(KubernetesClient client) {
    return new ApplyResult(new Applier(client).apply(objects()));
  }

  @Override
  public String toString() {
    return "RayClusterManifests{namespace="
        + namespace
        + ", serviceAccount="
        + serviceAccountName
        + ", clusterRole="
        + clusterRoleName
        + ", clusterRoleBinding="
        + clusterRoleBindingName
        + ", clientRole="
        + clientRoleName
        + ", clientSubjects="
        + clientSubjects
        + ", eksRoleArn="
        + eksRoleArn
        + ", gcpServiceAccount="
        + gcpServiceAccount
        + ", reaper="
        + reaper
        + "}";
  }

  private List<PolicyRule> rules(boolean clusterScoped) {
    return clientRules().stream()
        .filter(r -> r.clusterScoped() == clusterScoped)
        .map(ClientRule::rule)
        .toList();
  }

  private List<Subject> subjects() {
    return clientSubjects.stream().map(RbacSubject::toSubject).toList();
  }

  private static Map<String, String> labels() {
    return Map.of(MANAGED_BY_LABEL, MANAGED_BY);
  }

  private static PolicyRule rule(String apiGroup, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(apiGroup)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  /** Builds {@link RayClusterManifests}; {@link #build()} checks every name before any API call. */
  public static final class Builder {
    private String namespace = "geneva";
    private String serviceAccountName = GroupSpec.DEFAULT_SERVICE_ACCOUNT;
    private String clusterRoleName;
    private String clusterRoleBindingName;
    private String clientRoleName = "geneva-client";
    private final Set<RbacSubject> clientSubjects = new LinkedHashSet<>();
    private String eksRoleArn;
    private String gcpServiceAccount;
    private boolean createNamespace = true;
    private ReaperManifests reaper;

    private Builder() {}

    /**
     * Adds the in-cluster reaper ({@link ReaperManifests}): a CronJob deleting the namespace's
     * RayClusters whose lease ran out, with its ServiceAccount, Role and RoleBinding.
     *
     * @param reaper the reaper, for the same namespace; null for none
     * @return this builder
     */
    public Builder reaper(ReaperManifests reaper) {
      this.reaper = reaper;
      return this;
    }

    /**
     * Sets the namespace (default {@code geneva}).
     *
     * @param namespace an RFC 1123 label
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /**
     * Sets the service account Ray's pods run as (default {@code geneva-ray-runner}).
     *
     * @param name an RFC 1123 subdomain
     * @return this builder
     */
    public Builder serviceAccountName(String name) {
      this.serviceAccountName = name;
      return this;
    }

    /**
     * Sets the ClusterRole's name (default {@code <serviceAccountName>-role}, as in the guide).
     *
     * @param name the name, or null for the default
     * @return this builder
     */
    public Builder clusterRoleName(String name) {
      this.clusterRoleName = name;
      return this;
    }

    /**
     * Sets the ClusterRoleBinding's name (default {@code <serviceAccountName>-binding}).
     *
     * @param name the name, or null for the default
     * @return this builder
     */
    public Builder clusterRoleBindingName(String name) {
      this.clusterRoleBindingName = name;
      return this;
    }

    /**
     * Sets the name of the client Role and RoleBinding (default {@code geneva-client}); the client
     * ClusterRole is {@code <name>-cluster}.
     *
     * @param name the name
     * @return this builder
     */
    public Builder clientRoleName(String name) {
      this.clientRoleName = name;
      return this;
    }

    /**
     * Adds a subject Geneva clients run as; with at least one, the client Role, ClusterRole and
     * their bindings are generated.
     *
     * @param subject the subject
     * @return this builder
     */
    public Builder clientSubject(RbacSubject subject) {
      if (subject == null) {
        throw new InvalidInputException(
            "RayClusterManifests.clientSubject is null: pass RbacSubject.user(...), group(...) or"
                + " serviceAccount(...)");
      }
      clientSubjects.add(subject);
      return this;
    }

    /**
     * Sets the subjects Geneva clients run as, replacing earlier ones.
     *
     * @param subjects the subjects, possibly empty
     * @return this builder
     */
    public Builder clientSubjects(List<RbacSubject> subjects) {
      clientSubjects.clear();
      subjects.forEach(this::clientSubject);
      return this;
    }

    /**
     * Annotates the service account with {@code eks.amazonaws.com/role-arn} so Ray's pods on EKS
     * assume this IAM role (IRSA).
     *
     * @param roleArn e.g. {@code arn:aws:iam::123456789012:role/geneva-ray-runner}, or null
     * @return this builder
     */
    public Builder eksRoleArn(String roleArn) {
      this.eksRoleArn = roleArn;
      return this;
    }

    /**
     * Annotates the service account with {@code iam.gke.io/gcp-service-account} so Ray's pods on
     * GKE act as this Google service account (workload identity).
     *
     * @param email e.g. {@code geneva-ray-runner@my-project.iam.gserviceaccount.com}, or null
     * @return this builder
     */
    public Builder gcpServiceAccount(String email) {
      this.gcpServiceAccount = email;
      return this;
    }

    /**
     * Whether to generate and apply the namespace (default true); false when it is managed
     * elsewhere.
     *
     * @param create whether to include the namespace
     * @return this builder
     */
    public Builder createNamespace(boolean create) {
      this.createNamespace = create;
      return this;
    }

    /**
     * Checks every input and builds the manifests.
     *
     * @return the manifests
     * @throws InvalidInputException naming the bad field, what was expected and how to fix it
     */
    public RayClusterManifests build() {
      Names.checkLabel("RayClusterManifests.namespace", namespace);
      Names.checkSubdomain("RayClusterManifests.serviceAccountName", serviceAccountName);
      if (clusterRoleName != null) {
        Names.checkRbacName("RayClusterManifests.clusterRoleName", clusterRoleName);
      }
      if (clusterRoleBindingName != null) {
        Names.checkRbacName("RayClusterManifests.clusterRoleBindingName", clusterRoleBindingName);
      }
      Names.checkRbacName("RayClusterManifests.clientRoleName", clientRoleName);
      if (eksRoleArn != null && gcpServiceAccount != null) {
        throw new InvalidInputException(
            "RayClusterManifests has both eksRoleArn and gcpServiceAccount: a service account runs"
                + " on one cloud, so set eksRoleArn for EKS or gcpServiceAccount for GKE, not both");
      }
      if (eksRoleArn != null && !ROLE_ARN.matcher(eksRoleArn).matches()) {
        throw new InvalidInputException(
            "RayClusterManifests.eksRoleArn '"
                + eksRoleArn
                + "' is not an IAM role ARN: expected arn:aws:iam::<12-digit account>:role/<name>,"
                + " e.g. arn:aws:iam::123456789012:role/geneva-ray-runner");
      }
      if (gcpServiceAccount != null && !GSA_EMAIL.matcher(gcpServiceAccount).matches()) {
        throw new InvalidInputException(
            "RayClusterManifests.gcpServiceAccount '"
                + gcpServiceAccount
                + "' is not a Google service account email: expected"
                + " <name>@<project>.iam.gserviceaccount.com");
      }
      if (reaper != null && !reaper.namespace().equals(namespace)) {
        throw new InvalidInputException(
            "RayClusterManifests.reaper is for namespace "
                + reaper.namespace()
                + " but the manifests are for "
                + namespace
                + ": build the reaper with namespace(\""
                + namespace
                + "\")");
      }
      return new RayClusterManifests(this);
    }
  }
}
