package dev.geneva.k8s;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.internal.Checks;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What the head group and the worker groups have in common: the pods' resources, image, scheduling,
 * identity, environment and volumes. Requests equal limits. Immutable.
 */
public abstract sealed class GroupSpec permits HeadGroupSpec, WorkerGroupSpec {
  /**
   * The default image of groups without GPUs; its Ray version is the one Geneva's Java driver is
   * built for ({@link RayCluster#DEFAULT_RAY_VERSION}). It has no JRE: see docs/ray-image.md.
   */
  public static final String DEFAULT_IMAGE = "rayproject/ray:2.39.0-py310";

  /**
   * The default image of groups with {@link #gpus()} above 0: the CUDA variant of {@link
   * #DEFAULT_IMAGE}, as Geneva (Python) picks {@code -gpu} images for GPU groups.
   */
  public static final String DEFAULT_GPU_IMAGE = "rayproject/ray:2.39.0-py310-gpu";

  /**
   * The default service account: the one {@code RayClusterManifests} creates and the deployment
   * guide names. Worker groups without one inherit the head's.
   */
  public static final String DEFAULT_SERVICE_ACCOUNT = "geneva-ray-runner";

  /** The default image pull policy of the Ray containers, as Geneva (Python) sets it. */
  public static final String DEFAULT_IMAGE_PULL_POLICY = "IfNotPresent";

  /** Node label that head pods select by default. */
  public static final String HEAD_NODE_LABEL = "geneva.lancedb.com/ray-head";

  /** Node label that CPU worker pods select by default. */
  public static final String CPU_WORKER_NODE_LABEL = "geneva.lancedb.com/ray-worker-cpu";

  /** Node label that GPU worker pods select by default. */
  public static final String GPU_WORKER_NODE_LABEL = "geneva.lancedb.com/ray-worker-gpu";

  /** The extended resource name of NVIDIA GPUs. */
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  private final String serviceAccount;
  private final String cpus;
  private final String memory;
  private final int gpus;
  private final String image;
  private final String imagePullPolicy;
  private final Map<String, String> nodeSelector;
  private final List<Toleration> tolerations;
  private final Map<String, String> labels;
  private final Map<String, String> annotations;
  private final Map<String, String> env;
  private final List<Volume> volumes;
  private final List<VolumeMount> volumeMounts;
  private final String priorityClassName;
  private final Map<String, String> rayStartParams;
  private final UnaryOperator<PodTemplateSpec> podTemplateOverride;

  GroupSpec(Builder<?, ?> b) {
    this.serviceAccount = b.serviceAccount;
    this.cpus = b.cpus;
    this.memory = b.memory;
    this.gpus = b.gpus;
    this.image = b.image;
    this.imagePullPolicy = b.imagePullPolicy;
    this.nodeSelector =
        b.nodeSelector == null
            ? null
            : Collections.unmodifiableMap(new LinkedHashMap<>(b.nodeSelector));
    this.tolerations = b.tolerations.stream().map(t -> new TolerationBuilder(t).build()).toList();
    this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
    this.annotations = Collections.unmodifiableMap(new LinkedHashMap<>(b.annotations));
    this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
    this.volumes = b.volumes.stream().map(v -> new VolumeBuilder(v).build()).toList();
    this.volumeMounts =
        b.volumeMounts.stream().map(v -> new VolumeMountBuilder(v).build()).toList();
    this.priorityClassName = b.priorityClassName;
    this.rayStartParams = Collections.unmodifiableMap(new LinkedHashMap<>(b.rayStartParams));
    this.podTemplateOverride = b.podTemplateOverride;
  }

  /**
   * The group's name as used in messages and in KubeRay ({@code "head"} for the head group).
   *
   * @return the name
   */
  public abstract String name();

  /**
   * Whether this is the head group.
   *
   * @return true for {@link HeadGroupSpec}
   */
  public abstract boolean isHead();

  /**
   * The Kubernetes service account the pods run as. The head's is always present ({@value
   * #DEFAULT_SERVICE_ACCOUNT} unless set); a worker group's is empty unless set, and then the
   * group's pods run as the head's.
   *
   * @return the service account
   */
  public Optional<String> serviceAccount() {
    if (serviceAccount == null && isHead()) {
      return Optional.of(DEFAULT_SERVICE_ACCOUNT);
    }
    return Optional.ofNullable(serviceAccount);
  }

