package dev.geneva.k8s.admin;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.ClusterLease;
import dev.geneva.k8s.admin.internal.Applier;
import dev.geneva.k8s.admin.internal.Names;
import dev.geneva.k8s.admin.internal.YamlStream;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The in-cluster reaper of leaked RayClusters: a CronJob that runs {@code geneva clusters reap
 * --expired} every few minutes in a namespace, with a ServiceAccount, and a Role and RoleBinding
 * that grant it only {@code list}, {@code get} and {@code delete} on {@code rayclusters.ray.io} in
 * that namespace. With it, a cluster whose client died without closing it ({@code kill -9}, a lost
 * laptop) runs at most its {@linkplain ClusterLease lease} plus one reaper period (plus the grace).
 *
 * <p>The CronJob runs the Geneva CLI's runnable jar ({@code geneva-cli/target/geneva.jar}) with
 * {@code java -jar} in an image that the admin builds and pushes (a JRE 17 image plus the jar; see
 * docs/kubernetes.md, "The lease and the reaper"): no public image carries it, so {@link
 * Builder#image} has no default.
 *
 * <pre>{@code
 * ReaperManifests reaper = ReaperManifests.builder()
 *     .namespace("geneva")
 *     .image("registry.example.com/geneva-cli:0.1.0")
 *     .schedule("0,10,20,30,40,50 * * * *") // every 10 minutes
 *     .build();
 * System.out.println(reaper.toYaml()); // or RayClusterManifests.builder()...reaper(reaper)
 * }</pre>
 */
public final class ReaperManifests {
  /** The default name of the CronJob, ServiceAccount, Role and RoleBinding. */
  public static final String DEFAULT_NAME = "geneva-reaper";

  /** The default schedule: every 5 minutes. */
  public static final String DEFAULT_SCHEDULE = "*/5 * * * *";

  /** Where the default image layout keeps the CLI's runnable jar. */
  public static final String DEFAULT_JAR = "/opt/geneva/geneva.jar";

  /** The default grace past a lease's end, for clock skew between clients and the cluster. */
  public static final Duration DEFAULT_GRACE = Duration.ofMinutes(1);

  /** The unprivileged user the reaper runs as, whatever the image's own user. */
  public static final long RUN_AS_USER = 65532;

  private static final String RBAC_GROUP = "rbac.authorization.k8s.io";
  private static final Pattern CRON_FIELD =
      Pattern.compile(
          "(\\*|\\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[0-9]+)?(,(\\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[0-9]+)?)*");
  private static final List<String> CRON_MACROS =
      List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");

  private final String namespace;
  private final String name;
  private final String schedule;
  private final String image;
  private final String jarPath;
  private final Duration grace;

  private ReaperManifests(Builder b) {
    this.namespace = b.namespace;
    this.name = b.name;
    this.schedule = b.schedule;
    this.image = b.image;
    this.jarPath = b.jarPath;
    this.grace = b.grace;
  }

  /**
   * Starts a reaper with the defaults: namespace {@code geneva}, name {@value #DEFAULT_NAME},
   * schedule {@value #DEFAULT_SCHEDULE}, jar {@value #DEFAULT_JAR}, grace 1 minute; the image must
   * be set.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies these inputs into a builder.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.namespace = namespace;
    b.name = name;
    b.schedule = schedule;
    b.image = image;
    b.jarPath = jarPath;
    b.grace = grace;
    return b;
  }

  /**
   * The namespace reaped, where the objects live.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * The CronJob's schedule.
   *
   * @return the cron expression
   */
  public String schedule() {
    return schedule;
  }

  /**
   * The image the CronJob runs.
   *
   * @return the image
   */
  public String image() {
    return image;
  }

  /**
   * The arguments of {@code java -jar <jar>} in the CronJob: the CLI's reaper command.
   *
   * @return e.g. {@code clusters reap --expired --in-cluster --namespace geneva --grace 60s}
   */
  public List<String> cliArgs() {
    return List.of(
        "clusters",
        "reap",
        "--expired",
        "--in-cluster",
        "--namespace",
        namespace,
        "--grace",
        grace.toSeconds() + "s");
  }

  /**
   * The service account the reaper's pods run as.
   *
   * @return a new ServiceAccount
   */
  public ServiceAccount serviceAccount() {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels())
        .endMetadata()
        .build();
  }

  /**
   * The Role: {@code rayclusters.ray.io} list (find Geneva's clusters by label), get and delete, in
   * this namespace only.
   *
   * @return a new Role
   */
  public Role role() {
    return new RoleBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels())
        .endMetadata()
        .withRules(
            new PolicyRuleBuilder()
                .withApiGroups("ray.io")
                .withResources("rayclusters")
                .withVerbs("list", "get", "delete")
                .build())
        .build();
  }

  /**
   * The RoleBinding of {@link #role()} to {@link #serviceAccount()}.
   *
   * @return a new RoleBinding
   */
  public RoleBinding roleBinding() {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels())
        .endMetadata()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(name)
        .withNamespace(namespace)
        .endSubject()
        .withNewRoleRef(RBAC_GROUP, "Role", name)
        .build();
  }

  /**
   * The CronJob ({@code batch/v1}): one run at a time ({@code Forbid}), no retries within a run
   * (the next run retries), a 5-minute deadline, the last successful and three failed runs kept for
   * {@code kubectl logs}; an unprivileged, read-only container with a small heap.
   *
   * @return a new CronJob
   */
  public CronJob cronJob() {
    return new CronJobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels())
        .endMetadata()
        .withNewSpec()
        .withSchedule(schedule)
        .withConcurrencyPolicy("Forbid")
        .withStartingDeadlineSeconds(300L)
        .withSuccessfulJobsHistoryLimit(1)
        .withFailedJobsHistoryLimit(3)
        .withNewJobTemplate()
        .withNewMetadata()
        .withLabels(labels())
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(300L)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels())
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(name)
        .withAutomountServiceAccountToken(true)
        .withRestartPolicy("Never")
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS_USER)
        .withRunAsGroup(RUN_AS_USER)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withContainers(
            new ContainerBuilder()
                .withName("reaper")
                .withImage(image)
                .withCommand("java", "-jar", jarPath)
                .withArgs(cliArgs())
                .addNewEnv()
                .withName("JAVA_TOOL_OPTIONS")
                .withValue("-XX:MaxRAMPercentage=75 -XX:+UseSerialGC")
                .endEnv()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")))
                .withLimits(Map.of("memory", new Quantity("256Mi")))
                .endResources()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .build())
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
  }

  /**
   * Every object, in the order to apply them: ServiceAccount, Role, RoleBinding, CronJob.
   *
   * @return new objects
   */
  public List<HasMetadata> objects() {
    return List.of(serviceAccount(), role(), roleBinding(), cronJob());
  }

  /**
   * {@link #objects()} as one multi-document YAML stream, for {@code kubectl apply -f -}.
   *
   * @return the YAML
   */
  public String toYaml() {
    return YamlStream.of(objects());
  }

  /**
   * Creates or updates {@link #objects()}, as {@link RayClusterManifests#apply} does.
   *
   * @param client a client allowed to manage service accounts, roles, bindings and CronJobs in the
   *     namespace
   * @return what happened to each object
   */
  public ApplyResult apply(KubernetesClient client) {
    return new ApplyResult(new Applier(client).apply(objects()));
  }

  @Override
  public String toString() {
    return "ReaperManifests{namespace="
        + namespace
        + ", name="
        + name
        + ", schedule="
        + schedule
        + ", image="
        + image
        + ", jarPath="
        + jarPath
        + ", grace="
        + grace
        + "}";
  }

  private Map<String, String> labels() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(RayClusterManifests.MANAGED_BY_LABEL, RayClusterManifests.MANAGED_BY);
    m.put("app.kubernetes.io/name", name);
    m.put("app.kubernetes.io/component", "raycluster-reaper");
    return m;
  }

  /**
   * Checks a CronJob schedule: five fields (minute, hour, day of month, month, day of week) of
   * numbers, names, {@code *}, ranges, steps and lists, or a macro such as {@code @hourly}.
   */
  static void checkSchedule(String schedule) {
    String fix =
        ": use five cron fields (minute hour day-of-month month day-of-week), e.g. \"*/5 * * * *\""
            + " for every 5 minutes, or a macro such as @hourly";
    if (schedule == null || schedule.isBlank()) {
      throw new InvalidInputException("ReaperManifests.schedule is empty" + fix);
    }
    String s = schedule.trim();
    if (s.startsWith("@")) {
      if (!CRON_MACROS.contains(s.toLowerCase(Locale.ROOT))) {
        throw new InvalidInputException(
            "ReaperManifests.schedule '" + schedule + "' is not a known cron macro" + fix);
      }
      return;
    }
    String[] fields = s.split("\\s+");
    if (fields.length != 5) {
      throw new InvalidInputException(
          "ReaperManifests.schedule '"
              + schedule
              + "' has "
              + fields.length
              + " field(s), not 5"
              + fix);
    }
    for (String f : fields) {
      if (!CRON_FIELD.matcher(f).matches()) {
        throw new InvalidInputException(
            "ReaperManifests.schedule '" + schedule + "' has a malformed field '" + f + "'" + fix);
      }
    }
  }

  /** Builds {@link ReaperManifests}; {@link #build()} checks every input. */
  public static final class Builder {
    private String namespace = "geneva";
    private String name = DEFAULT_NAME;
    private String schedule = DEFAULT_SCHEDULE;
    private String image;
    private String jarPath = DEFAULT_JAR;
    private Duration grace = DEFAULT_GRACE;

    private Builder() {}

    /**
     * Sets the namespace reaped and where the objects live (default {@code geneva}).
     *
     * @param namespace an RFC 1123 label
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /**
     * Sets the name of the CronJob, ServiceAccount, Role and RoleBinding (default {@value
     * #DEFAULT_NAME}).
     *
     * @param name an RFC 1123 label of at most 52 characters (a CronJob's limit)
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the CronJob's schedule (default {@value #DEFAULT_SCHEDULE}). A cluster whose client died
     * runs at most its lease plus one period of this plus the grace.
     *
     * @param schedule a five-field cron expression or a macro such as {@code @hourly}
     * @return this builder
     */
    public Builder schedule(String schedule) {
      this.schedule = schedule;
      return this;
    }

    /**
     * Sets the image: a JRE 17 (or later) image holding the Geneva CLI's runnable jar at {@link
     * #jarPath(String)}; docs/kubernetes.md gives its Dockerfile. Required.
     *
     * @param image e.g. {@code registry.example.com/geneva-cli:0.1.0}
     * @return this builder
     */
    public Builder image(String image) {
      this.image = image;
      return this;
    }

    /**
     * Sets where the image keeps the CLI's runnable jar (default {@value #DEFAULT_JAR}).
     *
     * @param jarPath an absolute path
     * @return this builder
     */
    public Builder jarPath(String jarPath) {
      this.jarPath = jarPath;
      return this;
    }

    /**
     * Sets how long past its end a lease still counts (default 1 minute), for clock skew between
     * the clients that write leases and the cluster.
     *
     * @param grace zero or more, whole seconds
     * @return this builder
     */
    public Builder grace(Duration grace) {
      this.grace = grace;
      return this;
    }

    /**
     * Checks every input and builds the manifests.
     *
     * @return the manifests
     * @throws InvalidInputException naming the bad field, what was expected and how to fix it
     */
    public ReaperManifests build() {
      Names.checkLabel("ReaperManifests.namespace", namespace);
      Names.checkLabel("ReaperManifests.name", name);
      if (name.length() > 52) {
        throw new InvalidInputException(
            "ReaperManifests.name '"
                + name
                + "' is longer than 52 characters, the limit of a CronJob's name: shorten it");
      }
      checkSchedule(schedule);
      if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
        throw new InvalidInputException(
            "ReaperManifests.image is "
                + (image == null || image.isBlank() ? "not set" : "'" + image + "'")
                + ": give an image with a JRE 17 and the Geneva CLI's runnable jar at "
                + jarPath
                + " (build it with the Dockerfile in docs/kubernetes.md and push it to a registry"
                + " the nodes pull from), e.g. registry.example.com/geneva-cli:0.1.0");
      }
      if (jarPath == null || !jarPath.startsWith("/") || jarPath.contains(" ")) {
        throw new InvalidInputException(
            "ReaperManifests.jarPath '"
                + jarPath
                + "' is not an absolute path without spaces: e.g. "
                + DEFAULT_JAR);
      }
      if (grace == null || grace.isNegative() || grace.getNano() != 0) {
        throw new InvalidInputException(
            "ReaperManifests.grace must be zero or more whole seconds, got "
                + grace
                + ": e.g. PT1M");
      }
      return new ReaperManifests(this);
    }
  }
}
