package dev.geneva.k8s;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.internal.Checks;
import dev.geneva.k8s.internal.RayVersions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@link RayCluster} creates and how it starts it: name, namespace, head and worker groups,
 * Ray version, labels, exit mode, timeouts, readiness checks and port forwarding. An immutable,
 * validated value with no state: the RayCluster manifest and the preflight are made from it alone,
 * and one spec can start any number of clusters ({@code RayCluster.builder().spec(spec).start()}).
 * {@link RayCluster.Builder} sets it option by option, as in the design card.
 *
 * <p>Defaults: name {@code geneva-<os user>} (made a valid KubeRay name), namespace {@code geneva},
 * the default {@link HeadGroupSpec} and one default {@link WorkerGroupSpec}, rayVersion from the
 * head image's tag (else {@value RayCluster#DEFAULT_RAY_VERSION}), exit mode {@link
 * ExitMode#DELETE}, wait timeout 10 minutes, delete timeout 30 seconds, a lease of 5 minutes (see
 * {@link ClusterLease}), port forwarding on (dashboard 8265 only), no reuse of an existing cluster.
 */
public final class RayClusterSpec {
  private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");
  private static final Pattern IMAGE_VERSION =
      Pattern.compile(":(\\d+\\.\\d+\\.\\d+)(?:[-.+_][^/:@]*)?(?:@.*)?$");

  private final String name;
  private final String namespace;
  private final HeadGroupSpec headGroup;
  private final List<WorkerGroupSpec> workerGroups;
  private final String rayVersion;
  private final ExitMode exitMode;
  private final Duration waitTimeout;
  private final Duration deleteTimeout;
  private final Duration leaseDuration;
  private final boolean portForwarding;
  private final boolean forwardClientPort;
  private final boolean reuseExisting;
  private final Duration idleTimeout;
  private final Map<String, String> labels;
  private final List<ReadinessCheck> readinessChecks;
  private final PortForwarder portForwarder;
  private final String owner;

  private RayClusterSpec(Builder b, String rayVersion, List<WorkerGroupSpec> workers) {
    this.name = b.name != null ? b.name : RayCluster.defaultName(b.osUser);
    this.namespace = b.namespace;
    this.headGroup = b.headGroup;
    this.workerGroups = List.copyOf(workers);
    this.rayVersion = rayVersion;
    this.exitMode = b.exitMode;
    this.waitTimeout = b.waitTimeout;
    this.deleteTimeout = b.deleteTimeout;
    this.leaseDuration = b.leaseDuration;
    this.portForwarding = b.portForwarding;
    this.forwardClientPort = b.forwardClientPort;
    this.reuseExisting = b.reuseExisting;
    this.idleTimeout = b.idleTimeout;
    this.labels = Map.copyOf(b.labels);
    this.readinessChecks = List.copyOf(b.readinessChecks);
    this.portForwarder = b.portForwarder;
    String user = Checks.sanitize(b.osUser, 63);
    this.owner = user.isEmpty() ? "unknown" : user;
  }

  /**
   * Starts a spec from the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this spec into a builder (with its resolved name, Ray version and worker groups).
   *
   * @return a builder holding these options
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.namespace = namespace;
    b.headGroup = headGroup;
    b.workerGroups = new ArrayList<>(workerGroups);
    b.rayVersion = rayVersion;
    b.exitMode = exitMode;
    b.waitTimeout = waitTimeout;
    b.deleteTimeout = deleteTimeout;
    b.leaseDuration = leaseDuration;
    b.portForwarding = portForwarding;
    b.forwardClientPort = forwardClientPort;
    b.reuseExisting = reuseExisting;
    b.idleTimeout = idleTimeout;
    b.labels = new LinkedHashMap<>(labels);
    b.readinessChecks = new ArrayList<>(readinessChecks);
    b.portForwarder = portForwarder;
    return b;
  }

  /**
   * The RayCluster's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The namespace.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * The head group.
   *
   * @return the head group
   */
  public HeadGroupSpec headGroup() {
    return headGroup;
  }

  /**
   * The worker groups, in order.
   *
   * @return the groups
   */
  public List<WorkerGroupSpec> workerGroups() {
    return workerGroups;
  }

  /**
   * The Ray version ({@code spec.rayVersion}).
   *
   * @return e.g. "2.39.0"
   */
  public String rayVersion() {
    return rayVersion;
  }

  /**
   * What close does with the cluster.
   *
   * @return the exit mode
   */
  public ExitMode exitMode() {
    return exitMode;
  }

  /**
   * How long close (and the cleanup of a failed start) retries deleting the cluster before it
   * reports it leaked.
   *
   * @return the timeout
   */
  public Duration deleteTimeout() {
    return deleteTimeout;
  }