  /**
   * CPUs per pod, as a Kubernetes quantity (request = limit).
   *
   * @return e.g. {@code "2"} or {@code "500m"}
   */
  public String cpus() {
    return cpus;
  }

  /**
   * Memory per pod, as a Kubernetes quantity (request = limit).
   *
   * @return e.g. {@code "4Gi"}
   */
  public String memory() {
    return memory;
  }

  /**
   * NVIDIA GPUs per pod (default 0). Above 0 adds {@code nvidia.com/gpu} requests and limits and
   * the {@code nvidia.com/gpu} NoSchedule toleration.
   *
   * @return the GPUs
   */
  public int gpus() {
    return gpus;
  }

  /**
   * The container image: the one set, else {@link #DEFAULT_GPU_IMAGE} when the group has GPUs and
   * {@link #DEFAULT_IMAGE} otherwise.
   *
   * @return the image
   */
  public String image() {
    if (image != null) {
      return image;
    }
    return gpus > 0 ? DEFAULT_GPU_IMAGE : DEFAULT_IMAGE;
  }

  /**
   * Whether {@link #image()} was set rather than chosen by default.
   *
   * @return true when set
   */
  public boolean imageSet() {
    return image != null;
  }

  /**
   * The Ray container's image pull policy (default {@value #DEFAULT_IMAGE_PULL_POLICY}).
   *
   * @return {@code Always}, {@code IfNotPresent} or {@code Never}
   */
  public String imagePullPolicy() {
    return imagePullPolicy;
  }

  /**
   * The node selector the pods get: the one set, or the default ({@code
   * geneva.lancedb.com/ray-head: "true"} for the head; {@code ray-worker-gpu} for workers with
   * GPUs, else {@code ray-worker-cpu}).
   *
   * @return the node selector
   */
  public Map<String, String> nodeSelector() {
    if (nodeSelector != null) {
      return nodeSelector;
    }
    String key =
        isHead() ? HEAD_NODE_LABEL : gpus > 0 ? GPU_WORKER_NODE_LABEL : CPU_WORKER_NODE_LABEL;
    return Map.of(key, "true");
  }

  /**
   * The tolerations the pods get: the ones added, plus {@code nvidia.com/gpu Exists NoSchedule}
   * when the group has GPUs and no toleration for that key was added.
   *
   * @return the tolerations (copies)
   */
  public List<Toleration> tolerations() {
    List<Toleration> all = new ArrayList<>();
    tolerations.forEach(t -> all.add(new TolerationBuilder(t).build()));
    if (gpus > 0 && all.stream().noneMatch(t -> GPU_RESOURCE.equals(t.getKey()))) {
      all.add(
          new TolerationBuilder()
              .withKey(GPU_RESOURCE)
              .withOperator("Exists")
              .withEffect("NoSchedule")
              .build());
    }
    return all;
  }

  /**
   * Extra pod labels (Geneva adds its own ownership labels).
   *
   * @return the labels
   */
  public Map<String, String> labels() {
    return labels;
  }

  /**
   * Extra pod annotations.
   *
   * @return the annotations
   */
  public Map<String, String> annotations() {
    return annotations;
  }

  /**
   * Environment variables of the Ray container, in insertion order.
   *
   * @return the variables
   */
  public Map<String, String> env() {
    return env;
  }

  /**
   * Pod volumes.
   *
   * @return copies of the volumes
   */
  public List<Volume> volumes() {
    return volumes.stream().map(v -> new VolumeBuilder(v).build()).toList();
  }

  /**
   * Mounts in the Ray container.
   *
   * @return copies of the mounts
   */
  public List<VolumeMount> volumeMounts() {
    return volumeMounts.stream().map(v -> new VolumeMountBuilder(v).build()).toList();
  }

  /**
   * The pods' priority class, if any.
   *
   * @return the priority class name
   */
  public Optional<String> priorityClassName() {
    return Optional.ofNullable(priorityClassName);
  }

  /**
   * Extra {@code rayStartParams} (KubeRay passes them to {@code ray start}); Geneva always sends
   * the map, even empty, since KubeRay up to 1.3 requires it.
   *
   * @return the extra parameters
   */
  public Map<String, String> rayStartParams() {
    return rayStartParams;
  }

