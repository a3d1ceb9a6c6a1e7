package dev.geneva.k8s.internal;

import dev.geneva.k8s.DetachedBackfillOptions;
import dev.geneva.k8s.DetachedBackfillState;
import dev.geneva.k8s.DetachedBackfillStatus;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.k8s.internal.crd.RayJobSpec;
import dev.geneva.k8s.internal.crd.RayJobStatus;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.EntrypointBuilder;
import dev.geneva.ray.jobs.RayJobBackfill;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Renders a detached backfill as a KubeRay {@code RayJob} and reads its status back.
 *
 * <p>The RayJob is submitted in {@code HTTPMode}: the operator posts the entrypoint to the
 * cluster's Jobs API as is, exactly as an attached cluster's backfill does, and Ray runs it with a
 * shell. (KubeRay's default {@code K8sJobMode} passes it through {@code ray job submit} in a
 * submitter pod, which re-splits it: by shlex on KubeRay 1.1, through {@code /bin/sh} from 1.3, so
 * the entrypoint's {@code &&} and {@code $(...)} would run in the submitter pod.)
 */
public final class DetachedJobs {
  /** Annotation holding the table URI the RayJob backfills. */
  public static final String TABLE_ANNOTATION = RayCluster.LABEL_PREFIX + "table";

  /** Annotation holding the column the RayJob backfills. */
  public static final String COLUMN_ANNOTATION = RayCluster.LABEL_PREFIX + "column";

  /**
   * Annotation holding the id the backfill is recorded under in the database's job history, when
   * the client recorded it ({@link
   * dev.geneva.k8s.DetachedBackfills#submit(dev.geneva.k8s.auth.KubeAuth, RayClusterSpec,
   * dev.geneva.Table, String, DetachedBackfillOptions)}).
   */
  public static final String JOB_ID_ANNOTATION = RayCluster.LABEL_PREFIX + "job-id";

  /** The executor a detached backfill's pending record names, before its driver reports. */
  public static final String EXECUTOR = "rayjob";

  /** The submission mode Geneva uses, present in every supported KubeRay. */
  public static final String SUBMISSION_MODE = "HTTPMode";

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private DetachedJobs() {}

  /**
   * The name of a new RayJob: the options' name, else {@code geneva-<column>-<6 hex>}.
   *
   * @param options the options
   * @param column the column
   * @return a name of at most {@link DetachedBackfillOptions#MAX_NAME_LENGTH} characters
   */
  public static String name(DetachedBackfillOptions options, String column) {
    if (options.name().isPresent()) {
      return options.name().get();
    }
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 6);
    int room = DetachedBackfillOptions.MAX_NAME_LENGTH - "geneva-".length() - suffix.length() - 1;
    String col = Checks.sanitize(column, room);
    return "geneva-" + (col.isEmpty() ? "" : col + "-") + suffix;
  }

  /**
   * The RayJob of a detached backfill.
   *
   * @param cluster the cluster the job runs on (its shape, labels and Ray version)
   * @param sessionId the submission's session id, for the labels
   * @param features what the installed RayJob CRD's cluster spec has
   * @param name the RayJob's name
   * @param args what the driver backfills
   * @param options the options
   * @return the resource to create
   */
  public static RayJobResource render(
      RayClusterSpec cluster,
      String sessionId,
      KubeRayFeatures features,
      String name,
      DriverArgs args,
      DetachedBackfillOptions options) {
    RayClusterResource rendered = Manifests.render(cluster, sessionId, features);
    String entrypoint =
        EntrypointBuilder.forPackage(options.jobPackage())
            .jvmOptions(
                Manifests.driverJvmOptions(cluster, options.jvmOptions()).toArray(String[]::new))
            .build(args);
    Map<String, Object> runtimeEnv = new LinkedHashMap<>(options.jobPackage().runtimeEnv());
    runtimeEnv.put("env_vars", RayJobBackfill.driverEnvironment(options.storageOptions()));

    RayJobSpec spec = new RayJobSpec();
    spec.setEntrypoint(entrypoint);
    spec.setSubmissionMode(SUBMISSION_MODE);
    spec.setRuntimeEnvYAML(JSON.asJson(runtimeEnv));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("geneva.table", args.tableUri());
    metadata.put("geneva.column", args.column());
    metadata.put("geneva.session", sessionId);
    spec.setMetadata(metadata);
    spec.setShutdownAfterJobFinishes(options.shutdownAfterJobFinishes());
    spec.setTtlSecondsAfterFinished((int) options.ttlAfterFinished().getSeconds());
    options.activeDeadline().ifPresent(d -> spec.setActiveDeadlineSeconds((int) d.getSeconds()));
    spec.setRayClusterSpec(rendered.getSpec());

    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(TABLE_ANNOTATION, args.tableUri());
    annotations.put(COLUMN_ANNOTATION, args.column());
    args.options().jobId().ifPresent(id -> annotations.put(JOB_ID_ANNOTATION, id));
    RayJobResource job = new RayJobResource();
    job.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(cluster.namespace())
            .withLabels(new LinkedHashMap<>(rendered.getMetadata().getLabels()))
            .withAnnotations(annotations)
            .build());
    job.setSpec(spec);
    return job;
  }

  /**
   * The state a RayJob's status means.
   *
   * @param status the status, or null when the RayJob has none yet
   * @return the state (never {@link DetachedBackfillState#DELETED})
   */
  public static DetachedBackfillState state(RayJobStatus status) {
    if (status == null) {
      return DetachedBackfillState.PENDING;
    }
    String job = upper(status.getJobStatus());
    switch (job) {
      case "SUCCEEDED":
        return DetachedBackfillState.SUCCEEDED;
      case "FAILED":
        return DetachedBackfillState.FAILED;
      case "STOPPED":
        return DetachedBackfillState.STOPPED;
      default:
        break;
    }
    String deployment =
        status.getJobDeploymentStatus() == null ? "" : status.getJobDeploymentStatus();
    // Complete without a final Ray job status does not happen in KubeRay; count it as failed
    // rather than wait for ever.
    if (deployment.equals("Failed")
        || deployment.equals("ValidationFailed")
        || deployment.equals("Complete")) {
      return DetachedBackfillState.FAILED;
    }
    return job.equals("RUNNING") ? DetachedBackfillState.RUNNING : DetachedBackfillState.PENDING;
  }

  /**
   * A RayJob's status as the SDK reports it.
   *
   * @param job the resource
   * @return the status
   */
  public static DetachedBackfillStatus status(RayJobResource job) {
    ObjectMeta m = job.getMetadata();
    RayJobStatus s = job.getStatus();
    Map<String, String> annotations = m.getAnnotations() == null ? Map.of() : m.getAnnotations();
    return new DetachedBackfillStatus(
        m.getName(),
        m.getNamespace(),
        state(s),
        s == null ? "" : text(s.getJobStatus()),
        s == null ? "" : text(s.getJobDeploymentStatus()),
        s == null ? "" : text(s.getReason()),
        s == null ? "" : text(s.getMessage()),
        s == null ? "" : text(s.getRayClusterName()),
        annotations.getOrDefault(TABLE_ANNOTATION, ""),
        annotations.getOrDefault(COLUMN_ANNOTATION, ""),
        time(m.getCreationTimestamp()),
        s == null ? Optional.empty() : time(s.getEndTime()));
  }

  /**
   * The status of a RayJob that no longer exists.
   *
   * @param last the last status seen, or null
   * @param name its name
   * @param namespace its namespace
   * @return {@code last} when it was final, else a {@link DetachedBackfillState#DELETED} status
   */
  public static DetachedBackfillStatus gone(
      DetachedBackfillStatus last, String name, String namespace) {
    if (last != null && last.isDone()) {
      return last;
    }
    return new DetachedBackfillStatus(
        name,
        namespace,
        DetachedBackfillState.DELETED,
        last == null ? "" : last.jobStatus(),
        last == null ? "" : last.jobDeploymentStatus(),
        last == null ? "" : last.reason(),
        "the RayJob was deleted before its end was seen",
        last == null ? "" : last.rayClusterName(),
        last == null ? "" : last.table(),
        last == null ? "" : last.column(),
        last == null ? Optional.empty() : last.created(),
        Optional.empty());
  }

  private static String upper(String s) {
    return s == null ? "" : s.toUpperCase(Locale.ROOT);
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }

  private static Optional<Instant> time(String ts) {
    if (ts == null || ts.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(ts).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
