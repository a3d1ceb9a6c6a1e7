package dev.geneva.k8s;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.InvalidInputException;
import dev.geneva.Table;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.auth.KubeAuthProvider;
import dev.geneva.k8s.internal.ClusterBackfillTarget;
import dev.geneva.k8s.internal.ClusterNames;
import dev.geneva.k8s.internal.ClusterSession;
import dev.geneva.k8s.internal.Manifests;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackager;
import dev.geneva.ray.jobs.RayJobBackfill;
import dev.geneva.ray.jobs.RayJobsClient;
import dev.geneva.spi.BackfillTarget;
import dev.geneva.spi.BackfillTargets;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KubeRay cluster for the length of a try-with-resources block. The handle is made of three
 * immutable values, {@link #spec()} (a {@link RayClusterSpec}: what to create and how to start it),
 * {@link #jobOptions()} (a {@link RayJobOptions}: how backfills run as Ray jobs) and {@link
 * #auth()}, plus the running state it owns (the created cluster, its forwards, the jobs it
 * submitted). The builder sets all three option by option (or whole, with {@link Builder#spec} and
 * {@link Builder#jobOptions}); the getters such as {@link #name()} or {@link #jobJvmOptions()} read
 * them. {@link #start()} validates, runs the preflight, creates the RayCluster, waits until it is
 * ready, port-forwards to the head and becomes this JVM's {@linkplain
 * dev.geneva.spi.BackfillTargets#current() backfill target} until it is closed, so {@code
 * table.backfill(...)} in the block, on any thread, runs as a Ray job on the cluster; {@link
 * #close()} stops the jobs still running, stops the forwards and applies the {@link ExitMode}.
 *
 * <pre>{@code
 * try (RayCluster cluster = RayCluster.builder()
 *     .name("my-ray-cluster").namespace("geneva")
 *     .configMethod(ConfigMethod.EKS_AUTH).clusterName("geneva").region("us-east-1")
 *     .roleName("geneva-client-role")
 *     .headGroup(HeadGroupSpec.builder().serviceAccount("geneva-ray-runner").cpus(1).memoryMiB(2048).build())
 *     .workerGroup(WorkerGroupSpec.builder().name("worker").minReplicas(1).cpus(2).memoryMiB(4096)
 *         .serviceAccount("geneva-ray-runner").build())
 *     .start()) {
 *   table.backfill("embedding"); // a Ray job on the cluster
 * }
 * }</pre>
 *
 * <p>Which backfills run on it, first match wins: a backfill whose options name a {@linkplain
 * dev.geneva.BackfillOptions#target() target} runs there ({@link #backfill(Table, String)} names
 * this cluster); one whose options name an {@linkplain dev.geneva.BackfillOptions#executor()
 * executor} runs in this JVM; any other runs on the cluster started last and not yet closed (they
 * stack: an inner block's cluster wins until it closes), from any thread; with none open, in this
 * JVM. The jobs ship this JVM's classpath by default ({@link Builder#jobPackage} and {@link
 * Builder#jobPackager} choose otherwise), uploaded once per cluster handle.
 *
 * <p>Defaults: name {@code geneva-<os user>} (made a valid KubeRay name), namespace {@code geneva},
 * auth {@link KubeAuth#autoConfigure()}, the default {@link HeadGroupSpec} and one default {@link
 * WorkerGroupSpec}, rayVersion from the head image's tag (else {@value #DEFAULT_RAY_VERSION}), exit
 * mode {@link ExitMode#DELETE}, wait timeout 10 minutes, port forwarding on (dashboard 8265 only),
 * no reuse of an existing cluster.
 *
 * <p>While the handle lives it renews a lease on the cluster it created ({@link ClusterLease}), so
 * a cluster whose JVM died without closing it is deleted by {@link RayClusters#reapExpired} once
 * the lease ran out.
 *
 * <p>Every RayCluster it creates is labelled {@value #MANAGED_BY_LABEL}={@value #MANAGED_BY_VALUE},
 * {@value #OWNER_LABEL}, {@value #SESSION_LABEL} and {@value #SDK_VERSION_LABEL} (the pods too), so
 * {@link RayClusters#list} and {@link RayClusters#reap} find leaked ones. A JVM shutdown hook
 * closes handles that were never closed.
 */
public final class RayCluster implements AutoCloseable {
  /** The Ray version of {@link GroupSpec#DEFAULT_IMAGE}, matching the Ray Java jars of Geneva. */
  public static final String DEFAULT_RAY_VERSION = "2.39.0";

  /** Prefix of Geneva's own labels. */
  public static final String LABEL_PREFIX = "geneva.dev/";

  /** Label: the OS user that created the cluster. */
  public static final String OWNER_LABEL = "geneva.dev/owner";

  /** Label: the handle's session id. */
  public static final String SESSION_LABEL = "geneva.dev/session";

  /** Label: the SDK version that created the cluster. */
  public static final String SDK_VERSION_LABEL = "geneva.dev/sdk-version";

  /** Label marking resources Geneva manages. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  /** Value of {@link #MANAGED_BY_LABEL}. */
  public static final String MANAGED_BY_VALUE = "geneva";

  /** The Ray dashboard's port on the head pod. */
  public static final int DASHBOARD_PORT = 8265;

  /** The Ray client port on the head pod. */
  public static final int CLIENT_PORT = 10001;

  private static final Logger LOG = LoggerFactory.getLogger(RayCluster.class);

  /**
   * The driver's system property naming the custom resource Ray tasks without GPUs ask for (read by
   * geneva-ray's {@code RaySession} under the same name).
   */
  static final String CPU_ONLY_PROPERTY = DriverArgs.CPU_ONLY_RESOURCE_PROPERTY;

  private final RayClusterSpec spec;
  private final RayJobOptions jobOptions;
  private final KubeAuth auth;
  private final boolean explicitAuth;
  private final ConfigMethod configMethod;
  private final Map<String, String> authParams;
  private final String sessionId;
  private final ClusterSession session;

  private ClusterBackfillTarget target; // guarded by this
  private BackfillTargets.Scope targetScope; // guarded by this

  private RayCluster(Builder b, RayClusterSpec spec, KubeAuth resolvedAuth) {
    this.spec = spec;
    this.jobOptions = b.jobs.build();
    this.auth = resolvedAuth;
    this.explicitAuth = b.auth != null;
    this.configMethod = b.configMethod;
    this.authParams = Map.copyOf(b.authParams);
    this.sessionId = UUID.randomUUID().toString().substring(0, 8);
    this.session = new ClusterSession(spec, resolvedAuth, sessionId);
  }

  /**
   * Starts a cluster definition.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this definition (not its state) into a builder.
   *
   * @return a builder holding these options
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.spec = spec.toBuilder();
    b.jobs = jobOptions.toBuilder();
    b.auth = explicitAuth ? auth : null;
    b.configMethod = configMethod;
    b.authParams = new LinkedHashMap<>(authParams);
    return b;
  }

  /**
   * What this handle creates and how it starts it: the groups, images, labels, exit mode and
   * timeouts that the RayCluster manifest and the preflight are made from.
   *
   * @return the spec
   */
  public RayClusterSpec spec() {
    return spec;
  }

  /**
   * How this cluster's backfills run as Ray jobs.
   *
   * @return the job options
   */
  public RayJobOptions jobOptions() {
    return jobOptions;
  }

  /**
   * The default cluster name for an OS user: {@code geneva-<user>}, always a name KubeRay accepts
   * (a DNS-1035 label of at most 53 characters; a longer one is cut and ends in a 6-character hash
   * of the user name).
   *
   * @param osUser the user name, e.g. {@code System.getProperty("user.name")}
   * @return the name
   */
  public static String defaultName(String osUser) {
    return ClusterNames.defaultName(osUser);
  }

  /**
   * Validates, runs the preflight, creates (or reuses) the RayCluster, waits until ready and
   * port-forwards. Calling it again on a started handle returns the same handle; on a closed or
   * failed one it throws. A failed start deletes what it created (except with {@link
   * ExitMode#RETAIN_ON_FAILURE}, which keeps it for inspection). A create whose answer was lost is
   * recognised by this handle's {@link #SESSION_LABEL} on the cluster and counts as created. {@link
   * #close()} from another thread aborts a start that is still waiting.
   *
   * @return this handle, started
   * @throws InvalidInputException for bad options, before any API call
   * @throws PreflightFailedException listing each missing or forbidden prerequisite
   * @throws RayClusterException when creation or readiness fails
   */
  public RayCluster start() {
    session.start();
    synchronized (this) {
      if (target == null && session.isRunning()) {
        ClusterBackfillTarget t = newTarget();
        BackfillTargets.Scope scope = BackfillTargets.enter(t);
        target = t;
        targetScope = scope;
        // However the session ends (close() here, or the JVM's shutdown hook closing a handle
        // nobody closed), the cluster stops being the ambient target before its jobs are stopped.
        session.beforeClose(
            () -> {
              scope.close();
              t.close(jobOptions.stopTimeout());
            });
        LOG.info(
            "RayCluster {}/{} is this JVM's backfill target until closed: backfills without an"
                + " explicit target or executor run as Ray jobs through {}",
            spec.namespace(),
            spec.name(),
            session.dashboardUrl());
      }
    }
    return this;
  }

  private ClusterBackfillTarget newTarget() {
    String namespace = spec.namespace();
    String name = spec.name();
    RayJobsClient.Builder client =
        RayJobsClient.builder()
            .dashboardUrl(session.dashboardUrl())
            .unreachableHint(
                spec.portForwarding()
                    ? () ->
                        "the port-forward to head pod "
                            + session.headPodName()
                            + " of RayCluster "
                            + namespace
                            + "/"
                            + name
                            + " may have dropped (it is re-opened on the next request); check the"
                            + " pod with kubectl get pod -n "
                            + namespace
                            + " "
                            + session.headPodName()
                    : () ->
                        "this JVM must run inside the Kubernetes cluster to reach the head service"
                            + " without port forwarding");
    if (spec.portForwarding()) {
      client.reconnect(session::reopenDashboardForward);
    }
    if (jobOptions.dashboardBearerToken() != null) {
      client.bearerToken(jobOptions.dashboardBearerToken());
    }
    jobOptions.pollInterval().ifPresent(client::pollInterval);
    jobOptions.contactTimeout().ifPresent(client::contactTimeout);
    RayJobBackfill.Builder jobs = RayJobBackfill.builder(client.build());
    if (jobOptions.jobPackage().isPresent()) {
      jobs.jobPackage(jobOptions.jobPackage().get());
    } else if (jobOptions.jobPackager().isPresent()) {
      jobs.packager(jobOptions.jobPackager().get());
    }
    jobs.jvmOptions(driverJvmOptions().toArray(String[]::new));
    jobs.storageOptions(jobOptions.storageOptions());
    jobs.metadata("geneva.raycluster", namespace + "/" + name);
    jobs.clusterName(namespace + "/" + name);
    jobs.metadata("geneva.session", sessionId);
    return new ClusterBackfillTarget(
        namespace + "/" + name, spec, jobs.build(), session::markFailed);
  }

  /**
   * The JVM options of the Ray job drivers of this cluster's backfills: the user's {@link
   * Builder#jobJvmOptions}, after the name of the CPU workers' custom resource when some worker
   * group advertises it (so Ray tasks without GPUs ask for it and stay off GPU workers, as Geneva's
   * do).
   */
  List<String> driverJvmOptions() {
    return Manifests.driverJvmOptions(spec, jobOptions.jvmOptions());
  }

  /**
   * Runs a backfill on this cluster, whatever other cluster is open: {@code table.backfill(column,
   * options)} with this cluster as the options' target.
   *
   * @param table the table
   * @param column a UDF column of the table
   * @return the result
   * @throws IllegalStateException before a successful start
   */
  public BackfillResult backfill(Table table, String column) {
    return backfill(table, column, BackfillOptions.defaults());
  }

  /**
   * Runs a backfill on this cluster, whatever other cluster is open or executor the options name:
   * {@code table.backfill(column, options)} with this cluster as the options' target.
   *
   * @param table the table
   * @param column a UDF column of the table
   * @param options the options; their target, if any, is replaced by this cluster
   * @return the result
   * @throws IllegalStateException before a successful start
   */
  public BackfillResult backfill(Table table, String column, BackfillOptions options) {
    return backfillAsync(table, column, options).join();
  }

  /**
   * Starts a backfill on this cluster and returns at once, as {@link #backfill(Table, String,
   * BackfillOptions)} does.
   *
   * @param table the table
   * @param column a UDF column of the table
   * @param options the options; their target, if any, is replaced by this cluster
   * @return the running job
   * @throws IllegalStateException before a successful start
   */
  public BackfillJob backfillAsync(Table table, String column, BackfillOptions options) {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(options, "options");
    return table.backfillAsync(column, options.toBuilder().target(backfillTarget()).build());
  }

  /**
   * This cluster as a {@link BackfillTarget}, for {@code BackfillOptions.builder().target(...)}:
   * backfills with it run here even when another cluster was started later or the options name an
   * executor. Each backfill runs as a Ray job submitted through the dashboard; jobs still running
   * when the cluster closes are stopped.
   *
   * @return the target; it refuses new backfills once the cluster is closed
   * @throws IllegalStateException before a successful start
   */
  public synchronized BackfillTarget backfillTarget() {
    if (target == null) {
      throw new IllegalStateException(
          "RayCluster " + spec.namespace() + "/" + spec.name() + " is not started: call start()");
    }
    return target;
  }

  /**
   * The backfills this handle submitted that are still running.
   *
   * @return a snapshot, empty before start
   */
  public synchronized List<BackfillJob> runningBackfills() {
    return target == null ? List.of() : target.runningJobs();
  }

  /**
   * Runs only the preflight checks and reports, creating nothing.
   *
   * @return the report
   */
  public PreflightReport preflight() {
    return session.preflight();
  }

  /**
   * Stops the Ray jobs this handle started that are still running (waiting up to {@link
   * #jobStopTimeout()} for them to end), stops being this JVM's backfill target (first, so
   * backfills started from then on run where they would without it), then stops the port-forwards
   * and applies the exit mode to a cluster this handle created (a reused cluster is never deleted).
   * Idempotent; safe after a failed start. Called on another thread while {@link #start()} waits,
   * it aborts that start (which throws "aborted by close()" and deletes what it created) and
   * returns once it has. The delete is retried with backoff for {@link #deleteTimeout()}; if it
   * still fails, the handle stays open (and known to the JVM's shutdown hook) so a later close
   * retries.
   *
   * @throws RayClusterLeakedException when the cluster this handle created could not be deleted;
   *     the message gives the commands that delete it
   */
  @Override
  public void close() {
    ClusterBackfillTarget t;
    BackfillTargets.Scope scope;
    synchronized (this) {
      t = target;
      scope = targetScope;
      targetScope = null;
    }
    if (scope != null) {
      scope.close(); // backfills started from now on run elsewhere
    }
    try {
      if (t != null) {
        t.close(jobOptions.stopTimeout());
      }
    } finally {
      session.close();
    }
  }

  /**
   * Records that the work on this cluster failed, so {@link ExitMode#RETAIN_ON_FAILURE} keeps it.
   *
   * @param cause the failure, for the log
   */
  public void markFailed(Throwable cause) {
    session.markFailed(cause);
  }

  /**
   * The Ray dashboard (Jobs API) URL: the forwarded local port, or the head service's in-cluster
   * DNS name when port forwarding is off.
   *
   * @return the URL
   * @throws IllegalStateException before a successful start
   */
  public URI dashboardUrl() {
    return session.dashboardUrl();
  }

  /**
   * The forwarded Ray client port ({@code ray://host:port}), when {@link #forwardClientPort()} is
   * on.
   *
   * @return the address as {@code ray://127.0.0.1:<port>}
   */
  public Optional<URI> clientUrl() {
    return session.clientUrl();
  }

  /**
   * The head pod's name.
   *
   * @return the name
   * @throws IllegalStateException before a successful start
   */
  public String headPodName() {
    return session.headPodName();
  }

  /**
   * Reads the RayCluster's current status from the API server.
   *
   * @return the status
   * @throws IllegalStateException before a successful start
   */
  public ClusterStatus status() {
    return session.status();
  }

  /**
   * Whether {@link #start()} succeeded and {@link #close()} was not called.
   *
   * @return true while running
   */
  public boolean isRunning() {
    return session.isRunning();
  }

  /**
   * Whether this handle created the RayCluster (false when it reused an existing one).
   *
   * @return true if created
   */
  public boolean createdCluster() {
    return session.created();
  }

  /**
   * The RayCluster's name.
   *
   * @return the name
   */
  public String name() {
    return spec.name();
  }

  /**
   * The namespace.
   *
   * @return the namespace
   */
  public String namespace() {
    return spec.namespace();
  }

  /**
   * How the API server is reached.
   *
   * @return the auth
   */
  public KubeAuth auth() {
    return auth;
  }

  /**
   * The {@link ConfigMethod} the auth was made from, when the builder was given one (as in Python's
   * {@code ray_cluster(config_method=...)}).
   *
   * @return the method, or empty when {@code auth(...)} or the default was used
   */
  public Optional<ConfigMethod> configMethod() {
    return Optional.ofNullable(configMethod);
  }

  /**
   * The parameters given to {@link KubeAuth#forMethod} with {@link #configMethod()}, keyed by the
   * {@link KubeAuthProvider} {@code PARAM_*} names ({@code cluster_name}, {@code region}, ...).
   *
   * @return the parameters, empty without a config method
   */
  public Map<String, String> authParams() {
    return authParams;
  }

  /**
   * The head group.
   *
   * @return the head group
   */
  public HeadGroupSpec headGroup() {
    return spec.headGroup();
  }

  /**
   * The worker groups, in order.
   *
   * @return the groups
   */
  public List<WorkerGroupSpec> workerGroups() {
    return spec.workerGroups();
  }

  /**
   * The Ray version ({@code spec.rayVersion}).
   *
   * @return e.g. "2.39.0"
   */
  public String rayVersion() {
    return spec.rayVersion();
  }

  /**
   * What close does with the cluster.
   *
   * @return the exit mode
   */
  public ExitMode exitMode() {
    return spec.exitMode();
  }

  /**
   * How long close (and the cleanup of a failed start) retries deleting the cluster before it
   * reports it leaked.
   *
   * @return the timeout
   */
  public Duration deleteTimeout() {
    return spec.deleteTimeout();
  }

  /**
   * How long start waits for readiness.
   *
   * @return the timeout
   */
  public Duration waitTimeout() {
    return spec.waitTimeout();
  }

  /**
   * Whether start port-forwards to the head pod.
   *
   * @return true if on
   */
  public boolean portForwarding() {
    return spec.portForwarding();
  }

  /**
   * Whether the Ray client port 10001 is forwarded too.
   *
   * @return true if on
   */
  public boolean forwardClientPort() {
    return spec.forwardClientPort();
  }

  /**
   * Whether start adopts an existing RayCluster of the same name instead of failing.
   *
   * @return true if on
   */
  public boolean reuseExisting() {
    return spec.reuseExisting();
  }

  /**
   * The autoscaler's idle timeout, when set.
   *
   * @return the timeout
   */
  public Optional<Duration> idleTimeout() {
    return spec.idleTimeout();
  }

  /**
   * Extra labels of the RayCluster resource.
   *
   * @return the labels
   */
  public Map<String, String> labels() {
    return spec.labels();
  }

  /**
   * The readiness checks start runs, in order.
   *
   * @return the checks
   */
  public List<ReadinessCheck> readinessChecks() {
    return spec.readinessChecks();
  }

  /**
   * How ports are forwarded.
   *
   * @return the forwarder
   */
  public PortForwarder portForwarder() {
    return spec.portForwarder();
  }

  /**
   * The package Ray jobs ship, when one was given to the builder.
   *
   * @return the package; empty means {@link #jobPackager()} or this JVM's classpath
   */
  public Optional<JobPackage> jobPackage() {
    return jobOptions.jobPackage();
  }

  /**
   * The packager Ray jobs' package is built with, when one was given to the builder.
   *
   * @return the packager; empty with {@link #jobPackage()} or the default ({@link
   *     JobPackager#fromClasspath()})
   */
  public Optional<JobPackager> jobPackager() {
    return jobOptions.jobPackager();
  }

  /**
   * Extra JVM options of the Ray job drivers.
   *
   * @return the options
   */
  public List<String> jobJvmOptions() {
    return jobOptions.jvmOptions();
  }

  /**
   * Lance storage options sent to the Ray job drivers (they may hold credentials: never log them).
   *
   * @return the options
   */
  public Map<String, String> jobStorageOptions() {
    return jobOptions.storageOptions();
  }

  /**
   * How long a running Ray job may go unpolled before its backfill fails, see {@link
   * Builder#jobContactTimeout(Duration)}.
   *
   * @return the timeout; empty for the default (1 minute)
   */
  public Optional<Duration> jobContactTimeout() {
    return jobOptions.contactTimeout();
  }

  /**
   * How long {@link #close()} waits for the Ray jobs it stops.
   *
   * @return the timeout
   */
  public Duration jobStopTimeout() {
    return jobOptions.stopTimeout();
  }

  /**
   * The owner label's value (the sanitised OS user).
   *
   * @return the owner
   */
  public String owner() {
    return spec.owner();
  }

  /**
   * This handle's session id, the value of {@value #SESSION_LABEL}.
   *
   * @return the id
   */
  public String sessionId() {
    return sessionId;
  }

  /**
   * The labels Geneva puts on every resource it creates.
   *
   * @return managed-by, owner, session and SDK version
   */
  public Map<String, String> managedLabels() {
    return Manifests.managedLabels(spec.owner(), sessionId);
  }

  @Override
  public String toString() {
    return "RayCluster{name="
        + spec.name()
        + ", namespace="
        + spec.namespace()
        + ", rayVersion="
        + spec.rayVersion()
        + ", head="
        + spec.headGroup()
        + ", workers="
        + spec.workerGroups()
        + ", exitMode="
        + spec.exitMode()
        + ", waitTimeout="
        + spec.waitTimeout()
        + ", portForwarding="
        + spec.portForwarding()
        + ", reuseExisting="
        + spec.reuseExisting()
        + ", session="
        + sessionId
        + "}";
  }

  /**
   * Builds a {@link RayCluster}: its {@link RayClusterSpec}, {@link RayJobOptions} and auth, option
   * by option. Setters check their value at once; build checks the whole.
   */
  public static final class Builder {
    private RayClusterSpec.Builder spec = RayClusterSpec.builder();
    private RayJobOptions.Builder jobs = RayJobOptions.builder();
    private KubeAuth auth;
    private ConfigMethod configMethod;
    private Map<String, String> authParams = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Ships this package with every backfill's Ray job instead of this JVM's classpath: e.g. {@link
     * JobPackage#remote(String)} (jars in a bucket) or {@link JobPackage#baked(String)} (jars in
     * the Ray image). Replaces {@link #jobPackager(JobPackager)}.
     *
     * @param jobPackage the package
     * @return this builder
     */
    public Builder jobPackage(JobPackage jobPackage) {
      jobs.jobPackage(jobPackage);
      return this;
    }

    /**
     * Builds the Ray jobs' package (once per cluster, on the first backfill) with this packager
     * instead of {@link JobPackager#fromClasspath()}. Replaces {@link #jobPackage(JobPackage)}.
     *
     * @param jobPackager the packager
     * @return this builder
     */
    public Builder jobPackager(JobPackager jobPackager) {
      jobs.jobPackager(jobPackager);
      return this;
    }

    /**
     * Adds JVM options of the Ray job drivers, such as {@code -Xmx4g}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder jobJvmOptions(String... options) {
      jobs.jvmOptions(options);
      return this;
    }

    /**
     * Adds Lance storage options for the Ray job drivers, sent in the jobs' environment (never on
     * the command line). Anyone who can read the dashboard sees them: prefer workload identity on
     * the Ray pods to credentials here.
     *
     * @param options the options
     * @return this builder
     */
    public Builder jobStorageOptions(Map<String, String> options) {
      jobs.storageOptions(options);
      return this;
    }

    /**
     * Sends {@code Authorization: Bearer <token>} to the Ray dashboard (when it sits behind an
     * authenticating proxy). Never logged.
     *
     * @param token the token
     * @return this builder
     */
    public Builder dashboardBearerToken(String token) {
      jobs.dashboardBearerToken(token);
      return this;
    }

    /**
     * Sets how long {@link RayCluster#close()} waits for the Ray jobs it stops (default 10
     * seconds).
     *
     * @param timeout zero or more
     * @return this builder
     */
    public Builder jobStopTimeout(Duration timeout) {
      jobs.stopTimeout(timeout);
      return this;
    }

    /**
     * Sets the RayCluster's name (default {@link RayCluster#defaultName(String)} of the OS user).
     *
     * @param name what KubeRay accepts: a DNS-1035 label (lower-case letters, digits and '-',
     *     starting with a letter) of at most 53 characters
     * @return this builder
     */
    public Builder name(String name) {
      spec.name(name);
      return this;
    }

    /**
     * Sets the namespace (default {@code geneva}).
     *
     * @param namespace an existing namespace
     * @return this builder
     */
    public Builder namespace(String namespace) {
      spec.namespace(namespace);
      return this;
    }

    /**
     * Sets how the API server is reached (default {@link KubeAuth#autoConfigure()}).
     *
     * @param auth the auth
     * @return this builder
     */
    public Builder auth(KubeAuth auth) {
      this.auth = Objects.requireNonNull(auth, "RayCluster.auth");
      return this;
    }

    /**
     * Sets how the API server is reached by method, as Python's {@code
     * ray_cluster(config_method=...)} does: resolved at {@link #build()} into {@link
     * KubeAuth#forMethod(ConfigMethod, Map)} with the parameters set by {@link #clusterName},
     * {@link #region}, {@link #roleName}, {@link #project} and {@link #location}. Cannot be
     * combined with {@link #auth(KubeAuth)}. {@link ConfigMethod#EKS_AUTH} needs geneva-cloud-aws
     * and {@link ConfigMethod#GKE} geneva-cloud-gcp on the classpath.
     *
     * @param configMethod the method
     * @return this builder
     */
    public Builder configMethod(ConfigMethod configMethod) {
      this.configMethod = Objects.requireNonNull(configMethod, "RayCluster.configMethod");
      return this;
    }

    /**
     * Sets the Kubernetes cluster's name in its cloud (the EKS or GKE cluster, e.g. {@code
     * "geneva"}), for {@link #configMethod(ConfigMethod)}. Not the RayCluster's {@link
     * #name(String)}.
     *
     * @param clusterName the EKS or GKE cluster name
     * @return this builder
     */
    public Builder clusterName(String clusterName) {
      return authParam("clusterName", KubeAuthProvider.PARAM_CLUSTER_NAME, clusterName);
    }

    /**
     * Sets the AWS region of the EKS cluster (e.g. {@code "us-east-1"}), for {@link
     * ConfigMethod#EKS_AUTH}.
     *
     * @param region the region
     * @return this builder
     */
    public Builder region(String region) {
      return authParam("region", KubeAuthProvider.PARAM_REGION, region);
    }

    /**
     * Sets the IAM role (name or ARN) assumed before calling EKS, for {@link
     * ConfigMethod#EKS_AUTH}.
     *
     * @param roleName the role name or ARN
     * @return this builder
     */
    public Builder roleName(String roleName) {
      return authParam("roleName", KubeAuthProvider.PARAM_ROLE_NAME, roleName);
    }

    /**
     * Sets the Google Cloud project of the GKE cluster, for {@link ConfigMethod#GKE}.
     *
     * @param project the project id
     * @return this builder
     */
    public Builder project(String project) {
      return authParam("project", KubeAuthProvider.PARAM_PROJECT, project);
    }

    /**
     * Sets the GKE cluster's location (region or zone), for {@link ConfigMethod#GKE}.
     *
     * @param location e.g. {@code "us-central1"}
     * @return this builder
     */
    public Builder location(String location) {
      return authParam("location", KubeAuthProvider.PARAM_LOCATION, location);
    }

    private Builder authParam(String option, String param, String value) {
      if (value == null || value.isBlank()) {
        throw new InvalidInputException(
            "RayCluster."
                + option
                + " must not be blank, got "
                + (value == null ? "null" : "\"\""));
      }
      authParams.put(param, value);
      return this;
    }

    /**
     * Sets the head group (default {@link HeadGroupSpec#defaults()}).
     *
     * @param headGroup the head group
     * @return this builder
     */
    public Builder headGroup(HeadGroupSpec headGroup) {
      spec.headGroup(headGroup);
      return this;
    }

    /**
     * Adds a worker group (repeatable; none added means one default group).
     *
     * @param workerGroup the group; names must be unique
     * @return this builder
     */
    public Builder workerGroup(WorkerGroupSpec workerGroup) {
      spec.workerGroup(workerGroup);
      return this;
    }

    /**
     * Sets {@code spec.rayVersion} (default: the head image tag's version, else {@value
     * #DEFAULT_RAY_VERSION}); it must equal the Ray version of every image with a versioned tag,
     * and be {@value #DEFAULT_RAY_VERSION}, the Ray whose Java API Geneva is compiled against
     * ({@code build()} refuses others; {@code start()} fails if the dashboard reports another).
     *
     * @param rayVersion e.g. "2.39.0"
     * @return this builder
     */
    public Builder rayVersion(String rayVersion) {
      spec.rayVersion(rayVersion);
      return this;
    }

    /**
     * Sets what close does (default {@link ExitMode#DELETE}).
     *
     * @param exitMode the mode
     * @return this builder
     */
    public Builder exitMode(ExitMode exitMode) {
      spec.exitMode(exitMode);
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
      spec.exitMode(exitMode);
      return this;
    }

    /**
     * Sets how long start waits for readiness (default 10 minutes).
     *
     * @param waitTimeout more than zero
     * @return this builder
     */
    public Builder waitTimeout(Duration waitTimeout) {
      spec.waitTimeout(waitTimeout);
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
      spec.deleteTimeout(deleteTimeout);
      return this;
    }

    /**
     * Sets the lease duration of the cluster (default 5 minutes): see {@link
     * RayClusterSpec.Builder#leaseDuration(Duration)} and {@link ClusterLease}.
     *
     * @param leaseDuration from 1 second to 7 days; minutes in real use
     * @return this builder
     */
    public Builder leaseDuration(Duration leaseDuration) {
      spec.leaseDuration(leaseDuration);
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
      spec.portForwarding(portForwarding);
      return this;
    }

    /**
     * Also forwards the Ray client port 10001 (default off).
     *
     * @param forwardClientPort true to forward it
     * @return this builder
     */
    public Builder forwardClientPort(boolean forwardClientPort) {
      spec.forwardClientPort(forwardClientPort);
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
      spec.reuseExisting(reuseExisting);
      return this;
    }

    /**
     * Sets the autoscaler's idle timeout; needs a worker group with minReplicas below maxReplicas.
     *
     * @param idleTimeout at least one second
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      spec.idleTimeout(idleTimeout);
      return this;
    }

    /**
     * Adds labels to the RayCluster resource.
     *
     * @param labels the labels; {@code geneva.dev/} keys are reserved
     * @return this builder
     */
    public Builder labels(Map<String, String> labels) {
      spec.labels(labels);
      return this;
    }

    /**
     * Replaces the readiness checks (default {@link ReadinessCheck#defaults()}).
     *
     * @param checks the checks, run in order
     * @return this builder
     */
    public Builder readinessChecks(List<ReadinessCheck> checks) {
      spec.readinessChecks(checks);
      return this;
    }

    /**
     * Sets how ports are forwarded (default {@link PortForwarder#fabric8()}).
     *
     * @param portForwarder the forwarder
     * @return this builder
     */
    public Builder portForwarder(PortForwarder portForwarder) {
      spec.portForwarder(portForwarder);
      return this;
    }

    Builder jobPollInterval(Duration interval) {
      jobs.pollInterval(interval);
      return this;
    }

    /**
     * Sets how long a running Ray job may go unpolled before its backfill fails with {@code
     * RayJobContactLostException} (default 1 minute): polls that get no answer, or a transient one
     * (408, 429, 5xx, a body that is not the Jobs API's JSON), are retried with backoff until this
     * much time has passed since the last successful poll. A dropped port-forward is re-opened
     * meanwhile. The job stays known to this handle, so {@link RayCluster#close()} still stops it.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder jobContactTimeout(Duration timeout) {
      jobs.contactTimeout(timeout);
      return this;
    }

    Builder osUser(String osUser) {
      spec.osUser(osUser);
      return this;
    }

    /**
     * Checks the options against each other and builds the (not yet started) cluster.
     *
     * @return the cluster handle
     * @throws InvalidInputException naming the option and the fix
     */
    public RayCluster build() {
      RayClusterSpec built = spec.build();
      return new RayCluster(this, built, resolveAuth());
    }

    /**
     * Replaces every spec option set so far (name, namespace, groups, exit mode, timeouts, ...)
     * with those of a spec; later setters change them again.
     *
     * @param spec the spec
     * @return this builder
     */
    public Builder spec(RayClusterSpec spec) {
      this.spec = Objects.requireNonNull(spec, "RayCluster.spec").toBuilder();
      return this;
    }

    /**
     * Replaces every job option set so far ({@code jobPackage}, {@code jobJvmOptions}, ...) with
     * these; later setters change them again.
     *
     * @param jobOptions the options
     * @return this builder
     */
    public Builder jobOptions(RayJobOptions jobOptions) {
      this.jobs = Objects.requireNonNull(jobOptions, "RayCluster.jobOptions").toBuilder();
      return this;
    }

    private KubeAuth resolveAuth() {
      if (auth != null && configMethod != null) {
        throw new InvalidInputException(
            "RayCluster.auth and RayCluster.configMethod are both set: give one of them (auth for"
                + " a KubeAuth you built, configMethod with clusterName/region/roleName/project/"
                + "location for Python-style config)");
      }
      if (configMethod == null) {
        if (!authParams.isEmpty()) {
          throw new InvalidInputException(
              "RayCluster "
                  + authParams.keySet()
                  + " are set but RayCluster.configMethod is not: add"
                  + " configMethod(ConfigMethod.EKS_AUTH) or configMethod(ConfigMethod.GKE)");
        }
        return auth != null ? auth : KubeAuth.autoConfigure();
      }
      return KubeAuth.forMethod(configMethod, authParams);
    }

    /**
     * Builds and starts the cluster: {@code build().start()}.
     *
     * @return the started cluster; close it
     */
    public RayCluster start() {
      return build().start();
    }
  }

  /**
   * The Ray version in an image tag such as {@code rayproject/ray:2.39.0-py310-gpu}.
   *
   * @param image the image
   * @return the version, when the tag carries one
   */
  static Optional<String> imageRayVersion(String image) {
    return RayClusterSpec.imageRayVersion(image);
  }
}
