package dev.geneva.k8s.internal;

import dev.geneva.JobFilter;
import dev.geneva.JobHistory;
import dev.geneva.JobRecord;
import dev.geneva.JobState;
import dev.geneva.k8s.DetachedBackfillStatus;
import dev.geneva.k8s.ReconciledJob;
import dev.geneva.k8s.internal.crd.RayJobResource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a detached backfill's record in the job history in line with its RayJob: the driver
 * records the job's end, but a driver that died (out of memory, node lost), a cluster that never
 * came up or a RayJob deleted before its driver ran leave the record {@code PENDING} or {@code
 * RUNNING} for ever. Only ends are written, never over an ended record (the history's fold keeps
 * the furthest state anyway: a driver's late {@code DONE} still wins over a {@code FAILED} written
 * here).
 *
 * <p>Which records are detached backfills': records whose cluster is {@code <namespace>/<RayJob
 * name>} and that the client recorded with executor {@value DetachedJobs#EXECUTOR} (the folded
 * record while it is {@code PENDING}; one of its reports once the driver reported {@code RUNNING}),
 * or that the RayJob of that name names by its {@value DetachedJobs#JOB_ID_ANNOTATION} annotation.
 * Records of attached cluster backfills name a RayCluster and are left alone.
 */
public final class JobReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(JobReconciler.class);

  /**
   * How long after its pending record a RayJob that cannot be found is taken for one not created
   * yet: the client records the job before it creates the RayJob, and creating it may retry for up
   * to a minute.
   */
  public static final Duration SUBMIT_GRACE = Duration.ofMinutes(2);

  private final JobHistory history;
  private final Clock clock;

  /**
   * A reconciler writing to a history.
   *
   * @param history the database's job history
   * @param clock the clock for the times written and the submission grace
   */
  public JobReconciler(JobHistory history, Clock clock) {
    this.history = history;
    this.clock = clock;
  }

  /**
   * The records that have not ended and name a RayJob of the namespace as their cluster ({@code
   * <namespace>/<name>}), newest first; they still have to be {@linkplain #isDetached confirmed}.
   *
   * @param namespace the namespace
   * @param name only records of this RayJob, or null for every RayJob
   * @return the records
   */
  public List<JobRecord> openRecords(String namespace, String name) {
    return history
        .list(JobFilter.builder().state(JobState.PENDING, JobState.RUNNING).build())
        .stream()
        .filter(
            r ->
                r.cluster()
                    .map(c -> rayJobName(c, namespace))
                    .filter(n -> name == null ? !n.isEmpty() : n.equals(name))
                    .isPresent())
        .toList();
  }

  /** The RayJob name of a {@code namespace/name} cluster in the namespace, else "". */
  private static String rayJobName(String cluster, String namespace) {
    String prefix = namespace + "/";
    if (!cluster.startsWith(prefix) || cluster.indexOf('/', prefix.length()) >= 0) {
      return "";
    }
    return cluster.substring(prefix.length());
  }

  /**
   * The RayJob name of a record's cluster.
   *
   * @param record a record from {@link #openRecords}
   * @return the name
   */
  public static String rayJobName(JobRecord record) {
    String c = record.cluster().orElseThrow();
    return c.substring(c.indexOf('/') + 1);
  }

  /**
   * Whether a record is a detached backfill's (see the class comment).
   *
   * @param record the record
   * @param job the RayJob its cluster names, or null when there is none
   * @return true when it is
   */
  public boolean isDetached(JobRecord record, RayJobResource job) {
    if (DetachedJobs.EXECUTOR.equals(record.executor())) {
      return true;
    }
    if (job != null && record.jobId().equals(jobIdOf(job).orElse(null))) {
      return true;
    }
    return history.reports(record.jobId()).stream()
        .anyMatch(r -> DetachedJobs.EXECUTOR.equals(r.executor()));
  }

  /**
   * The job id a RayJob was annotated with when it was submitted.
   *
   * @param job the RayJob
   * @return the id, empty for a RayJob submitted without one
   */
  public static Optional<String> jobIdOf(RayJobResource job) {
    Map<String, String> a = job.getMetadata().getAnnotations();
    return Optional.ofNullable(a == null ? null : a.get(DetachedJobs.JOB_ID_ANNOTATION));
  }

  /**
   * Reconciles one record with what KubeRay reports, writing its end when KubeRay's shows one.
   *
   * @param record the record, not ended
   * @param namespace the RayJob's namespace
   * @param name the RayJob's name
   * @param job the RayJob as just read, or null when it does not exist
   * @param lastSeen the status a handle saw before the RayJob went, or null; when given, the RayJob
   *     is known to have existed (no grace for one not created yet)
   * @param deletedByHandle true when this client deleted the RayJob ({@code cancel()})
   * @return what was found and written
   */
  public ReconciledJob reconcile(
      JobRecord record,
      String namespace,
      String name,
      RayJobResource job,
      DetachedBackfillStatus lastSeen,
      boolean deletedByHandle) {
    String where = namespace + "/" + name;
    Optional<String> otherJob =
        job == null ? Optional.empty() : jobIdOf(job).filter(id -> !id.equals(record.jobId()));
    // A RayJob of that name that runs another job says nothing about this one: it is gone.
    DetachedBackfillStatus status =
        otherJob.isPresent()
            ? DetachedJobs.gone(null, name, namespace)
            : job != null ? DetachedJobs.status(job) : DetachedJobs.gone(lastSeen, name, namespace);
    Instant now = clock.instant();
    String describe = "kubectl describe rayjob " + name + " -n " + namespace;
    String resume = " Running the backfill again resumes from its checkpoints.";
    String recordedAs = "the job history still says " + record.state();
    return switch (status.state()) {
      case PENDING, RUNNING ->
          unchanged(
              record,
              where,
              status,
              "KubeRay reports the RayJob "
                  + status.describe()
                  + ": it has not ended, and its driver records the job's end. Left as is");
      case SUCCEEDED ->
          unchanged(
              record,
              where,
              status,
              "KubeRay reports the RayJob SUCCEEDED but "
                  + recordedAs
                  + ": only the driver's own report (with the rows and metrics) records DONE;"
                  + " its last write may still be in flight, or it failed (the driver's log says"
                  + " why). Left as is");
      case FAILED ->
          end(
              record,
              where,
              status,
              JobState.FAILED,
              now,
              "KubeRay reports RayJob "
                  + where
                  + " "
                  + status.describe()
                  + ", but "
                  + recordedAs
                  + ": "
                  + failedBecause(record, status)
                  + " Investigate with: "
                  + describe
                  + driverLog(status, namespace)
                  + "."
                  + resume);
      case STOPPED ->
          end(
              record,
              where,
              status,
              JobState.CANCELLED,
              now,
              "KubeRay reports RayJob "
                  + where
                  + " "
                  + status.describe()
                  + ": its Ray job was stopped (Ray Jobs API or dashboard) before its driver"
                  + " recorded an end. Investigate with: "
                  + describe
                  + "."
                  + resume);
      case DELETED -> gone(record, where, status, lastSeen, deletedByHandle, otherJob, now);
    };
  }

  private ReconciledJob gone(
      JobRecord record,
      String where,
      DetachedBackfillStatus status,
      DetachedBackfillStatus lastSeen,
      boolean deletedByHandle,
      Optional<String> otherJob,
      Instant now) {
    String namespace = status.namespace();
    String name = status.name();
    if (lastSeen == null
        && otherJob.isEmpty()
        && record.state() == JobState.PENDING
        && record.createdAt().isAfter(now.minus(SUBMIT_GRACE))) {
      return unchanged(
          record,
          where,
          status,
          "there is no RayJob "
              + where
              + " yet, and the job was recorded pending "
              + Duration.between(record.createdAt(), now).toSeconds()
              + " s ago: its client may still be creating it. Left as is");
    }
    if (deletedByHandle) {
      return end(
          record,
          where,
          status,
          JobState.CANCELLED,
          now,
          "RayJob "
              + where
              + " was deleted by DetachedBackfill.cancel() while the job history said "
              + record.state()
              + ", before its driver recorded an end."
              + " Running the backfill again resumes from its checkpoints.");
    }
    String what =
        otherJob
            .map(
                id ->
                    "RayJob "
                        + where
                        + " now runs another backfill (job "
                        + id
                        + "): this job's RayJob of that name was deleted")
            .orElse(
                "RayJob "
                    + where
                    + " no longer exists (deleted with kubectl, geneva jobs detached --cancel or"
                    + " DetachedBackfill.cancel(), or by KubeRay)");
    return end(
        record,
        where,
        status,
        JobState.FAILED,
        now,
        what
            + " while the job history said "
            + record.state()
            + ", and nothing recorded the job's end: "
            + (record.state() == JobState.PENDING
                ? "its driver never ran."
                : "its driver was stopped with it, or died before.")
            + " See what deleted it: kubectl get events -n "
            + namespace
            + " --field-selector involvedObject.name="
            + name
            + ". Running the backfill again resumes from its checkpoints.");
  }

  private static String failedBecause(JobRecord record, DetachedBackfillStatus status) {
    if (record.state() == JobState.RUNNING) {
      return "its driver died without recording an end (out of memory, its node lost, killed).";
    }
    if (status.jobStatus().isEmpty()) {
      return "its driver never started (the cluster did not come up, an image could not be"
          + " pulled, the deadline passed, or the submission failed).";
    }
    return "its driver failed before it recorded the job running (the table or a class not"
        + " found, bad arguments, out of memory).";
  }

  private static String driverLog(DetachedBackfillStatus status, String namespace) {
    if (status.rayClusterName().isEmpty()) {
      return "";
    }
    return "; the driver's log, while KubeRay keeps cluster "
        + status.rayClusterName()
        + ": kubectl logs -n "
        + namespace
        + " -l ray.io/cluster="
        + status.rayClusterName()
        + ",ray.io/node-type=head --tail=200";
  }

  private static ReconciledJob unchanged(
      JobRecord record, String where, DetachedBackfillStatus status, String detail) {
    return new ReconciledJob(record, where, status, Optional.empty(), detail);
  }

  /** Writes the end, unless the job ended meanwhile (checked again just before writing). */
  private ReconciledJob end(
      JobRecord record,
      String where,
      DetachedBackfillStatus status,
      JobState state,
      Instant now,
      String error) {
    Optional<JobRecord> current = history.get(record.jobId());
    if (current.isPresent() && current.get().state().isTerminal()) {
      return unchanged(
          record,
          where,
          status,
          "the job was recorded " + current.get().state() + " meanwhile. Left as is");
    }
    Instant ended = status.ended().filter(t -> !t.isAfter(now)).orElse(now);
    JobRecord end =
        record.toBuilder().state(state).endedAt(ended).updatedAt(now).error(error).build();
    history.record(end);
    LOG.info("Recorded job {} of RayJob {} as {}: {}", record.jobId(), where, state, error);
    return new ReconciledJob(record, where, status, Optional.of(end), error);
  }
}
