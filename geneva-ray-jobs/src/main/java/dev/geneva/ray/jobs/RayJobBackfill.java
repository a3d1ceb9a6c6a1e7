package dev.geneva.ray.jobs;

import dev.geneva.BackfillJob;
import dev.geneva.BackfillOptions;
import dev.geneva.BackfillResult;
import dev.geneva.InvalidInputException;
import dev.geneva.JobRecord;
import dev.geneva.LanceLogging;
import dev.geneva.Table;
import dev.geneva.ray.jobs.internal.ClientJobRecords;
import dev.geneva.ray.jobs.internal.Json;
import dev.geneva.ray.jobs.internal.RemoteBackfillJob;
import dev.geneva.spi.BackfillTarget;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs backfills on a Ray cluster as Ray jobs: packages the jars (once, uploading only when the
 * cluster lacks the package), submits an entrypoint running the driver ({@value
 * EntrypointBuilder#DRIVER_CLASS}, from geneva-ray), and returns a {@link BackfillJob} with the
 * same semantics as a local {@code Table.backfillAsync}: a future of the {@link BackfillResult},
 * live progress (parsed from the driver's log lines, also sent to the options' listener), and
 * {@code cancel()} (stops the Ray job).
 *
 * <pre>{@code
 * RayJobsClient client = RayJobsClient.builder().dashboardUrl(URI.create("http://localhost:8265")).build();
 * RayJobBackfill remote = RayJobBackfill.builder(client).build();
 * BackfillResult r = remote.start(table.uri(), "embedding", BackfillOptions.defaults()).join();
 * }</pre>
 *
 * <p>The driver travels with the job: by default the package is this JVM's class path, which must
 * then hold geneva-ray (the driver's module; Ray's own jars are left out, the cluster's {@code
 * ray_dist.jar} is used), else building the package fails naming the fix. The table must be
 * reachable from the cluster under the same URI (a bucket, or a volume mounted at the same path).
 * Options travel on the driver's command line except the listener (kept here) and the executor (the
 * cluster's Ray is the executor).
 */
public final class RayJobBackfill implements BackfillTarget {
  private static final Logger LOG = LoggerFactory.getLogger(RayJobBackfill.class);

  private final RayJobsClient client;
  private final Supplier<JobPackage> packaging;
  private final String javaCommand;
  private final String rayDistJar;
  private final List<String> jvmOptions;
  private final Map<String, String> storageOptions;
  private final Map<String, String> metadata;
  private final Double entrypointNumCpus;
  private final Duration pollInterval;
  private final Duration contactTimeout;
  private final String clusterName;
  private JobPackage cachedPackage;

  private RayJobBackfill(Builder b) {
    this.client = b.client;
    this.packaging = b.packaging;
    this.javaCommand = b.javaCommand;
    this.rayDistJar = b.rayDistJar;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.storageOptions = Map.copyOf(b.storageOptions);
    this.metadata = Map.copyOf(b.metadata);
    this.entrypointNumCpus = b.entrypointNumCpus;
    this.pollInterval = b.pollInterval == null ? client.pollInterval() : b.pollInterval;
    this.contactTimeout = b.contactTimeout == null ? client.contactTimeout() : b.contactTimeout;
    this.clusterName = b.clusterName;
  }

  /**
   * Starts configuring remote backfills through a dashboard client.
   *
   * @param client the cluster's Jobs API
   * @return a builder
   */
  public static Builder builder(RayJobsClient client) {
    return new Builder(Objects.requireNonNull(client, "client"));
  }

  /**
   * The package jobs use, built on first use, and uploaded unless the cluster already has it.
   *
   * @return the package
   */
  public synchronized JobPackage ensurePackage() {
    if (cachedPackage == null) {
      cachedPackage = packaging.get();
      LOG.info("job package: {}", cachedPackage);
    }
    JobPackage p = cachedPackage;
    if (p.kind() == JobPackage.Kind.UPLOAD) {
      String uri = p.uri().orElseThrow();
      if (client.packageExists(uri)) {
        LOG.info("the cluster already has package {}", uri);
      } else {
        client.uploadPackage(uri, p.zip().orElseThrow());
      }
    }
    return p;
  }

  /**
   * The submission a backfill would send (the package is built and uploaded if needed).
   *
   * @param tableUri the table's URI, as {@link Table#uri()} returns it
   * @param column the column
   * @param options the options
   * @return the submission
   */
  public JobSubmission submission(String tableUri, String column, BackfillOptions options) {
    // The Ray submission id is the job history's id, so the client's and the driver's reports
    // about the job meet.
    String id = options.jobId().orElseGet(() -> JobRecord.newJobId(column));
    BackfillOptions.Builder withJob = options.toBuilder().jobId(id);
    if (clusterName != null && options.cluster().isEmpty()) {
      withJob.cluster(clusterName);
    }
    DriverArgs args = new DriverArgs(tableUri, column, withJob.build());
    JobPackage p = ensurePackage();
    JobSubmission.Builder s = JobSubmission.builder(entrypoint(p).build(args)).submissionId(id);
    p.runtimeEnv().forEach(s::runtimeEnv);
    s.runtimeEnv("env_vars", driverEnvironment(storageOptions));
    s.metadata("geneva.table", tableUri).metadata("geneva.column", column);
    metadata.forEach(s::metadata);
    if (entrypointNumCpus != null) {
      s.entrypointNumCpus(entrypointNumCpus);
    }
    return s.build();
  }

  /**
   * The environment a backfill's driver gets (the submission's {@code env_vars}): Lance's logging
   * settings as this JVM has them ({@link LanceLogging#environment()}), and the storage options as
   * {@value DriverArgs#STORAGE_OPTIONS_ENV} when there are any.
   *
   * @param storageOptions Lance storage options for the driver (may be empty)
   * @return the variables
   */
  public static Map<String, String> driverEnvironment(Map<String, String> storageOptions) {
    // The driver and its workers log through Lance like this JVM does (LanceLogging).
    Map<String, String> env = new LinkedHashMap<>(LanceLogging.environment());
    if (!storageOptions.isEmpty()) {
      var json = Json.object();
      storageOptions.forEach(json::put);
      env.put(DriverArgs.STORAGE_OPTIONS_ENV, Json.write(json));
    }
    return env;
  }

  /**
   * Submits a backfill of {@code column} and returns at once.
   *
   * @param tableUri the table's URI, as {@link Table#uri()} returns it
   * @param column a UDF column of that table
   * @param options the options (the executor is ignored: the cluster's Ray runs the tasks)
   * @return the running job
   * @throws RayDashboardException when the dashboard is unreachable or rejects the job; the
   *     backfill's future fails with {@link RayJobContactLostException} when the running job cannot
   *     be polled for longer than the contact timeout
   */
  public BackfillJob start(String tableUri, String column, BackfillOptions options) {
    BackfillOptions o = options == null ? BackfillOptions.defaults() : options;
    JobSubmission s = submission(tableUri, column, o);
    SubmittedJob job = client.submit(s);
    return new RemoteBackfillJob(
        client,
        job.submissionId(),
        column,
        o.listener().orElse(null),
        pollInterval,
        contactTimeout);
  }

  /**
   * Submits a backfill of a table's column and returns at once. The job is recorded in the table's
   * database's {@linkplain dev.geneva.Connection#jobs() job history}: here as pending, then by the
   * driver as it runs it, and here again as failed or cancelled when the driver could not report
   * (see {@link ClientJobRecords}). {@link #start(String, String, BackfillOptions)}, which has no
   * {@code Table}, leaves the history to the driver.
   *
   * @param table the table
   * @param column a UDF column of that table
   * @param options the options
   * @return the running job
   */
  @Override
  public BackfillJob start(Table table, String column, BackfillOptions options) {
    BackfillOptions o = options == null ? BackfillOptions.defaults() : options;
    String id = o.jobId().orElseGet(() -> JobRecord.newJobId(column));
    ClientJobRecords records =
        ClientJobRecords.pending(
            table, column, id, name(), o.cluster().orElse(clusterName), o.listener().orElse(null));
    BackfillJob job;
    try {
      job = start(table.uri(), column, o.toBuilder().jobId(id).build());
    } catch (RuntimeException e) {
      records.submissionFailed(e);
      throw e;
    }
    return records.follow(job);
  }

  /**
   * Submits a materialized view's whole refresh (the UDTF's expansion and the UDF columns'
   * backfills) as one Ray job running the driver's refresh mode ({@link RefreshArgs}), with the
   * same package, runtime environment and storage options as a backfill, and returns at once. The
   * refresh's result is {@link RemoteBackfillJob#refreshResult()}; {@code cancel()} stops the job,
   * leaving the refresh resumable. The backfills inside record themselves in the job history, as
   * the driver runs them; the refresh job itself is not recorded there.
   *
   * @param view the view's table
   * @param sourceVersion the source version to refresh to, or empty for the latest
   * @param options the UDF columns' backfill options (the executor, target and listener stay here)
   * @return the running job
   * @throws RayDashboardException when the dashboard is unreachable or rejects the job
   */
  public RemoteBackfillJob startRefreshJob(
      Table view, java.util.OptionalLong sourceVersion, BackfillOptions options) {
    BackfillOptions o = options == null ? BackfillOptions.defaults() : options;
    // The Ray job's id; each backfill inside gets a job id of its own in the driver.
    String id = JobRecord.newJobId("refresh-" + view.name());
    BackfillOptions.Builder travelling = o.toBuilder();
    if (clusterName != null && o.cluster().isEmpty()) {
      travelling.cluster(clusterName);
    }
    RefreshArgs args = new RefreshArgs(view.uri(), sourceVersion, travelling.build());
    JobPackage p = ensurePackage();
    JobSubmission.Builder s = JobSubmission.builder(entrypoint(p).build(args)).submissionId(id);
    p.runtimeEnv().forEach(s::runtimeEnv);
    s.runtimeEnv("env_vars", driverEnvironment(storageOptions));
    s.metadata("geneva.view", view.uri());
    metadata.forEach(s::metadata);
    if (entrypointNumCpus != null) {
      s.entrypointNumCpus(entrypointNumCpus);
    }
    SubmittedJob job = client.submit(s.build());
    return RemoteBackfillJob.refresh(
        client,
        job.submissionId(),
        view.name(),
        o.listener().orElse(null),
        pollInterval,
        contactTimeout);
  }

  /** The entrypoint for a package already ensured (ensuring it again asks the cluster again). */
  private EntrypointBuilder entrypoint(JobPackage p) {
    EntrypointBuilder entry =
        EntrypointBuilder.forPackage(p)
            .javaCommand(javaCommand)
            .jvmOptions(jvmOptions.toArray(String[]::new));
    if (rayDistJar != null) {
      entry.rayDistJar(rayDistJar);
    }
    return entry;
  }

  /**
   * Names the target after the dashboard it submits to.
   *
   * @return {@code ray-job:<dashboard URL>}
   */
  @Override
  public String name() {
    return "ray-job:" + client.dashboardUrl();
  }

  /**
   * Runs a backfill as a Ray job and waits for its result.
   *
   * @param tableUri the table's URI
   * @param column the column
   * @param options the options
   * @return the result
   * @throws RayJobFailedException when the job fails
   */
  public BackfillResult run(String tableUri, String column, BackfillOptions options) {
    return start(tableUri, column, options).join();
  }

  @Override
  public String toString() {
    return "RayJobBackfill{" + client + "}";
  }

  /** Configures a {@link RayJobBackfill}. */
  public static final class Builder {
    private final RayJobsClient client;
    private Supplier<JobPackage> packaging = () -> JobPackager.fromClasspath().build();
    private String javaCommand = "java";
    private String rayDistJar;
    private final List<String> jvmOptions = new java.util.ArrayList<>();
    private final Map<String, String> storageOptions = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private Double entrypointNumCpus;
    private Duration pollInterval;
    private Duration contactTimeout;
    private String clusterName;

    private Builder(RayJobsClient client) {
      this.client = client;
    }

    /**
     * Ships this package instead of this JVM's classpath.
     *
     * @param jobPackage the package (built, remote or baked into the image)
     * @return this builder
     */
    public Builder jobPackage(JobPackage jobPackage) {
      Objects.requireNonNull(jobPackage, "jobPackage");
      this.packaging = () -> jobPackage;
      return this;
    }

    /**
     * Builds the package with this packager (on first use) instead of from this JVM's classpath.
     *
     * @param packager the packager
     * @return this builder
     */
    public Builder packager(JobPackager packager) {
      Objects.requireNonNull(packager, "packager");
      this.packaging = packager::build;
      return this;
    }

    /**
     * The Java launcher on the Ray nodes (default {@code java}).
     *
     * @param command the command
     * @return this builder
     */
    public Builder javaCommand(String command) {
      this.javaCommand = Objects.requireNonNull(command, "command");
      return this;
    }

    /**
     * The path of {@code ray_dist.jar} on the nodes (default: {@code $RAY_DIST_JAR}, else found in
     * the {@code ray} Python package).
     *
     * @param path the path
     * @return this builder
     */
    public Builder rayDistJar(String path) {
      this.rayDistJar = path;
      return this;
    }

    /**
     * Adds JVM options for the driver, such as {@code -Xmx4g}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder jvmOptions(String... options) {
      jvmOptions.addAll(List.of(options));
      return this;
    }

    /**
     * Lance storage options for the driver, sent as the job's {@code env_vars} {@value
     * DriverArgs#STORAGE_OPTIONS_ENV} (never on the command line). Ray shows a job's runtime
     * environment to anyone who can read the dashboard: prefer workload identity (IRSA, GKE
     * Workload Identity) on the Ray pods to credentials here.
     *
     * @param options the options
     * @return this builder
     */
    public Builder storageOptions(Map<String, String> options) {
      storageOptions.putAll(options);
      return this;
    }

    /**
     * Adds metadata stored with every job.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     */
    public Builder metadata(String key, String value) {
      metadata.put(key, value);
      return this;
    }

    /**
     * Reserves CPUs for the driver apart from its tasks.
     *
     * @param cpus the CPUs
     * @return this builder
     */
    public Builder entrypointNumCpus(double cpus) {
      if (cpus < 0) {
        throw new InvalidInputException("entrypointNumCpus must be at least 0, got " + cpus);
      }
      this.entrypointNumCpus = cpus;
      return this;
    }

    /**
     * How often a running job is polled (default: the client's poll interval).
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder pollInterval(Duration interval) {
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new InvalidInputException("poll interval must be positive, got " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * How long polls of a running job may fail transiently (no answer, 408, 429, 5xx, a body that
     * is not the expected JSON), counted from the last successful poll, before the backfill fails
     * with {@link RayJobContactLostException} (default: the client's {@link
     * RayJobsClient#contactTimeout()}, one minute). Independent of the poll interval.
     *
     * @param timeout the time budget
     * @return this builder
     */
    public Builder contactTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new InvalidInputException("contact timeout must be positive, got " + timeout);
      }
      this.contactTimeout = timeout;
      return this;
    }

    /**
     * Names the cluster the jobs run on ({@code namespace/name}), for the job history.
     *
     * @param name the name, or null
     * @return this builder
     */
    public Builder clusterName(String name) {
      this.clusterName = name;
      return this;
    }

    /**
     * Builds it.
     *
     * @return the remote backfill runner
     */
    public RayJobBackfill build() {
      return new RayJobBackfill(this);
    }
  }
}