  /**
   * The escape hatch applied last to the generated pod template, if any.
   *
   * @return the override
   */
  public Optional<UnaryOperator<PodTemplateSpec>> podTemplateOverride() {
    return Optional.ofNullable(podTemplateOverride);
  }

  String commonToString() {
    return "serviceAccount="
        + serviceAccount
        + ", cpus="
        + cpus
        + ", memory="
        + memory
        + ", gpus="
        + gpus
        + ", image="
        + image()
        + ", nodeSelector="
        + nodeSelector()
        + ", priorityClassName="
        + priorityClassName
        + ", env="
        + env.keySet()
        + ", labels="
        + labels;
  }

  void copyInto(Builder<?, ?> b) {
    b.serviceAccount = serviceAccount;
    b.cpus = cpus;
    b.memory = memory;
    b.gpus = gpus;
    b.image = image;
    b.imagePullPolicy = imagePullPolicy;
    b.nodeSelector = nodeSelector == null ? null : new LinkedHashMap<>(nodeSelector);
    b.tolerations = new ArrayList<>(tolerations);
    b.labels = new LinkedHashMap<>(labels);
    b.annotations = new LinkedHashMap<>(annotations);
    b.env = new LinkedHashMap<>(env);
    b.volumes = new ArrayList<>(volumes);
    b.volumeMounts = new ArrayList<>(volumeMounts);
    b.priorityClassName = priorityClassName;
    b.rayStartParams = new LinkedHashMap<>(rayStartParams);
    b.podTemplateOverride = podTemplateOverride;
  }

