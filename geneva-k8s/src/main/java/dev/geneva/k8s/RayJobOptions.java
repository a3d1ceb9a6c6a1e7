package dev.geneva.k8s;

import dev.geneva.InvalidInputException;
import dev.geneva.ray.jobs.JobPackage;
import dev.geneva.ray.jobs.JobPackager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link RayCluster}'s backfills run as Ray jobs: what they ship, the drivers' JVM and
 * storage options, how the dashboard is called and polled, and how long {@link RayCluster#close()}
 * waits for the jobs it stops. An immutable value; {@link RayCluster.Builder} sets it option by
 * option ({@code jobJvmOptions(..)}, ...) or whole ({@link RayCluster.Builder#jobOptions}).
 */
public final class RayJobOptions {
  private final JobPackage jobPackage;
  private final JobPackager jobPackager;
  private final List<String> jvmOptions;
  private final Map<String, String> storageOptions;
  private final String dashboardBearerToken;
  private final Duration stopTimeout;
  private final Duration pollInterval;
  private final Duration contactTimeout;

  private RayJobOptions(Builder b) {
    this.jobPackage = b.jobPackage;
    this.jobPackager = b.jobPackager;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.storageOptions = Map.copyOf(b.storageOptions);
    this.dashboardBearerToken = b.dashboardBearerToken;
    this.stopTimeout = b.stopTimeout;
    this.pollInterval = b.pollInterval;
    this.contactTimeout = b.contactTimeout;
  }

  /**
   * The defaults: this JVM's classpath as the package, no extra JVM or storage options, no bearer
   * token, a 10-second stop timeout, the Jobs client's poll interval and contact timeout.
   *
   * @return the defaults
   */
  public static RayJobOptions defaults() {
    return builder().build();
  }

  /**
   * Starts a set of job options from the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies these options into a builder.
   *
   * @return a builder holding these options
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.jobPackage = jobPackage;
    b.jobPackager = jobPackager;
    b.jvmOptions = new ArrayList<>(jvmOptions);
    b.storageOptions = new LinkedHashMap<>(storageOptions);
    b.dashboardBearerToken = dashboardBearerToken;
    b.stopTimeout = stopTimeout;
    b.pollInterval = pollInterval;
    b.contactTimeout = contactTimeout;
    return b;
  }

  /**
   * The package Ray jobs ship, when one was given.
   *
   * @return the package; empty means {@link #jobPackager()} or this JVM's classpath
   */
  public Optional<JobPackage> jobPackage() {
    return Optional.ofNullable(jobPackage);
  }

  /**
   * The packager Ray jobs' package is built with, when one was given.
   *
   * @return the packager; empty with {@link #jobPackage()} or the default ({@link
   *     JobPackager#fromClasspath()})
   */
  public Optional<JobPackager> jobPackager() {
    return Optional.ofNullable(jobPackager);
  }

  /**
   * Extra JVM options of the Ray job drivers.
   *
   * @return the options
   */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /**
   * Lance storage options sent to the Ray job drivers (they may hold credentials: never log them).
   *
   * @return the options
   */
  public Map<String, String> storageOptions() {
    return storageOptions;
  }

  /**
   * Whether a bearer token is sent to the Ray dashboard (the token itself is not exposed).
   *
   * @return true when one was set
   */
  public boolean hasDashboardBearerToken() {
    return dashboardBearerToken != null;
  }

  String dashboardBearerToken() {
    return dashboardBearerToken;
  }

  /**
   * How long {@link RayCluster#close()} waits for the Ray jobs it stops.
   *
   * @return the timeout
   */
  public Duration stopTimeout() {
    return stopTimeout;
  }

  Optional<Duration> pollInterval() {
    return Optional.ofNullable(pollInterval);
  }

  /**
   * How long a running Ray job may go unpolled before its backfill fails, see {@link
   * Builder#contactTimeout(Duration)}.
   *
   * @return the timeout; empty for the default (1 minute)
   */
  public Optional<Duration> contactTimeout() {
    return Optional.ofNullable(contactTimeout);
  }

  @Override
  public String toString() {
    return "RayJobOptions{package="
        + (jobPackage != null ? "given" : jobPackager != null ? "packager" : "classpath")
        + ", jvmOptions="
        + jvmOptions
        + ", storageOptions="
        + storageOptions.keySet()
        + ", bearerToken="
        + (dashboardBearerToken != null ? "set" : "none")
        + ", stopTimeout="
        + stopTimeout
        + ", contactTimeout="
        + (contactTimeout != null ? contactTimeout : "default")
        + "}";
  }

  /** Builds {@link RayJobOptions}. Setters check their value at once. */
  public static final class Builder {
    private JobPackage jobPackage;
    private JobPackager jobPackager;
    private List<String> jvmOptions = new ArrayList<>();
    private Map<String, String> storageOptions = new LinkedHashMap<>();
    private String dashboardBearerToken;
    private Duration stopTimeout = Duration.ofSeconds(10);
    private Duration pollInterval;
    private Duration contactTimeout;

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
      this.jobPackage = Objects.requireNonNull(jobPackage, "RayCluster.jobPackage");
      this.jobPackager = null;
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
      this.jobPackager = Objects.requireNonNull(jobPackager, "RayCluster.jobPackager");
      this.jobPackage = null;
      return this;
    }

    /**
     * Adds JVM options of the Ray job drivers, such as {@code -Xmx4g}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder jvmOptions(String... options) {
      for (String o : options) {
        if (o == null || o.isBlank()) {
          throw new InvalidInputException("RayCluster.jobJvmOptions must not hold blank options");
        }
        jvmOptions.add(o);
      }
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
    public Builder storageOptions(Map<String, String> options) {
      Objects.requireNonNull(options, "RayCluster.jobStorageOptions");
      storageOptions.putAll(options);
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
      if (token == null || token.isBlank()) {
        throw new InvalidInputException("RayCluster.dashboardBearerToken must not be blank");
      }
      this.dashboardBearerToken = token;
      return this;
    }

    /**
     * Sets how long {@link RayCluster#close()} waits for the Ray jobs it stops (default 10
     * seconds).
     *
     * @param timeout zero or more
     * @return this builder
     */
    public Builder stopTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new InvalidInputException(
            "RayCluster.jobStopTimeout must be zero or more, got " + timeout);
      }
      this.stopTimeout = timeout;
      return this;
    }

    Builder pollInterval(Duration interval) {
      this.pollInterval = interval;
      return this;
    }

    /**
     * Sets how long a running Ray job may go unpolled before its backfill fails with {@code
     * RayJobContactLostException} (default 1 minute): polls that get no answer, or a transient one
     * (408, 429, 5xx, a body that is not the Jobs API's JSON), are retried with backoff until this
     * much time has passed since the last successful poll. A dropped port-forward is re-opened
     * meanwhile. The job stays known to the cluster handle, so {@link RayCluster#close()} still
     * stops it.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder contactTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new InvalidInputException(
            "RayCluster.jobContactTimeout must be positive, got " + timeout);
      }
      this.contactTimeout = timeout;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public RayJobOptions build() {
      return new RayJobOptions(this);
    }
  }
}
