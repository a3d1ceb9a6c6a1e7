package dev.geneva.k8s;

import dev.geneva.BackfillOptions;
import dev.geneva.InvalidInputException;
import dev.geneva.ray.jobs.JobPackage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link DetachedBackfills#submit} runs a backfill as a KubeRay {@code RayJob}: the job's
 * package (required), its name, the backfill's options, the driver's JVM and storage options, and
 * what KubeRay does when the job ends. An immutable value.
 *
 * <p>Defaults: a generated name ({@code geneva-<column>-<random>}), {@link
 * BackfillOptions#defaults()}, {@code shutdownAfterJobFinishes} true (KubeRay deletes the cluster
 * when the job ends) after {@code ttlSecondsAfterFinished} of {@value #DEFAULT_TTL_SECONDS}
 * seconds, no active deadline, status polled every second.
 *
 * <p>The package must be one the cluster can fetch by itself, since it does not exist yet when the
 * job is submitted and nobody uploads to it: {@link JobPackage#remote(String)} (a zip of jars in a
 * bucket, e.g. one built with {@code JobPackager.fromClasspath().build().zip()} and copied there)
 * or {@link JobPackage#baked(String)} (jars in the Ray image).
 */
public final class DetachedBackfillOptions {
  /** The default {@code ttlSecondsAfterFinished}: time to look at the cluster after the job. */
  public static final int DEFAULT_TTL_SECONDS = 300;

  /** The longest RayJob name: KubeRay 1.1 names the cluster {@code <name>-raycluster-xxxxx}. */
  public static final int MAX_NAME_LENGTH = 36;

  private final JobPackage jobPackage;
  private final String name;
  private final BackfillOptions backfillOptions;
  private final List<String> jvmOptions;
  private final Map<String, String> storageOptions;
  private final boolean shutdownAfterJobFinishes;
  private final Duration ttlAfterFinished;
  private final Duration activeDeadline;
  private final Duration pollInterval;

  private DetachedBackfillOptions(Builder b) {
    this.jobPackage = b.jobPackage;
    this.name = b.name;
    this.backfillOptions = b.backfillOptions;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.storageOptions = Map.copyOf(b.storageOptions);
    this.shutdownAfterJobFinishes = b.shutdownAfterJobFinishes;
    this.ttlAfterFinished = b.ttlAfterFinished;
    this.activeDeadline = b.activeDeadline;
    this.pollInterval = b.pollInterval;
  }

  /**
   * Starts options for a job that ships this package.
   *
   * @param jobPackage {@link JobPackage#remote(String)} or {@link JobPackage#baked(String)}
   * @return a builder
   */
  public static Builder builder(JobPackage jobPackage) {
    return new Builder().jobPackage(jobPackage);
  }

  /**
   * Copies these options into a builder.
   *
   * @return a builder holding these options
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.jobPackage = jobPackage;
    b.name = name;
    b.backfillOptions = backfillOptions;
    b.jvmOptions = new ArrayList<>(jvmOptions);
    b.storageOptions = new LinkedHashMap<>(storageOptions);
    b.shutdownAfterJobFinishes = shutdownAfterJobFinishes;
    b.ttlAfterFinished = ttlAfterFinished;
    b.activeDeadline = activeDeadline;
    b.pollInterval = pollInterval;
    return b;
  }

  /**
   * Where the job's jars come from.
   *
   * @return the package
   */
  public JobPackage jobPackage() {
    return jobPackage;
  }

  /**
   * The RayJob's name, when one was given.
   *
   * @return the name; empty for a generated one
   */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /**
   * The backfill's options (where, concurrency, batch size, ...; listeners and executors do not
   * travel).
   *
   * @return the options
   */
  public BackfillOptions backfillOptions() {
    return backfillOptions;
  }

  /**
   * Extra JVM options of the job's driver.
   *
   * @return the options
   */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /**
   * Lance storage options for the driver (they may hold credentials: never logged).
   *
   * @return the options
   */
  public Map<String, String> storageOptions() {
    return storageOptions;
  }

  /**
   * Whether KubeRay deletes the cluster when the job ends ({@code shutdownAfterJobFinishes}).
   *
   * @return true by default
   */
  public boolean shutdownAfterJobFinishes() {
    return shutdownAfterJobFinishes;
  }

  /**
   * How long after the job's end KubeRay deletes the cluster ({@code ttlSecondsAfterFinished}).
   *
   * @return the time
   */
  public Duration ttlAfterFinished() {
    return ttlAfterFinished;
  }

  /**
   * How long the RayJob may run before KubeRay fails it ({@code activeDeadlineSeconds}).
   *
   * @return the deadline; empty for none
   */
  public Optional<Duration> activeDeadline() {
    return Optional.ofNullable(activeDeadline);
  }

  /**
   * How often {@link DetachedBackfill#waitUntilDone} reads the RayJob's status.
   *
   * @return the interval
   */
  public Duration pollInterval() {
    return pollInterval;
  }

  @Override
  public String toString() {
    return "DetachedBackfillOptions{package="
        + jobPackage
        + ", name="
        + (name == null ? "generated" : name)
        + ", jvmOptions="
        + jvmOptions
        + ", storageOptions="
        + storageOptions.keySet()
        + ", shutdownAfterJobFinishes="
        + shutdownAfterJobFinishes
        + ", ttlAfterFinished="
        + ttlAfterFinished
        + ", activeDeadline="
        + (activeDeadline == null ? "none" : activeDeadline)
        + "}";
  }

  /** Builds {@link DetachedBackfillOptions}. Setters check their value at once. */
  public static final class Builder {
    private JobPackage jobPackage;
    private String name;
    private BackfillOptions backfillOptions = BackfillOptions.defaults();
    private List<String> jvmOptions = new ArrayList<>();
    private Map<String, String> storageOptions = new LinkedHashMap<>();
    private boolean shutdownAfterJobFinishes = true;
    private Duration ttlAfterFinished = Duration.ofSeconds(DEFAULT_TTL_SECONDS);
    private Duration activeDeadline;
    private Duration pollInterval = Duration.ofSeconds(1);

    private Builder() {}

    /**
     * Sets the package the job ships: {@link JobPackage#remote(String)} or {@link
     * JobPackage#baked(String)}. A package to upload ({@code JobPackager.build()}) cannot be used:
     * the cluster does not exist yet when the job is submitted.
     *
     * @param jobPackage the package
     * @return this builder
     */
    public Builder jobPackage(JobPackage jobPackage) {
      Objects.requireNonNull(jobPackage, "DetachedBackfillOptions.jobPackage");
      if (jobPackage.kind() == JobPackage.Kind.UPLOAD) {
        throw new InvalidInputException(
            "DetachedBackfillOptions.jobPackage is a package to upload ("
                + jobPackage.uri().orElse("")
                + "), but a detached backfill's cluster does not exist yet when the job is"
                + " submitted, so nothing can be uploaded to it: copy the zip"
                + " (JobPackage.zip()) to a bucket the cluster can read and use"
                + " JobPackage.remote(\"s3://bucket/path/geneva-job.zip\"), or bake the jars into"
                + " the Ray image and use JobPackage.baked(\"/opt/geneva/lib\")");
      }
      this.jobPackage = jobPackage;
      return this;
    }

    /**
     * Sets the RayJob's name (default {@code geneva-<column>-<random>}).
     *
     * @param name a DNS-1035 label (lower-case letters, digits and '-', starting with a letter) of
     *     at most {@value DetachedBackfillOptions#MAX_NAME_LENGTH} characters, since KubeRay names
     *     the job's cluster after it
     * @return this builder
     */
    public Builder name(String name) {
      if (name == null
          || name.length() > MAX_NAME_LENGTH
          || !name.matches("[a-z]([-a-z0-9]*[a-z0-9])?")) {
        throw new InvalidInputException(
            "DetachedBackfillOptions.name \""
                + name
                + "\" is not a RayJob name Geneva can use: at most "
                + MAX_NAME_LENGTH
                + " lower-case letters, digits and '-', starting with a letter and ending with a"
                + " letter or digit (KubeRay names the job's RayCluster <name>-raycluster-xxxxx,"
                + " which must stay a valid cluster name), e.g. \"embed-docs\"");
      }
      String n = name;
      this.name = n;
      return this;
    }

    /**
     * Sets the backfill's options (default {@link BackfillOptions#defaults()}). Its listener and
     * executor stay here: the driver on the cluster runs the backfill with the cluster's Ray.
     *
     * @param options the options
     * @return this builder
     */
    public Builder backfillOptions(BackfillOptions options) {
      this.backfillOptions =
          Objects.requireNonNull(options, "DetachedBackfillOptions.backfillOptions");
      return this;
    }

    /**
     * Adds JVM options of the job's driver, such as {@code -Xmx4g}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder jvmOptions(String... options) {
      for (String o : options) {
        if (o == null || o.isBlank()) {
          throw new InvalidInputException(
              "DetachedBackfillOptions.jvmOptions must not hold blank options");
        }
        jvmOptions.add(o);
      }
      return this;
    }

    /**
     * Adds Lance storage options for the driver. They are stored in the RayJob's {@code
     * runtimeEnvYAML} (as {@code env_vars}), where anyone who may read RayJobs in the namespace
     * sees them: give the Ray pods workload identity (IRSA, GKE Workload Identity) rather than
     * credentials here.
     *
     * @param options the options
     * @return this builder
     */
    public Builder storageOptions(Map<String, String> options) {
      Objects.requireNonNull(options, "DetachedBackfillOptions.storageOptions");
      storageOptions.putAll(options);
      return this;
    }

    /**
     * Sets whether KubeRay deletes the cluster when the job ends (default true). False keeps the
     * cluster until the RayJob is deleted ({@link DetachedBackfill#cancel()}).
     *
     * @param shutdown true to delete the cluster
     * @return this builder
     */
    public Builder shutdownAfterJobFinishes(boolean shutdown) {
      this.shutdownAfterJobFinishes = shutdown;
      return this;
    }

    /**
     * Sets how long after the job's end KubeRay deletes the cluster (default {@value
     * DetachedBackfillOptions#DEFAULT_TTL_SECONDS} seconds).
     *
     * @param ttl zero or more whole seconds, at most {@link Integer#MAX_VALUE} seconds
     * @return this builder
     */
    public Builder ttlAfterFinished(Duration ttl) {
      if (ttl == null || ttl.isNegative() || ttl.getSeconds() > Integer.MAX_VALUE) {
        throw new InvalidInputException(
            "DetachedBackfillOptions.ttlAfterFinished must be zero or more seconds, got "
                + ttl
                + ": e.g. PT5M");
      }
      this.ttlAfterFinished = ttl;
      return this;
    }

    /**
     * Sets how long the RayJob may run before KubeRay fails it (default: no deadline).
     *
     * @param deadline at least one second, at most {@link Integer#MAX_VALUE} seconds
     * @return this builder
     */
    public Builder activeDeadline(Duration deadline) {
      if (deadline == null
          || deadline.getSeconds() < 1
          || deadline.getSeconds() > Integer.MAX_VALUE) {
        throw new InvalidInputException(
            "DetachedBackfillOptions.activeDeadline must be at least 1 second, got "
                + deadline
                + ": e.g. PT6H");
      }
      this.activeDeadline = deadline;
      return this;
    }

    /**
     * Sets how often {@link DetachedBackfill#waitUntilDone} reads the RayJob's status (default 1
     * second).
     *
     * @param interval more than zero
     * @return this builder
     */
    public Builder pollInterval(Duration interval) {
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new InvalidInputException(
            "DetachedBackfillOptions.pollInterval must be more than zero, got " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws InvalidInputException when no package was set
     */
    public DetachedBackfillOptions build() {
      if (jobPackage == null) {
        throw new InvalidInputException(
            "DetachedBackfillOptions needs a jobPackage: JobPackage.remote(\"s3://...zip\") or"
                + " JobPackage.baked(\"/opt/geneva/lib\")");
      }
      return new DetachedBackfillOptions(this);
    }
  }
}
