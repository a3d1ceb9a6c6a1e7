package dev.geneva.k8s;

import dev.geneva.BackfillOptions;
import dev.geneva.Connection;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.JobHistory;
import dev.geneva.JobRecord;
import dev.geneva.Table;
import dev.geneva.internal.engine.UdfMetadata;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.Admission;
import dev.geneva.k8s.internal.ApiCalls;
import dev.geneva.k8s.internal.DetachedJobs;
import dev.geneva.k8s.internal.Errors;
import dev.geneva.k8s.internal.JobReconciler;
import dev.geneva.k8s.internal.KubeRayFeatures;
import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.ray.jobs.DriverArgs;
import dev.geneva.ray.jobs.internal.ClientJobRecords;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backfills that outlive the client: each runs as a KubeRay {@code RayJob}, which creates its own
 * RayCluster from a {@link RayClusterSpec}, runs the backfill's driver there, and (with {@code
 * shutdownAfterJobFinishes}, the default) deletes the cluster when the job ends. The client may
 * disconnect right after {@link #submit}; {@link #find} and {@code geneva jobs detached} follow the
 * job later.
 *
 * <pre>{@code
 * RayClusterSpec spec = RayClusterSpec.builder().namespace("geneva")
 *     .workerGroup(WorkerGroupSpec.builder().maxReplicas(8).build()).build();
 * DetachedBackfillOptions options =
 *     DetachedBackfillOptions.builder(JobPackage.remote("s3://bucket/jobs/geneva-job.zip")).build();
 * try (DetachedBackfill job = DetachedBackfills.submit(auth, spec, table, "embedding", options)) {
 *   System.out.println("submitted RayJob " + job.name());
 * }
 * }</pre>
 *
 * <p>The RayJob gets the spec's shape (groups, images, Ray version, autoscaling) and labels, plus
 * the labels Geneva puts on its RayClusters ({@link RayCluster#MANAGED_BY_LABEL}, owner, session,
 * SDK version), which KubeRay copies to the cluster it creates, so {@link RayClusters#list} sees
 * it. The spec's name, exit mode, timeouts, readiness checks and port forwarding do not apply: the
 * operator names, waits for and deletes the cluster. Needs KubeRay 1.1 or newer, and create, get,
 * list and delete on {@code rayjobs.ray.io} in the namespace.
 */
public final class DetachedBackfills {
  private static final Logger LOG = LoggerFactory.getLogger(DetachedBackfills.class);

  /** How long one API call may retry transient answers. */
  private static final Duration BUDGET = Duration.ofSeconds(30);

  private DetachedBackfills() {}

  /**
   * Submits a backfill of a table's column as a RayJob, see {@link #submit(KubeAuth,
   * RayClusterSpec, String, String, DetachedBackfillOptions)}; with the table at hand it also does
   * what an attached cluster backfill does before submitting. It checks that the UDF's resources
   * fit a worker group of {@code cluster} ({@link ResourcesDoNotFitException} otherwise, before any
   * API call), and records the job as {@code PENDING} in the table's database's {@linkplain
   * dev.geneva.Connection#jobs() job history} (executor {@code rayjob}, cluster {@code
   * <namespace>/<RayJob name>}, a new job id unless the backfill options name one); the driver then
   * records it running and its end under the same id, and a submission the API server refuses is
   * recorded as failed.
   *
   * @param auth how to reach the API server
   * @param cluster the cluster the job runs on
   * @param table the table; the cluster must reach it under {@link Table#uri()}
   * @param column a UDF column of the table
   * @param options the package and job options
   * @return the handle of the submitted job
   * @throws ResourcesDoNotFitException before anything is submitted or recorded, when no worker
   *     group can run the UDF's tasks
   */
  public static DetachedBackfill submit(
      KubeAuth auth,
      RayClusterSpec cluster,
      Table table,
      String column,
      DetachedBackfillOptions options) {
    if (table == null) {
      throw new InvalidInputException("DetachedBackfills.submit needs a table");
    }
    checkArguments(auth, cluster, options);
    var field =
        table.schema().getFields().stream().filter(f -> f.getName().equals(column)).findFirst();
    if (field.isEmpty() || UdfMetadata.from(field.get().getMetadata()).isEmpty()) {
      throw new InvalidInputException(
          "table '"
              + table.name()
              + "' has no UDF column '"
              + column
              + "' to backfill; nothing was submitted. Add it with"
              + " table.addColumns(Map.of(\""
              + column
              + "\", udf))");
    }
    Admission.check(cluster, table, column);
    String name = DetachedJobs.name(options, column);
    String where = cluster.namespace() + "/" + name;
    BackfillOptions backfill = options.backfillOptions();
    // Not the RayJob's name as id: a name chosen by the user is reused by later runs.
    String jobId = backfill.jobId().orElseGet(() -> JobRecord.newJobId(column));
    BackfillOptions.Builder recorded = backfill.toBuilder().jobId(jobId);
    if (backfill.cluster().isEmpty()) {
      recorded.cluster(where);
    }
    DetachedBackfillOptions named =
        options.toBuilder().name(name).backfillOptions(recorded.build()).build();
    return submit(
        auth,
        cluster,
        table.uri(),
        column,
        named,
        () ->
            ClientJobRecords.pending(
                table,
                column,
                jobId,
                DetachedJobs.EXECUTOR,
                named.backfillOptions().cluster().orElse(where),
                null),
        table.jobHistory());
  }

  /**
   * Submits a backfill as a RayJob and returns once the API server stored it. Everything is checked
   * before the first API call: the table URI and column, the options, and the rendered RayJob. Then
   * the installed RayJob CRD is read (which optional cluster fields it has), and the RayJob
   * created. A create whose answer was lost is recognised by this submission's {@link
   * RayCluster#SESSION_LABEL} and counts as created.
   *
   * @param auth how to reach the API server
   * @param cluster the cluster the job runs on (shape, images, labels; see the class comment)
   * @param tableUri the table's URI ({@code <database>/<name>.lance}), as the cluster reaches it
   * @param column a UDF column of the table
   * @param options the package and job options
   * @return the handle of the submitted job (close it to release its client; the job runs on)
   * @throws InvalidInputException for bad input, before any API call
   * @throws RayClusterException when KubeRay's RayJob CRD is missing, a RayJob of that name exists,
   *     or the API server refuses the create
   */
  public static DetachedBackfill submit(
      KubeAuth auth,
      RayClusterSpec cluster,
      String tableUri,
      String column,
      DetachedBackfillOptions options) {
    checkArguments(auth, cluster, options);
    return submit(auth, cluster, tableUri, column, options, null, null);
  }

  private static void checkArguments(
      KubeAuth auth, RayClusterSpec cluster, DetachedBackfillOptions options) {
    if (auth == null) {
      throw new InvalidInputException(
          "DetachedBackfills.submit needs a KubeAuth: e.g. KubeAuth.kubeconfig()");
    }
    if (cluster == null) {
      throw new InvalidInputException(
          "DetachedBackfills.submit needs a RayClusterSpec: e.g. RayClusterSpec.builder().build()");
    }
    if (options == null) {
      throw new InvalidInputException(
          "DetachedBackfills.submit needs DetachedBackfillOptions with a job package: e.g."
              + " DetachedBackfillOptions.builder(JobPackage.remote(\"s3://bucket/job.zip\"))"
              + ".build()");
    }
  }

  /**
   * Submits; {@code records}, when given, records the job as pending once the input is checked and
   * before the first API call, and hears of a refused submission; {@code history}, when given, is
   * where the handle records the job's end if its driver cannot ({@link
   * DetachedBackfill#waitUntilDone}).
   */
  private static DetachedBackfill submit(
      KubeAuth auth,
      RayClusterSpec cluster,
      String tableUri,
      String column,
      DetachedBackfillOptions options,
      Supplier<ClientJobRecords> records,
      JobHistory history) {
    DriverArgs args = new DriverArgs(tableUri, column, options.backfillOptions());
    String name = DetachedJobs.name(options, column);
    String session = UUID.randomUUID().toString().substring(0, 8);
    String where = cluster.namespace() + "/" + name;
    // Renders (and so checks) everything before the first call.
    DetachedJobs.render(cluster, session, KubeRayFeatures.OLDEST, name, args, options);

    ClientJobRecords recorded = records == null ? null : records.get();
    ApiCalls.Client api;
    try {
      api = ApiCalls.newClient(auth.resolve());
    } catch (RuntimeException e) {
      if (recorded != null) {
        recorded.submissionFailed(e);
      }
      throw e;
    }
    try {
      KubernetesClient client = api.client();
      CustomResourceDefinition crd =
          api.calls()
              .call(
                  "read CRD " + RayJobResource.CRD_NAME,
                  BUDGET,
                  () ->
                      client
                          .apiextensions()
                          .v1()
                          .customResourceDefinitions()
                          .withName(RayJobResource.CRD_NAME)
                          .get());
      if (crd == null || KubeRayFeatures.v1Spec(crd).isEmpty()) {
        throw new RayClusterException(
            "KubeRay's RayJob CRD ("
                + RayJobResource.CRD_NAME
                + (crd == null ? ") is not installed" : ") serves no ray.io/v1 version")
                + " in the cluster at "
                + api.calls().masterUrl()
                + ": install the KubeRay operator 1.1 or newer with its CRDs (helm install"
                + " kuberay-operator kuberay/kuberay-operator), or run the backfill on a"
                + " RayCluster you start (RayCluster.builder()...start())");
      }
      RayJobResource job =
          DetachedJobs.render(
              cluster, session, KubeRayFeatures.fromRayJobCrd(crd), name, args, options);
      create(api, job, where, session);
      LOG.info(
          "Submitted the backfill of column '{}' of {} as RayJob {}; KubeRay {} it ends",
          column,
          tableUri,
          where,
          options.shutdownAfterJobFinishes()
              ? "deletes its cluster " + options.ttlAfterFinished().getSeconds() + " s after"
              : "keeps its cluster when");
      return new DetachedBackfill(
          api,
          name,
          cluster.namespace(),
          options.pollInterval(),
          DetachedJobs.status(job),
          recorded == null ? null : history);
    } catch (RuntimeException e) {
      api.client().close();
      if (recorded != null) {
        recorded.submissionFailed(e);
      }
      throw e;
    }
  }

  private static void create(
      ApiCalls.Client api, RayJobResource job, String where, String session) {
    String namespace = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    try {
      api.calls()
          .call(
              "create RayJob " + where,
              BUDGET,
              () ->
                  api.client()
                      .resources(RayJobResource.class)
                      .inNamespace(namespace)
                      .resource(job)
                      .create());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        RayJobResource existing =
            api.calls()
                .call(
                    "read RayJob " + where,
                    BUDGET,
                    () ->
                        api.client()
                            .resources(RayJobResource.class)
                            .inNamespace(namespace)
                            .withName(name)
                            .get());
        if (existing != null
            && existing.getMetadata().getLabels() != null
            && session.equals(existing.getMetadata().getLabels().get(RayCluster.SESSION_LABEL))) {
          LOG.info("RayJob {} was created although its create was not answered", where);
          return;
        }
        throw new RayClusterException(
            "A RayJob "
                + where
                + " already exists, so nothing was created: name the backfill differently"
                + " (DetachedBackfillOptions.name) or delete the old one: kubectl delete rayjob "
                + name
                + " -n "
                + namespace,
            e);
      }
      String hint =
          switch (e.getCode()) {
            case 403 ->
                "the caller needs create, get, list and delete on rayjobs.ray.io in namespace "
                    + namespace;
            case 404 ->
                "does namespace " + namespace + " exist? kubectl create namespace " + namespace;
            case 422 ->
                "the API server rejected the RayJob; is the installed KubeRay 1.1 or newer?";
            default -> "check the API server and retry";
          };
      throw new RayClusterException(
          "Could not create RayJob "
              + where
              + ": HTTP "
              + e.getCode()
              + " "
              + Errors.safeMessage(e)
              + "; "
              + hint,
          e);
    }
  }

  /**
   * Finds a RayJob again, to follow or cancel it (status polled every second).
   *
   * @param auth how to reach the API server
   * @param namespace its namespace
   * @param name its name
   * @return the handle, or empty when there is no such RayJob
   */
  public static Optional<DetachedBackfill> find(KubeAuth auth, String namespace, String name) {
    return find(auth, namespace, name, Duration.ofSeconds(1));
  }

  /**
   * Finds a RayJob again, to follow or cancel it.
   *
   * @param auth how to reach the API server
   * @param namespace its namespace
   * @param name its name
   * @param pollInterval how often {@link DetachedBackfill#waitUntilDone} reads its status
   * @return the handle, or empty when there is no such RayJob
   */
  public static Optional<DetachedBackfill> find(
      KubeAuth auth, String namespace, String name, Duration pollInterval) {
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
      throw new InvalidInputException(
          "the poll interval must be more than zero, got " + pollInterval);
    }
    ApiCalls.Client api = ApiCalls.newClient(auth.resolve());
    DetachedBackfill handle = new DetachedBackfill(api, name, namespace, pollInterval, null, null);
    try {
      if (handle.status().state() == DetachedBackfillState.DELETED) {
        handle.close();
        return Optional.empty();
      }
      return Optional.of(handle);
    } catch (RuntimeException e) {
      handle.close();
      throw e;
    }
  }

  /**
   * Lists the RayJobs Geneva submitted in a namespace (labelled {@value
   * RayCluster#MANAGED_BY_LABEL}={@value RayCluster#MANAGED_BY_VALUE}), oldest first.
   *
   * @param auth how to reach the API server
   * @param namespace the namespace
   * @return their statuses
   * @throws RayClusterException when the API server refuses the list
   */
  public static List<DetachedBackfillStatus> list(KubeAuth auth, String namespace) {
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(namespace, "namespace");
    ApiCalls.Client api = ApiCalls.newClient(auth.resolve());
    try (KubernetesClient client = api.client()) {
      return listManaged(api, namespace, BUDGET).stream()
          .map(DetachedJobs::status)
          .sorted(
              java.util.Comparator.comparing(
                      (DetachedBackfillStatus s) -> s.created().orElse(java.time.Instant.MAX))
                  .thenComparing(DetachedBackfillStatus::name))
          .toList();
    } catch (KubernetesClientException e) {
      throw new RayClusterException(
          "Could not list RayJobs in namespace "
              + namespace
              + ": HTTP "
              + e.getCode()
              + " "
              + Errors.safeMessage(e)
              + "; the caller needs list on rayjobs.ray.io (is KubeRay's RayJob CRD installed?)",
          e);
    }
  }

  /**
   * Brings the job history of a database in line with the RayJobs of a namespace: every detached
   * backfill recorded there as {@code PENDING} or {@code RUNNING} (its cluster is {@code
   * <namespace>/<RayJob name>}) whose RayJob KubeRay reports ended, or which no longer exists, is
   * recorded as ended under its own job id, because nothing else will: its driver died (out of
   * memory, its node lost), never started (the cluster did not come up, an image could not be
   * pulled, the deadline passed), or its RayJob was deleted.
   *
   * <ul>
   *   <li>RayJob failed ({@code jobStatus FAILED}, or {@code jobDeploymentStatus Failed}, e.g.
   *       {@code DeadlineExceeded}): recorded {@code FAILED}, with what KubeRay reported (status,
   *       reason, message, end time) and the {@code kubectl} commands to investigate.
   *   <li>Its Ray job {@code STOPPED}: recorded {@code CANCELLED}.
   *   <li>RayJob gone (or its name now used by another backfill): recorded {@code FAILED}, unless
   *       the record is a {@code PENDING} one younger than two minutes (its client may still be
   *       creating the RayJob).
   *   <li>RayJob {@code SUCCEEDED}: left as is. Only the driver records {@code DONE}, with its rows
   *       and metrics; its last write may still be in flight. {@link ReconciledJob#detail()} says
   *       so.
   *   <li>RayJob still pending or running: left as is.
   * </ul>
   *
   * <p>Records that ended are never written to, and a driver's own end recorded later still wins
   * (the history keeps the furthest state, {@code DONE} above all). Reconciling again writes
   * nothing new. The RayJobs are listed once, before anything is written: when the API server
   * cannot be read (after retrying transient answers for 30 seconds) nothing is written. No API
   * call is made when the history has no open detached backfill of the namespace.
   *
   * @param auth how to reach the API server
   * @param namespace the RayJobs' namespace
   * @param db the database whose {@linkplain Connection#jobHistory() job history} to reconcile
   * @return one entry per open detached backfill of the namespace, newest first, changed or not
   *     ({@link ReconciledJob#changed()})
   * @throws InvalidInputException when an argument is missing
   * @throws RayClusterException when the RayJobs cannot be listed; nothing was written then
   * @throws GenevaException when the job history cannot be read or written
   */
  public static List<ReconciledJob> reconcile(KubeAuth auth, String namespace, Connection db) {
    return reconcile(auth, namespace, db, BUDGET);
  }

  static List<ReconciledJob> reconcile(
      KubeAuth auth, String namespace, Connection db, Duration budget) {
    if (auth == null || namespace == null || namespace.isBlank() || db == null) {
      throw new InvalidInputException(
          "DetachedBackfills.reconcile needs a KubeAuth (e.g. KubeAuth.kubeconfig()), the RayJobs'"
              + " namespace (e.g. \"geneva\") and the database's Connection, got "
              + (auth == null ? "no auth" : "an auth")
              + ", namespace "
              + namespace
              + " and "
              + (db == null ? "no connection" : "a connection"));
    }
    JobHistory history = db.jobHistory();
    JobReconciler reconciler = new JobReconciler(history, Clock.systemUTC());
    List<JobRecord> open = reconciler.openRecords(namespace, null);
    if (open.isEmpty()) {
      return List.of();
    }
    Map<String, RayJobResource> byName;
    ApiCalls.Client api = ApiCalls.newClient(auth.resolve());
    try (KubernetesClient client = api.client()) {
      byName =
          listManaged(api, namespace, budget).stream()
              .collect(Collectors.toMap(j -> j.getMetadata().getName(), Function.identity()));
    } catch (KubernetesClientException e) {
      throw new RayClusterException(
          "Could not list the RayJobs in namespace "
              + namespace
              + " to reconcile "
              + open.size()
              + " open job record(s) of "
              + history.uri()
              + ": HTTP "
              + e.getCode()
              + " "
              + Errors.safeMessage(e)
              + "; nothing was recorded. The caller needs list on rayjobs.ray.io in the namespace;"
              + " retry when the API server answers",
          e);
    } catch (RayClusterException e) {
      throw new RayClusterException(e.getMessage() + "; nothing was recorded", e);
    }
    List<ReconciledJob> results = new ArrayList<>();
    for (JobRecord record : open) {
      String name = JobReconciler.rayJobName(record);
      RayJobResource job = byName.get(name);
      if (reconciler.isDetached(record, job)) {
        results.add(reconciler.reconcile(record, namespace, name, job, null, false));
      }
    }
    return results;
  }

  /** The RayJobs Geneva submitted in a namespace, in one list call. */
  private static List<RayJobResource> listManaged(
      ApiCalls.Client api, String namespace, Duration budget) {
    return api.calls()
        .call(
            "list RayJobs in " + namespace,
            budget,
            () ->
                api.client()
                    .resources(RayJobResource.class)
                    .inNamespace(namespace)
                    .withLabel(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE)
                    .list()
                    .getItems());
  }
}
