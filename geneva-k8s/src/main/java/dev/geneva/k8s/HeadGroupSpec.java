package dev.geneva.k8s;

/**
 * The Ray head pod: dashboard, GCS and scheduler. Defaults: 1 CPU, 2048 MiB, no GPU, node selector
 * {@code geneva.lancedb.com/ray-head: "true"}, {@code ray start --num-cpus=0} so no task runs on
 * the head.
 *
 * <pre>{@code
 * HeadGroupSpec.builder().serviceAccount("geneva-ray-runner").cpus(1).memoryMiB(2048).build()
 * }</pre>
 */
public final class HeadGroupSpec extends GroupSpec {
  private static final HeadGroupSpec DEFAULTS = builder().build();

  private HeadGroupSpec(Builder b) {
    super(b);
  }

  /**
   * The default head group.
   *
   * @return the defaults
   */
  public static HeadGroupSpec defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a head group spec.
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
    return b;
  }

  /**
   * Always {@code "head"}.
   *
   * @return the name
   */
  @Override
  public String name() {
    return "head";
  }

  /**
   * Always true.
   *
   * @return true
   */
  @Override
  public boolean isHead() {
    return true;
  }

  @Override
  public String toString() {
    return "HeadGroupSpec{" + commonToString() + "}";
  }

  /** Builds {@link HeadGroupSpec}. */
  public static final class Builder extends GroupSpec.Builder<HeadGroupSpec, Builder> {
    private Builder() {
      super("HeadGroupSpec", "1", "2048Mi");
    }

    /**
     * Builds the spec.
     *
     * @return the immutable spec
     */
    @Override
    public HeadGroupSpec build() {
      validateCommon();
      return new HeadGroupSpec(this);
    }
  }
}
