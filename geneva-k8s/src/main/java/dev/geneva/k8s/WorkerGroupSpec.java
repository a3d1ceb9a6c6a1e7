package dev.geneva.k8s;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.internal.Checks;

/**
 * A group of identical Ray worker pods. Defaults: name {@code "worker"}, 2 CPUs, 4096 MiB, no GPU,
 * 1 replica (min = max = replicas unless set), node selector {@code
 * geneva.lancedb.com/ray-worker-cpu: "true"}, or {@code ray-worker-gpu} plus the {@code
 * nvidia.com/gpu} toleration when {@link #gpus()} is above 0. When min is below max the cluster
 * gets KubeRay's in-tree autoscaler.
 *
 * <pre>{@code
 * WorkerGroupSpec.builder().name("gpu").gpus(1).cpus(8).memory("32Gi").minReplicas(0).maxReplicas(4).build()
 * }</pre>
 */
public final class WorkerGroupSpec extends GroupSpec {
  private final String name;
  private final int replicas;
  private final int minReplicas;
  private final int maxReplicas;

  private WorkerGroupSpec(Builder b, int replicas, int min, int max) {
    super(b);
    this.name = b.name;
    this.replicas = replicas;
    this.minReplicas = min;
    this.maxReplicas = max;
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

    private Builder() {
      super("WorkerGroupSpec", "2", "4096Mi");
    }

    /**
     * Sets the group name (default {@code "worker"}).
     *
     * @param name an RFC 1123 label, unique within the cluster
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Checks.dnsLabel("WorkerGroupSpec.name", name);
      return this;
    }

    /**
     * Sets the pods started at first (default: minReplicas, else 1).
     *
     * @param replicas 0 or more
     * @return this builder
     */
    public Builder replicas(int replicas) {
      this.replicas = nonNegative("replicas", replicas);
      return this;
    }

    /**
     * Sets the fewest pods (default: replicas).
     *
     * @param minReplicas 0 or more
     * @return this builder
     */
    public Builder minReplicas(int minReplicas) {
      this.minReplicas = nonNegative("minReplicas", minReplicas);
      return this;
    }

    /**
     * Sets the most pods (default: the larger of replicas and minReplicas).
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
      int r = replicas != null ? replicas : minReplicas != null ? minReplicas : 1;
      int min =
          minReplicas != null ? minReplicas : Math.min(r, maxReplicas != null ? maxReplicas : r);
      int max = maxReplicas != null ? maxReplicas : Math.max(Math.max(r, min), 1);
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