  /**
   * Common setters. Each checks its value at once and names the option in its error.
   *
   * @param <S> the spec built
   * @param <B> the concrete builder
   */
  public abstract static sealed class Builder<S extends GroupSpec, B extends Builder<S, B>>
      permits HeadGroupSpec.Builder, WorkerGroupSpec.Builder {
    private final String owner;
    private String serviceAccount;
    private String cpus;
    private String memory;
    private int gpus;
    private String image;
    private String imagePullPolicy = DEFAULT_IMAGE_PULL_POLICY;
    private Map<String, String> nodeSelector;
    private List<Toleration> tolerations = new ArrayList<>();
    private Map<String, String> labels = new LinkedHashMap<>();
    private Map<String, String> annotations = new LinkedHashMap<>();
    private Map<String, String> env = new LinkedHashMap<>();
    private List<Volume> volumes = new ArrayList<>();
    private List<VolumeMount> volumeMounts = new ArrayList<>();
    private String priorityClassName;
    private Map<String, String> rayStartParams = new LinkedHashMap<>();
    private UnaryOperator<PodTemplateSpec> podTemplateOverride;

    Builder(String owner, String cpus, String memory) {
      this.owner = owner;
      this.cpus = cpus;
      this.memory = memory;
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    String field(String option) {
      return owner + "." + option;
    }

    /**
     * Sets the Kubernetes service account of the pods. Unset (or null), the head runs as {@value
     * #DEFAULT_SERVICE_ACCOUNT} (the deployment guide's, created by {@code RayClusterManifests})
     * and worker groups as the head's; pass {@code "default"} for the namespace's default account
     * (no workload identity, so no cloud storage credentials on the pods).
     *
     * @param serviceAccount an existing service account, or null for the default
     * @return this builder
     */
    public B serviceAccount(String serviceAccount) {
      this.serviceAccount =
          serviceAccount == null
              ? null
              : Checks.dnsSubdomain(field("serviceAccount"), serviceAccount);
      return self();
    }

    /**
     * Sets whole CPUs per pod, like Python's {@code num_cpus}.
     *
     * @param cpus at least 1
     * @return this builder
     */
    public B cpus(int cpus) {
      if (cpus < 1) {
        throw new InvalidInputException(
            field("cpus") + " must be at least 1, got " + cpus + ": use cpus(\"500m\") for less");
      }
      this.cpus = Integer.toString(cpus);
      return self();
    }

    /**
     * Sets CPUs per pod as a Kubernetes quantity.
     *
     * @param cpus e.g. {@code "500m"} or {@code "2"}
     * @return this builder
     */
    public B cpus(String cpus) {
      this.cpus = Checks.positiveQuantity(field("cpus"), cpus, "2");
      return self();
    }

    /**
     * Sets memory per pod in MiB, like Python's {@code memory=2048}.
     *
     * @param mebibytes at least 1
     * @return this builder
     */
    public B memoryMiB(int mebibytes) {
      if (mebibytes < 1) {
        throw new InvalidInputException(
            field("memoryMiB") + " must be at least 1, got " + mebibytes + ": e.g. 4096");
      }
      this.memory = mebibytes + "Mi";
      return self();
    }

    /**
     * Sets memory per pod as a Kubernetes quantity.
     *
     * @param memory e.g. {@code "4Gi"}
     * @return this builder
     */
    public B memory(String memory) {
      this.memory = Checks.positiveQuantity(field("memory"), memory, "4Gi");
      return self();
    }

    /**
     * Sets NVIDIA GPUs per pod.
     *
     * @param gpus 0 or more
     * @return this builder
     */
    public B gpus(int gpus) {
      if (gpus < 0) {
        throw new InvalidInputException(
            field("gpus") + " must be 0 or more, got " + gpus + ": use 0 for a CPU-only group");
      }
      this.gpus = gpus;
      return self();
    }

    /**
     * Sets the container image (default {@link #DEFAULT_IMAGE}, or {@link #DEFAULT_GPU_IMAGE} for a
     * group with GPUs); its tag's Ray version must match {@link RayCluster#rayVersion()}.
     *
     * @param image e.g. {@code "rayproject/ray:2.39.0-py310"}
     * @return this builder
     */
    public B image(String image) {
      if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
        throw new InvalidInputException(
            field("image")
                + " \""
                + image
                + "\" is not an image reference: use e.g. \""
                + DEFAULT_IMAGE
                + "\"");
      }
      this.image = image;
      return self();
    }

    /**
     * Sets the Ray container's image pull policy (default {@value #DEFAULT_IMAGE_PULL_POLICY}).
     *
     * @param policy {@code Always}, {@code IfNotPresent} or {@code Never}
     * @return this builder
     */
    public B imagePullPolicy(String policy) {
      if (!List.of("Always", "IfNotPresent", "Never").contains(policy)) {
        throw new InvalidInputException(
            field("imagePullPolicy")
                + " \""
                + policy
                + "\" is not a Kubernetes pull policy: use Always, IfNotPresent or Never");
      }
      this.imagePullPolicy = policy;
      return self();
    }

    /**
     * Replaces the default node selector; an empty map selects any node.
     *
     * @param nodeSelector node labels the pods require
     * @return this builder
     */
    public B nodeSelector(Map<String, String> nodeSelector) {
      this.nodeSelector = new LinkedHashMap<>(Checks.labels(field("nodeSelector"), nodeSelector));
      return self();
    }

    /**
     * Adds a toleration.
     *
     * @param toleration the toleration
     * @return this builder
     */
    public B toleration(Toleration toleration) {
      Objects.requireNonNull(toleration, field("toleration"));
      this.tolerations.add(new TolerationBuilder(toleration).build());
      return self();
    }

    /**
     * Adds pod labels.
     *
     * @param labels the labels; keys under {@code geneva.dev/} are reserved
     * @return this builder
     */
    public B labels(Map<String, String> labels) {
      Checks.labels(field("labels"), labels);
      labels.keySet().forEach(k -> reserved(field("labels"), k));
      this.labels.putAll(labels);
      return self();
    }

    /**
     * Adds pod annotations.
     *
     * @param annotations the annotations
     * @return this builder
     */
    public B annotations(Map<String, String> annotations) {
      Objects.requireNonNull(annotations, field("annotations"));
      annotations.forEach(
          (k, v) -> {
            Checks.labelKey(field("annotations"), k);
            Objects.requireNonNull(v, field("annotations") + " value of " + k);
          });
      this.annotations.putAll(annotations);
      return self();
    }

    /**
     * Adds an environment variable to the Ray container.
     *
     * @param name the name
     * @param value the value (not logged)
     * @return this builder
     */
    public B env(String name, String value) {
      Checks.envName(field("env"), name);
      if (value == null) {
        throw new InvalidInputException(
            field("env") + " value of " + name + " is null: pass \"\" for an empty value");
      }
      this.env.put(name, value);
      return self();
    }

    /**
     * Adds environment variables to the Ray container.
     *
     * @param env the variables
     * @return this builder
     */
    public B env(Map<String, String> env) {
      Objects.requireNonNull(env, field("env"));
      env.forEach(this::env);
      return self();
    }

    /**
     * Adds a pod volume.
     *
     * @param volume the volume
     * @return this builder
     */
    public B volume(Volume volume) {
      Objects.requireNonNull(volume, field("volume"));
      Checks.dnsLabel(field("volume name"), volume.getName());
      if (volumes.stream().anyMatch(v -> v.getName().equals(volume.getName()))) {
        throw new InvalidInputException(
            field("volume")
                + " \""
                + volume.getName()
                + "\" is added twice: give each a unique name");
      }
      this.volumes.add(new VolumeBuilder(volume).build());
      return self();
    }

    /**
     * Adds a mount to the Ray container.
     *
     * @param mount the mount; its volume must be added with {@link #volume(Volume)}
     * @return this builder
     */
    public B volumeMount(VolumeMount mount) {
      Objects.requireNonNull(mount, field("volumeMount"));
      if (mount.getName() == null
          || mount.getMountPath() == null
          || mount.getMountPath().isBlank()) {
        throw new InvalidInputException(
            field("volumeMount") + " needs a volume name and a mount path, got " + mount);
      }
      this.volumeMounts.add(new VolumeMountBuilder(mount).build());
      return self();
    }

    /**
     * Sets the pods' priority class.
     *
     * @param priorityClassName an existing PriorityClass, or null for none
     * @return this builder
     */
    public B priorityClassName(String priorityClassName) {
      this.priorityClassName =
          priorityClassName == null
              ? null
              : Checks.dnsSubdomain(field("priorityClassName"), priorityClassName);
      return self();
    }

    /**
     * Adds a {@code ray start} parameter, e.g. {@code ("object-store-memory", "1000000000")}.
     *
     * @param name the parameter, without dashes in front
     * @param value its value
     * @return this builder
     */
    public B rayStartParam(String name, String value) {
      if (name == null || name.isBlank() || name.startsWith("-") || value == null) {
        throw new InvalidInputException(
            field("rayStartParam")
                + " needs a name without leading dashes and a value, got "
                + name
                + "="
                + value);
      }
      this.rayStartParams.put(name, value);
      return self();
    }

    /**
     * Sets the escape hatch: a function applied last to the generated pod template, for what the
     * builder does not cover (affinity, sidecars, security contexts). Keep Ray's container first.
     *
     * @param override the function, or null for none
     * @return this builder
     */
    public B podTemplateOverride(UnaryOperator<PodTemplateSpec> override) {
      this.podTemplateOverride = override;
      return self();
    }

    private static void reserved(String field, String key) {
      if (key.startsWith(RayCluster.LABEL_PREFIX)
          || key.equals(RayCluster.MANAGED_BY_LABEL)
          || key.startsWith("ray.io/")) {
        throw new InvalidInputException(
            field
                + " key \""
                + key
                + "\" is reserved for Geneva or KubeRay: use a key under your own prefix");
      }
    }

    void validateCommon() {
      for (VolumeMount m : volumeMounts) {
        if (volumes.stream().noneMatch(v -> v.getName().equals(m.getName()))
            && !m.getName().startsWith("kube-api-access")) {
          throw new InvalidInputException(
              field("volumeMount")
                  + " refers to volume \""
                  + m.getName()
                  + "\" which is not added: add it with volume(...)");
        }
      }
      Map<String, String> selector = nodeSelector;
      if (selector != null) {
        if (gpus == 0 && "true".equals(selector.get(GPU_WORKER_NODE_LABEL))) {
          throw new InvalidInputException(
              field("gpus")
                  + " is 0 but the node selector asks for GPU nodes ("
                  + GPU_WORKER_NODE_LABEL
                  + "): set gpus(n) for a GPU group, or select "
                  + CPU_WORKER_NODE_LABEL);
        }
        if (gpus > 0 && "true".equals(selector.get(CPU_WORKER_NODE_LABEL))) {
          throw new InvalidInputException(
              field("gpus")
                  + " is "
                  + gpus
                  + " but the node selector asks for CPU-only nodes ("
                  + CPU_WORKER_NODE_LABEL
                  + "): select "
                  + GPU_WORKER_NODE_LABEL
                  + " or set gpus(0)");
        }
      }
    }

    int gpusValue() {
      return gpus;
    }

    /**
     * Builds the immutable spec, checking the options against each other.
     *
     * @return the spec
     */
    public abstract S build();
  }
}