  /**
   * How long the lease of a cluster this spec creates lasts without renewal (see {@link
   * ClusterLease}): a living handle renews it every third of this; a cluster whose handle died is
   * deleted by the reaper once it ran out. Clusters created with {@link ExitMode#RETAIN} get no
   * lease.
   *
   * @return the lease duration
   */
  public Duration leaseDuration() {
    return leaseDuration;
  }

  /**
   * How long start waits for readiness.
   *
   * @return the timeout
   */
  public Duration waitTimeout() {
    return waitTimeout;
  }

  /**
   * Whether start port-forwards to the head pod.
   *
   * @return true if on
   */
  public boolean portForwarding() {
    return portForwarding;
  }

  /**
   * Whether the Ray client port 10001 is forwarded too.
   *
   * @return true if on
   */
  public boolean forwardClientPort() {
    return forwardClientPort;
  }

  /**
   * Whether start adopts an existing RayCluster of the same name instead of failing.
   *
   * @return true if on
   */
  public boolean reuseExisting() {
    return reuseExisting;
  }

  /**
   * The autoscaler's idle timeout, when set.
   *
   * @return the timeout
   */
  public Optional<Duration> idleTimeout() {
    return Optional.ofNullable(idleTimeout);
  }

  /**
   * Extra labels of the RayCluster resource.
   *
   * @return the labels
   */
  public Map<String, String> labels() {
    return labels;
  }

  /**
   * The readiness checks start runs, in order.
   *
   * @return the checks
   */
  public List<ReadinessCheck> readinessChecks() {
    return readinessChecks;
  }

  /**
   * How ports are forwarded.
   *
   * @return the forwarder
   */
  public PortForwarder portForwarder() {
    return portForwarder;
  }

  /**
   * The owner label's value (the sanitised OS user).
   *
   * @return the owner
   */
  public String owner() {
    return owner;
  }

  @Override
  public String toString() {
    return "RayClusterSpec{name="
        + name
        + ", namespace="
        + namespace
        + ", rayVersion="
        + rayVersion
        + ", head="
        + headGroup
        + ", workers="
        + workerGroups
        + ", exitMode="
        + exitMode
        + ", waitTimeout="
        + waitTimeout
        + ", leaseDuration="
        + leaseDuration
        + ", portForwarding="
        + portForwarding
        + ", reuseExisting="
        + reuseExisting
        + "}";
  }

