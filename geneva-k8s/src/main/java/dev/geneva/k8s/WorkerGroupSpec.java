package dev.geneva.k8s;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.internal.Checks;
import java.time.Duration;

/**
 * A group of identical Ray worker pods. Defaults follow Geneva (Python): name {@code "worker"}, 2
 * CPUs, 4096 MiB, no GPU, autoscaled between {@value #DEFAULT_MIN_REPLICAS} and {@value
 * #DEFAULT_MAX_REPLICAS} pods starting with 1, idle workers removed after {@value
 * #DEFAULT_IDLE_TIMEOUT_SECONDS} seconds, the head's service account, node selector {@code
 * geneva.lancedb.com/ray-worker-cpu: "true"}, or {@code ray-worker-gpu}, the {@code nvidia.com/gpu}
 * toleration and {@link GroupSpec#DEFAULT_GPU_IMAGE} when {@link #gpus()} is above 0. When min is
 * below max the cluster gets KubeRay's in-tree autoscaler.
 *
 * <pre>{@code
 * WorkerGroupSpec.builder().name("gpu").gpus(1).cpus(8).memory("32Gi").minReplicas(0).maxReplicas(4).build()
 * }</pre>
 */
public final class WorkerGroupSpec extends GroupSpec {
  /** Default fewest pods, as Geneva (Python)'s {@code min_replicas}. */
  public static final int DEFAULT_MIN_REPLICAS = 0;

  /** Default most pods, as Geneva (Python)'s {@code max_replicas}. */
  public static final int DEFAULT_MAX_REPLICAS = 100;

  /** Default idle timeout of a worker, as Geneva (Python)'s {@code idle_timeout_seconds}. */
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

  private final String name;
  private final int replicas;
  private final int minReplicas;
  private final int maxReplicas;
  private final Duration idleTimeout;

  private WorkerGroupSpec(Builder b, int replicas, int min, int max) {
    super(b);
    this.name = b.name;
    this.replicas = replicas;
    this.minReplicas = min;
    this.maxReplicas = max;
    this.idleTimeout = b.idleTimeout;
  }

  /**
   * Starts a worker group spec.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this spec into a builder.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    copyInto(b);
    b.name = name;
    b.replicas = replicas;
    b.minReplicas = minReplicas;
    b.maxReplicas = maxReplicas;
    b.idleTimeout = idleTimeout;
    return b;
  }

  /**
   * The group name (KubeRay's {@code groupName}), unique within a cluster.
   *
   * @return the name
   */
  @Override
  public String name() {
    return name;
  }

  /**
   * Always false.
   *
   * @return false
   */
  @Override
  public boolean isHead() {
    return false;
  }

  /**
   * Pods started at first.
   *
   * @return the replicas
   */
  public int replicas() {
    return replicas;
  }

  /**
   * The fewest pods the autoscaler keeps.
   *
   * @return the minimum
   */
  public int minReplicas() {
    return minReplicas;
  }

  /**
   * The most pods the autoscaler starts.
   *
   * @return the maximum
   */
  public int maxReplicas() {
    return maxReplicas;
  }

  /**
   * How long a worker of this group may sit idle before the autoscaler removes it (default {@value
   * #DEFAULT_IDLE_TIMEOUT_SECONDS} seconds). Rendered as the group's {@code idleTimeoutSeconds}
   * where the KubeRay CRD has that field (1.3 and newer; read by Ray's autoscaler v2); the
   * cluster-wide {@code autoscalerOptions.idleTimeoutSeconds} is the shortest group timeout unless
   * {@code RayCluster.Builder.idleTimeout} sets it.
   *
   * @return the idle timeout
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  @Override
  public String toString() {
    return "WorkerGroupSpec{name="
        + name
        + ", replicas="
        + replicas
        + ", minReplicas="
        + minReplicas
        + ", maxReplicas="
        + maxReplicas
        + ", idleTimeout="
        + idleTimeout
        + ", "
        + commonToString()
        + "}";
  }

  /** Builds {@link WorkerGroupSpec}. */
  public static final class Builder extends GroupSpec.Builder<WorkerGroupSpec, Builder> {
    private String name = "worker";
    private Integer replicas;
    private Integer minReplicas;
    private Integer maxReplicas;
    private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS);

    private Builder() {
      super("WorkerGroupSpec", "2", "4096Mi");
    }

    /**
     * Sets the group name (default {@code "worker"}).
     *
     * @param name an RFC 1123 label (lower-case letters, digits and '-', at most 63), unique within
     *     the cluster
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Checks.dnsLabel("WorkerGroupSpec.name", name);
      return this;
    }

    /**
     * Sets the pods started at first (default: 1, raised to minReplicas and capped at maxReplicas).
     *
     * @param replicas 0 or more
     * @return this builder
     */
    public Builder replicas(int replicas) {
      this.replicas = nonNegative("replicas", replicas);
      return this;
    }

    /**
     * Sets the fewest pods (default {@value WorkerGroupSpec#DEFAULT_MIN_REPLICAS}).
     *
     * @param minReplicas 0 or more
     * @return this builder
     */
    public Builder minReplicas(int minReplicas) {
      this.minReplicas = nonNegative("minReplicas", minReplicas);
      return this;
    }

    /**
     * Sets the most pods (default {@value WorkerGroupSpec#DEFAULT_MAX_REPLICAS}).
     *
     * @param maxReplicas 1 or more
     * @return this builder
     */
    public Builder maxReplicas(int maxReplicas) {
      if (maxReplicas < 1) {
        throw new InvalidInputException(
            "WorkerGroupSpec.maxReplicas must be at least 1, got " + maxReplicas);
      }
      this.maxReplicas = maxReplicas;
      return this;
    }

    /**
     * Sets how long a worker may sit idle before the autoscaler removes it (default {@value
     * WorkerGroupSpec#DEFAULT_IDLE_TIMEOUT_SECONDS} seconds).
     *
     * @param idleTimeout whole seconds, zero or more
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      if (idleTimeout == null
          || idleTimeout.isNegative()
          || idleTimeout.getNano() != 0
          || idleTimeout.getSeconds() > Integer.MAX_VALUE) {
        throw new InvalidInputException(
            "WorkerGroupSpec.idleTimeout must be whole seconds, zero or more, got "
                + idleTimeout
                + ": e.g. Duration.ofSeconds(60)");
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    private static int nonNegative(String option, int value) {
      if (value < 0) {
        throw new InvalidInputException(
            "WorkerGroupSpec." + option + " must be 0 or more, got " + value);
      }
      return value;
    }

    /**
     * Builds the spec, checking min ≤ replicas ≤ max.
     *
     * @return the immutable spec
     */
    @Override
    public WorkerGroupSpec build() {
      validateCommon();
      int min = minReplicas != null ? minReplicas : DEFAULT_MIN_REPLICAS;
      int max = maxReplicas != null ? maxReplicas : DEFAULT_MAX_REPLICAS;
      int r = replicas != null ? replicas : Math.min(Math.max(1, min), max);
      if (min > max || r < min || r > max) {
        throw new InvalidInputException(
            "WorkerGroupSpec \""
                + name
                + "\" needs minReplicas <= replicas <= maxReplicas, got min="
                + min
                + ", replicas="
                + r
                + ", max="
                + max
                + ": adjust them");
      }
      return new WorkerGroupSpec(this, r, min, max);
    }
  }
}