  /**
   * The Ray version in an image tag such as {@code rayproject/ray:2.39.0-py310-gpu}.
   *
   * @param image the image
   * @return the version, when the tag carries one
   */
  static Optional<String> imageRayVersion(String image) {
    Matcher m = IMAGE_VERSION.matcher(image);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Builds a {@link RayClusterSpec}. Setters check their value at once; build checks the whole. */
  public static final class Builder {
    private String name;
    private String namespace = "geneva";
    private HeadGroupSpec headGroup = HeadGroupSpec.defaults();
    private List<WorkerGroupSpec> workerGroups = new ArrayList<>();
    private String rayVersion;
    private ExitMode exitMode = ExitMode.DELETE;
    private Duration waitTimeout = Duration.ofMinutes(10);
    private Duration deleteTimeout = Duration.ofSeconds(30);
    private Duration leaseDuration = ClusterLease.DEFAULT_DURATION;
    private boolean portForwarding = true;
    private boolean forwardClientPort;
    private boolean reuseExisting;
    private Duration idleTimeout;
    private Map<String, String> labels = new LinkedHashMap<>();
    private List<ReadinessCheck> readinessChecks = new ArrayList<>(ReadinessCheck.defaults());
    private PortForwarder portForwarder = PortForwarder.fabric8();
    private String osUser = System.getProperty("user.name", "");

    private Builder() {}

    /**
     * Sets the RayCluster's name (default {@link RayCluster#defaultName(String)} of the OS user).
     *
     * @param name what KubeRay accepts: a DNS-1035 label (lower-case letters, digits and '-',
     *     starting with a letter) of at most 53 characters
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Checks.rayClusterName("RayCluster.name", name);
      return this;
    }

    /**
     * Sets the namespace (default {@code geneva}).
     *
     * @param namespace an existing namespace
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = Checks.dnsLabel("RayCluster.namespace", namespace);
      return this;
    }

    /**
     * Sets the head group (default {@link HeadGroupSpec#defaults()}).
     *
     * @param headGroup the head group
     * @return this builder
     */
    public Builder headGroup(HeadGroupSpec headGroup) {
      this.headGroup = Objects.requireNonNull(headGroup, "RayCluster.headGroup");
      return this;
    }

    /**
     * Adds a worker group (repeatable; none added means one default group).
     *
     * @param workerGroup the group; names must be unique
     * @return this builder
     */
    public Builder workerGroup(WorkerGroupSpec workerGroup) {
      this.workerGroups.add(Objects.requireNonNull(workerGroup, "RayCluster.workerGroup"));
      return this;
    }

    /**
     * Sets {@code spec.rayVersion} (default: the head image tag's version, else {@value
     * RayCluster#DEFAULT_RAY_VERSION}); it must equal the Ray version of every image with a
     * versioned tag, and be {@value RayCluster#DEFAULT_RAY_VERSION}, the Ray whose Java API Geneva
     * is compiled against ({@code build()} refuses others; {@code start()} fails if the dashboard
     * reports another).
     *
     * @param rayVersion e.g. "2.39.0"
     * @return this builder
     */
    public Builder rayVersion(String rayVersion) {
      if (rayVersion == null || !VERSION.matcher(rayVersion).matches()) {
        throw new InvalidInputException(
            "RayCluster.rayVersion \""
                + rayVersion
                + "\" is not a Ray version: use e.g. \"2.39.0\"");
      }
      this.rayVersion = rayVersion;
      return this;
    }

    /**
     * Sets what close does (default {@link ExitMode#DELETE}).
     *
     * @param exitMode the mode
     * @return this builder
     */
    public Builder exitMode(ExitMode exitMode) {
      this.exitMode = Objects.requireNonNull(exitMode, "RayCluster.exitMode");
      return this;
    }

    /**
     * Sets what close does, by name ({@code "delete"}, {@code "retain"}, {@code
     * "retain_on_failure"}), as read from configuration.
     *
     * @param exitMode the mode's name
     * @return this builder
     */
    public Builder exitMode(String exitMode) {
      this.exitMode = ExitMode.parse(exitMode);
      return this;
    }

    /**
     * Sets how long start waits for readiness (default 10 minutes).
     *
     * @param waitTimeout more than zero
     * @return this builder
     */
    public Builder waitTimeout(Duration waitTimeout) {
      if (waitTimeout == null || waitTimeout.isNegative() || waitTimeout.isZero()) {
        throw new InvalidInputException(
            "RayCluster.waitTimeout must be more than zero, got " + waitTimeout + ": e.g. PT10M");
      }
      this.waitTimeout = waitTimeout;
      return this;
    }

    /**
     * Sets how long {@link RayCluster#close()} (and the cleanup of a failed start) retries deleting
     * the cluster, with backoff, on 429, 5xx and connection failures (default 30 seconds). After
     * that, close throws {@link RayClusterLeakedException} naming the commands that delete it; a
     * later close, or the JVM's shutdown hook, retries.
     *
     * @param deleteTimeout more than zero
     * @return this builder
     */
    public Builder deleteTimeout(Duration deleteTimeout) {
      if (deleteTimeout == null || deleteTimeout.isNegative() || deleteTimeout.isZero()) {
        throw new InvalidInputException(
            "RayCluster.deleteTimeout must be more than zero, got "
                + deleteTimeout
                + ": e.g. PT30S");
      }
      this.deleteTimeout = deleteTimeout;
      return this;
    }

    /**
     * Sets the lease duration of the clusters this spec creates (default 5 minutes; see {@link
     * ClusterLease}). The handle renews the lease every third of it while it lives; the reaper
     * ({@code geneva clusters reap --expired}) deletes a cluster whose lease ran out. Keep it well
     * above the API server's latency and the clock skew between this machine and the reaper:
     * minutes, not seconds.
     *
     * @param leaseDuration from {@link ClusterLease#MIN_DURATION} (1 second) to {@link
     *     ClusterLease#MAX_DURATION} (7 days)
     * @return this builder
     */
    public Builder leaseDuration(Duration leaseDuration) {
      if (leaseDuration == null
          || leaseDuration.compareTo(ClusterLease.MIN_DURATION) < 0
          || leaseDuration.compareTo(ClusterLease.MAX_DURATION) > 0) {
        throw new InvalidInputException(
            "RayCluster.leaseDuration must be between 1 second and 7 days, got "
                + leaseDuration
                + ": e.g. PT5M (the default); the handle renews it every third of that while it"
                + " lives");
      }
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * Turns port forwarding to the head pod on or off (default on). Off suits a JVM inside the
     * Kubernetes cluster, which reaches the head service directly.
     *
     * @param portForwarding true to forward
     * @return this builder
     */
    public Builder portForwarding(boolean portForwarding) {
      this.portForwarding = portForwarding;
      return this;
    }

    /**
     * Also forwards the Ray client port 10001 (default off).
     *
     * @param forwardClientPort true to forward it
     * @return this builder
     */
    public Builder forwardClientPort(boolean forwardClientPort) {
      this.forwardClientPort = forwardClientPort;
      return this;
    }

    /**
     * Adopts an existing RayCluster of the same name instead of failing (default off). A reused
     * cluster is never deleted on close.
     *
     * @param reuseExisting true to reuse
     * @return this builder
     */
    public Builder reuseExisting(boolean reuseExisting) {
      this.reuseExisting = reuseExisting;
      return this;
    }

    /**
     * Sets the autoscaler's idle timeout; needs a worker group with minReplicas below maxReplicas.
     *
     * @param idleTimeout at least one second
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      if (idleTimeout == null || idleTimeout.getSeconds() < 1) {
        throw new InvalidInputException(
            "RayCluster.idleTimeout must be at least 1 second, got " + idleTimeout);
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * Adds labels to the RayCluster resource.
     *
     * @param labels the labels; {@code geneva.dev/} keys are reserved
     * @return this builder
     */
    public Builder labels(Map<String, String> labels) {
      Checks.labels("RayCluster.labels", labels);
      for (String k : labels.keySet()) {
        if (k.startsWith(RayCluster.LABEL_PREFIX)
            || k.equals(RayCluster.MANAGED_BY_LABEL)
            || k.startsWith("ray.io/")) {
          throw new InvalidInputException(
              "RayCluster.labels key \""
                  + k
                  + "\" is reserved for Geneva or KubeRay: use your own prefix");
        }
      }
      this.labels.putAll(labels);
      return this;
    }

    /**
     * Replaces the readiness checks (default {@link ReadinessCheck#defaults()}).
     *
     * @param checks the checks, run in order
     * @return this builder
     */
    public Builder readinessChecks(List<ReadinessCheck> checks) {
      Objects.requireNonNull(checks, "RayCluster.readinessChecks");
      checks.forEach(c -> Objects.requireNonNull(c, "RayCluster.readinessChecks element"));
      this.readinessChecks = new ArrayList<>(checks);
      return this;
    }

    /**
     * Sets how ports are forwarded (default {@link PortForwarder#fabric8()}).
     *
     * @param portForwarder the forwarder
     * @return this builder
     */
    public Builder portForwarder(PortForwarder portForwarder) {
      this.portForwarder = Objects.requireNonNull(portForwarder, "RayCluster.portForwarder");
      return this;
    }

    Builder osUser(String osUser) {
      this.osUser = osUser;
      return this;
    }

    /**
     * Checks the options against each other and builds the spec.
     *
     * @return the spec
     * @throws InvalidInputException naming the option and the fix
     */
    public RayClusterSpec build() {
      List<WorkerGroupSpec> workers =
          workerGroups.isEmpty() ? List.of(WorkerGroupSpec.builder().build()) : workerGroups;
      Set<String> names = new HashSet<>();
      for (WorkerGroupSpec w : workers) {
        if (!names.add(w.name())) {
          throw new InvalidInputException(
              "RayCluster.workerGroup name \""
                  + w.name()
                  + "\" is used by more than one worker group: give each group a unique name");
        }
      }
      String version = rayVersion;
      Optional<String> headImageVersion = imageRayVersion(headGroup.image());
      if (version == null) {
        version = headImageVersion.orElse(RayCluster.DEFAULT_RAY_VERSION);
      }
      RayVersions.requireSupported(
          version,
          rayVersion != null
              ? "RayCluster.rayVersion"
              : "HeadGroupSpec.image " + headGroup.image());
      List<GroupSpec> groups = new ArrayList<>();
      groups.add(headGroup);
      groups.addAll(workers);
      for (GroupSpec g : groups) {
        Optional<String> v = imageRayVersion(g.image());
        if (v.isPresent() && !v.get().equals(version)) {
          throw new InvalidInputException(
              (g.isHead() ? "HeadGroupSpec" : "WorkerGroupSpec \"" + g.name() + "\"")
                  + ".image "
                  + g.image()
                  + " runs Ray "
                  + v.get()
                  + " but the cluster's rayVersion is "
                  + version
                  + ": every pod of a Ray cluster must run the same Ray version, and KubeRay"
                  + " configures the cluster from rayVersion; use images of one Ray version and"
                  + " set rayVersion to it (Geneva's Java driver needs "
                  + RayCluster.DEFAULT_RAY_VERSION
                  + ")");
        }
      }
      boolean autoscaling = workers.stream().anyMatch(w -> w.minReplicas() < w.maxReplicas());
      if (idleTimeout != null && !autoscaling) {
        throw new InvalidInputException(
            "RayCluster.idleTimeout is set but no worker group can scale (minReplicas equals"
                + " maxReplicas everywhere): give a group minReplicas below maxReplicas, or drop"
                + " idleTimeout");
      }
      return new RayClusterSpec(this, version, workers);
    }
  }
}
