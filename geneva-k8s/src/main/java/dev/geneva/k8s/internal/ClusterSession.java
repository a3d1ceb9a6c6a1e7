package dev.geneva.k8s.internal;

import dev.geneva.GenevaException;
import dev.geneva.k8s.ClusterState;
import dev.geneva.k8s.ClusterStatus;
import dev.geneva.k8s.ExitMode;
import dev.geneva.k8s.PortForwarder;
import dev.geneva.k8s.PreflightFailedException;
import dev.geneva.k8s.PreflightReport;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterException;
import dev.geneva.k8s.RayClusterLeakedException;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.ReadinessCheck;
import dev.geneva.k8s.ReadinessContext;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine behind a {@link RayCluster} handle: start, readiness, forwards, close.
 *
 * <p>{@link #start()} holds this object's monitor only to change state, never while it waits, so
 * {@link #close()} from another thread (a shutdown hook, a cancel button, a timeout) aborts a
 * waiting start at once: it marks the start aborted, wakes the readiness wait, interrupts the
 * starting thread, waits for it to delete what it created, and returns. A handle stays registered
 * with the JVM shutdown hook, and is not closed, until the delete of a cluster it created is
 * confirmed (or the cluster is retained by its exit mode).
 */
public final class ClusterSession {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSession.class);

  /** How long the calls of a start may retry 429, 5xx and I/O errors each. */
  private static final Duration CALL_BUDGET = Duration.ofSeconds(30);

  /** How long a cleanup's look for a cluster whose create answer was lost may retry. */
  private static final Duration LOOKUP_BUDGET = Duration.ofSeconds(5);

  private enum State {
    NEW,
    STARTING,
    RUNNING,
    FAILED,
    /** close() could not delete the cluster yet: the next close() retries. */
    CLOSING,
    CLOSED
  }

  private final RayClusterSpec cluster;
  private final KubeAuth auth;
  private final String sessionId;
  private final Object closing = new Object(); // one close at a time
  private State state = State.NEW; // guarded by this
  private Thread starter; // guarded by this: the thread inside start()
  private CountDownLatch startDone = new CountDownLatch(0); // guarded by this
  private volatile boolean aborted;
  private volatile KubernetesClient client;
  private volatile ApiCalls calls;
  private volatile boolean createAttempted;
  private volatile boolean created;
  private volatile boolean deletePending; // created, to be deleted, delete not yet confirmed
  private volatile boolean failed;
  private final List<PortForwarder.Forward> forwards = new CopyOnWriteArrayList<>();
  private volatile String headPodName;
  private volatile URI dashboardUrl;
  private volatile DashboardForward dashboardForward;
  private volatile URI clientUrl;
  private RuntimeException startFailure; // guarded by this
  private volatile Waiter waiter;
  private volatile Runnable beforeClose;
  private volatile LeaseKeeper lease;

  /**
   * Creates the session of a handle: the values it needs, no reference to the handle.
   *
   * @param cluster what to create and how to start it
   * @param auth how the API server is reached
   * @param sessionId the handle's session id, the value of {@link RayCluster#SESSION_LABEL}
   */
  public ClusterSession(RayClusterSpec cluster, KubeAuth auth, String sessionId) {
    this.cluster = cluster;
    this.auth = auth;
    this.sessionId = sessionId;
  }

  String describe() {
    return cluster.namespace() + "/" + cluster.name() + " (session " + sessionId + ")";
  }

  /** See {@link RayCluster#start()}. */
  public void start() {
    synchronized (this) {
      switch (state) {
        case RUNNING:
          return;
        case STARTING:
          throw new RayClusterException(
              "RayCluster "
                  + describe()
                  + " is being started by thread "
                  + starter.getName()
                  + ": a handle starts once");
        case FAILED:
          throw new RayClusterException(
              "RayCluster "
                  + describe()
                  + " failed to start before ("
                  + startFailure.getMessage()
                  + "); a handle starts once: build another with toBuilder().start()",
              startFailure);
        case CLOSING:
        case CLOSED:
          throw new RayClusterException(
              "RayCluster "
                  + describe()
                  + " handle is closed: build another with toBuilder().start()");
        default:
          break;
      }
      state = State.STARTING;
      starter = Thread.currentThread();
      startDone = new CountDownLatch(1);
      // From here on the JVM's exit closes (and so aborts) this start too.
      ShutdownHooks.register(this);
    }
    CountDownLatch done = startDone;
    try {
      RuntimeException failure;
      boolean interrupted = false;
      try {
        doStart();
        synchronized (this) {
          if (!aborted) {
            state = State.RUNNING;
            starter = null;
            return;
          }
        }
        failure = abortedError(null);
      } catch (InterruptedException e) {
        interrupted = !aborted;
        failure =
            aborted
                ? abortedError(e)
                : new RayClusterException("Interrupted while starting RayCluster " + describe(), e);
      } catch (KubernetesClientException e) {
        failure =
            aborted
                ? abortedError(e)
                : new RayClusterException(
                    "The API server refused a request while starting RayCluster "
                        + describe()
                        + ": HTTP "
                        + e.getCode()
                        + " "
                        + Errors.safeMessage(e),
                    e);
      } catch (RuntimeException e) {
        failure = aborted && !isAbortedError(e) ? abortedError(e) : e;
      } catch (Error e) {
        cleanUpFailedStart(
            new RayClusterException("RayCluster " + describe() + " failed: " + e, e), e);
        throw e;
      }
      if (Thread.interrupted()) {
        interrupted |= !aborted; // an interrupt of close()'s is consumed here
      }
      cleanUpFailedStart(failure, failure);
      if (aborted) {
        // Said after the cleanup, which may have found (and deleted) a cluster whose create was
        // cut short by the abort.
        RayClusterException after = abortedError(failure.getCause());
        for (Throwable s : failure.getSuppressed()) {
          after.addSuppressed(s);
        }
        synchronized (this) {
          startFailure = after;
        }
        failure = after;
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw failure;
    } finally {
      done.countDown();
    }
  }

  private RayClusterException abortedError(Throwable cause) {
    return new RayClusterException(
        "start() of RayCluster "
            + describe()
            + " aborted by close()"
            + (!created
                ? "; nothing was created"
                : deletePending
                    ? "; the cluster it created could not be deleted (see the suppressed error)"
                    : "; the cluster it created is deleted"),
        cause);
  }

  private static boolean isAbortedError(RuntimeException e) {
    return e instanceof RayClusterException
        && e.getMessage() != null
        && e.getMessage().contains(" aborted by close()");
  }

  /**
   * Leaves nothing open after a failed start: forwards, informers and the client are closed here,
   * whatever else fails. A cluster this start created is deleted (kept with {@link
   * ExitMode#RETAIN_ON_FAILURE}, unless close() aborted the start); when the delete fails, the
   * handle stays registered with the shutdown hook and {@link #close()} retries it.
   */
  private void cleanUpFailedStart(RuntimeException reported, Throwable e) {
    synchronized (this) {
      state = State.FAILED;
      starter = null;
      startFailure = reported;
    }
    failed = true;
    try {
      stopLease();
      closeForwards();
      if (!created && createAttempted) {
        adoptIfOurs(e);
      }
      if (created) {
        if (cluster.exitMode() == ExitMode.RETAIN_ON_FAILURE && !aborted) {
          markRetained();
          LOG.warn(
              "RayCluster {} failed to start and is retained (RETAIN_ON_FAILURE); delete it with:"
                  + " kubectl delete raycluster {} -n {}",
              describe(),
              cluster.name(),
              cluster.namespace());
        } else {
          deletePending = true;
          try {
            deleteConfirmed();
            Waiter w = waiter;
            if (w != null) {
              w.awaitGone(Duration.ofSeconds(1));
            }
          } catch (RuntimeException deleteError) {
            e.addSuppressed(deleteError);
          }
        }
      }
    } finally {
      closeWaiter();
      closeClient();
      if (!deletePending) {
        ShutdownHooks.unregister(this);
      }
    }
  }

  /**
   * After a create whose outcome is unknown (its answer lost, the start aborted meanwhile): a
   * cluster of this name carrying this session's label was created by this start.
   */
  private void adoptIfOurs(Throwable e) {
    try {
      RayClusterResource rc =
          calls.call(
              "read RayCluster " + describe(),
              LOOKUP_BUDGET,
              () -> rayClusters().withName(cluster.name()).get());
      if (carriesOurSession(rc)) {
        created = true;
        LOG.warn(
            "RayCluster {} was created although its create failed or was not answered; deleting"
                + " it",
            describe());
      }
    } catch (RuntimeException lookup) {
      e.addSuppressed(
          new RayClusterException(
              "Could not check whether RayCluster "
                  + describe()
                  + " was created ("
                  + lookup.getMessage()
                  + "); if it exists, delete it: kubectl delete raycluster "
                  + cluster.name()
                  + " -n "
                  + cluster.namespace(),
              lookup));
    }
  }

  private boolean carriesOurSession(RayClusterResource rc) {
    return rc != null
        && rc.getMetadata() != null
        && rc.getMetadata().getLabels() != null
        && sessionId.equals(rc.getMetadata().getLabels().get(RayCluster.SESSION_LABEL));
  }

  private void doStart() throws InterruptedException {
    RayClusterResource rendered = Manifests.render(cluster, sessionId, KubeRayFeatures.OLDEST);
    ApiCalls.Client c = newClient();
    client = c.client();
    calls = c.calls();
    PreflightReport report = Preflight.run(client, calls, () -> aborted, cluster);
    checkAborted();
    if (!report.ok()) {
      throw new PreflightFailedException(report);
    }
    rendered = Manifests.render(cluster, sessionId, Preflight.kubeRayFeatures(client));
    Resource<RayClusterResource> resource = rayClusters().withName(cluster.name());
    RayClusterResource existing = call("read RayCluster " + describe(), resource::get);
    if (existing != null) {
      if (!cluster.reuseExisting()) {
        throw alreadyExists(existing);
      }
      LOG.info("Reusing existing RayCluster {}", describe());
    } else {
      create(rendered, resource);
    }
    checkAborted();
    long deadline = System.nanoTime() + cluster.waitTimeout().toNanos();
    // Closed after any cleanup delete, so the delete is seen by open watches, not racing their
    // close.
    Waiter w = call("watch RayCluster " + describe() + " and its pods", () -> new Waiter(deadline));
    waiter = w;
    for (ReadinessCheck check : cluster.readinessChecks()) {
      w.checkCluster();
      check.waitUntilReady(w);
    }
    ClusterState s = w.awaitState("head pod exists", st -> st.headPod().isPresent());
    headPodName = s.headPod().map(p -> p.getMetadata().getName()).orElseThrow();
    dashboardUrl = w.dashboardUrl();
    if (cluster.portForwarding() && cluster.forwardClientPort()) {
      PortForwarder.Forward f =
          cluster
              .portForwarder()
              .open(client, cluster.namespace(), headPodName, RayCluster.CLIENT_PORT);
      forwards.add(f);
      clientUrl = URI.create("ray://127.0.0.1:" + f.localAddress().getPort());
    }
    w.checkCluster();
    closeWaiter();
  }

  /**
   * Creates the RayCluster. A create whose answer is lost (a 504 from a proxy, a reset connection)
   * may have been stored: the retry then gets 409, and a cluster that carries this session's label
   * is this start's own, so it is adopted as created (close deletes it). A 409 for anyone else's
   * cluster keeps the "already exists" error: nothing was created.
   */
  private void create(RayClusterResource rendered, Resource<RayClusterResource> resource) {
    createAttempted = true;
    LeaseKeeper.annotate(rendered, cluster, Clock.systemUTC());
    try {
      call("create RayCluster " + describe(), () -> rayClusters().resource(rendered).create());
      created = true;
      startLease();
      LOG.info("Created RayCluster {}", describe());
    } catch (KubernetesClientException e) {
      RayClusterResource now = call("read RayCluster " + describe(), resource::get);
      if (carriesOurSession(now)) {
        created = true;
        startLease();
        LOG.info(
            "Created RayCluster {} (the create's first answer was lost: HTTP {} on the retry, and"
                + " the cluster carries this session's label)",
            describe(),
            e.getCode());
        return;
      }
      if (e.getCode() == 409) {
        throw alreadyExists(now);
      }
      throw e;
    }
  }

  /** Starts renewing the lease of the cluster this session created (none with RETAIN). */
  private void startLease() {
    if (LeaseKeeper.hasLease(cluster)) {
      lease =
          LeaseKeeper.start(
              client.getConfiguration(),
              cluster.namespace(),
              cluster.name(),
              cluster.leaseDuration(),
              Clock.systemUTC());
    }
  }

  /** Stops the lease renewals (before the cluster is deleted or marked retained). */
  private void stopLease() {
    LeaseKeeper k = lease;
    if (k != null) {
      lease = null;
      k.close();
    }
  }

  /** Marks a cluster kept by its exit mode as retained, so the reaper leaves it. */
  private void markRetained() {
    if (LeaseKeeper.hasLease(cluster) && client != null) {
      LeaseKeeper.markRetained(
          calls,
          client,
          cluster.namespace(),
          cluster.name(),
          cluster.exitMode(),
          cluster.deleteTimeout(),
          Clock.systemUTC());
    }
  }

  private <T> T call(String what, java.util.function.Supplier<T> op) {
    return calls.call(what, CALL_BUDGET, () -> aborted, op);
  }

  private void checkAborted() {
    if (aborted) {
      throw abortedError(null);
    }
  }

  private void closeWaiter() {
    Waiter w = waiter;
    if (w != null) {
      waiter = null;
      w.close();
    }
  }

  private RayClusterException alreadyExists(RayClusterResource existing) {
    String owner =
        existing == null || existing.getMetadata().getLabels() == null
            ? null
            : existing.getMetadata().getLabels().get(RayCluster.OWNER_LABEL);
    return new RayClusterException(
        "RayCluster "
            + cluster.name()
            + " already exists in namespace "
            + cluster.namespace()
            + (owner == null ? " (not created by Geneva)" : " (owner " + owner + ")")
            + ": pick another name, delete it (kubectl delete raycluster "
            + cluster.name()
            + " -n "
            + cluster.namespace()
            + "), or set reuseExisting(true) to use it; nothing was created");
  }

  private ApiCalls.Client newClient() {
    Config config;
    try {
      config = auth.resolve();
    } catch (GenevaException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RayClusterException(
          "Could not resolve Kubernetes credentials with "
              + auth.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "; check kubeconfig or the cloud auth settings",
          e);
    }
    return ApiCalls.newClient(config);
  }

  private NonNamespaceOperation<
          RayClusterResource,
          KubernetesResourceList<RayClusterResource>,
          Resource<RayClusterResource>>
      rayClusters() {
    return client.resources(RayClusterResource.class).inNamespace(cluster.namespace());
  }

  /**
   * See {@link RayCluster#preflight()}.
   *
   * @return the report
   */
  public PreflightReport preflight() {
    ApiCalls.Client c = newClient();
    try (KubernetesClient k = c.client()) {
      return Preflight.run(k, c.calls(), () -> false, cluster);
    }
  }

  /**
   * Sets what a close of a running session does first, before forwards and the exit mode: stopping
   * the Ray jobs the handle started (also when the JVM shutdown hook closes it).
   *
   * @param hook run once, at the first close of a running session
   */
  public void beforeClose(Runnable hook) {
    this.beforeClose = hook;
  }

  /**
   * See {@link RayCluster#close()}: aborts a start in progress (and waits for it to delete what it
   * created), stops the forwards, applies the exit mode, and deletes with retries. The session is
   * closed only once a delete is confirmed; otherwise {@link RayClusterLeakedException} is thrown
   * and the next close (or the JVM's shutdown hook) retries.
   *
   * @throws RayClusterLeakedException when a cluster this handle created could not be deleted
   */
  public void close() {
    abortStart();
    synchronized (closing) {
      State previous;
      synchronized (this) {
        previous = state;
        if (previous == State.CLOSED) {
          return;
        }
        if (previous == State.STARTING) {
          return; // close() called by the starting thread itself: start() unwinds and cleans up
        }
        state = State.CLOSING; // no longer usable; CLOSED once the exit mode is applied
      }
      if (previous == State.RUNNING) {
        Runnable hook = beforeClose;
        if (hook != null) {
          try {
            hook.run();
          } catch (RuntimeException e) {
            LOG.warn("Stopping the jobs of RayCluster {} failed: {}", describe(), e.toString());
          }
        }
        closeForwards();
        stopLease();
        if (created) {
          boolean keep =
              cluster.exitMode() == ExitMode.RETAIN
                  || (cluster.exitMode() == ExitMode.RETAIN_ON_FAILURE && failed);
          if (keep) {
            markRetained();
            LOG.info("Retaining RayCluster {} (exit mode {})", describe(), cluster.exitMode());
          } else {
            deletePending = true;
          }
        }
      }
      try {
        if (deletePending) {
          deleteConfirmed();
        }
      } finally {
        if (!deletePending) {
          synchronized (this) {
            state = State.CLOSED;
          }
          ShutdownHooks.unregister(this);
          closeClient();
        }
      }
    }
  }

  /** Aborts a start in progress on another thread and waits until it has cleaned up. */
  private void abortStart() {
    Thread thread;
    CountDownLatch done;
    synchronized (this) {
      if (state != State.STARTING) {
        return;
      }
      aborted = true;
      thread = starter;
      done = startDone;
      if (thread != Thread.currentThread()) {
        thread.interrupt(); // wakes HTTP calls, sleeps and custom checks; start() consumes it
      }
    }
    Waiter w = waiter;
    if (w != null) {
      w.signal();
    }
    if (thread == Thread.currentThread()) {
      return;
    }
    LOG.info(
        "close() aborts the start of RayCluster {} on thread {}", describe(), thread.getName());
    long waitMs = cluster.deleteTimeout().toMillis() + 15_000;
    try {
      if (!done.await(waitMs, TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "The start of RayCluster {} on thread {} did not end within {} ms of close()",
            describe(),
            thread.getName(),
            waitMs);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * See {@link RayCluster#markFailed(Throwable)}.
   *
   * @param cause the failure
   */
  public void markFailed(Throwable cause) {
    failed = true;
    LOG.info("RayCluster {} marked failed: {}", describe(), cause == null ? "" : cause.toString());
  }

  /**
   * Deletes the cluster, retrying 429, 5xx and connection failures with backoff for {@link
   * RayCluster#deleteTimeout()}; a 404 means it is gone already. Clears {@link #deletePending} once
   * confirmed.
   *
   * @throws RayClusterLeakedException when it could not be deleted in time
   */
  private void deleteConfirmed() {
    Duration budget = cluster.deleteTimeout();
    try {
      if (client == null) {
        ApiCalls.Client c = newClient();
        client = c.client();
        calls = c.calls();
      }
      calls.call(
          "delete RayCluster " + describe(),
          budget,
          () -> false,
          true,
          () -> rayClusters().withName(cluster.name()).delete());
      deletePending = false;
      LOG.info("Deleted RayCluster {}", describe());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        deletePending = false;
        return;
      }
      throw leaked(budget, new RayClusterException(describeFailure(e), e));
    } catch (RuntimeException e) {
      throw leaked(budget, e);
    }
  }

  private RayClusterLeakedException leaked(Duration budget, Throwable cause) {
    RayClusterLeakedException leak =
        new RayClusterLeakedException(
            cluster.name(), cluster.namespace(), sessionId, budget, cause);
    LOG.error("{}", leak.getMessage());
    return leak;
  }

  private static String describeFailure(KubernetesClientException e) {
    return (e.getCode() > 0 ? "HTTP " + e.getCode() + " " : "") + Errors.safeMessage(e);
  }

  private void closeForwards() {
    for (PortForwarder.Forward f : forwards) {
      try {
        f.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing {} failed: {}", f, e.toString());
      }
    }
    forwards.clear();
  }

  private void closeClient() {
    KubernetesClient c = client;
    if (c != null) {
      client = null;
      c.close();
    }
  }

  private synchronized void requireRunning() {
    if (state != State.RUNNING) {
      throw new IllegalStateException(
          "RayCluster "
              + describe()
              + " is "
              + state.name().toLowerCase()
              + ", not running: call start()");
    }
  }

  /**
   * See {@link RayCluster#dashboardUrl()}.
   *
   * @return the URL
   */
  public URI dashboardUrl() {
    requireRunning();
    DashboardForward f = dashboardForward;
    return f != null ? f.url() : dashboardUrl;
  }

  /**
   * A request to the dashboard at {@code failed} got no answer: re-opens the dashboard's
   * port-forward (looking the head pod up again) unless that already happened. Never takes the
   * session's lock, so a job poller calling it cannot block {@link #close()}.
   *
   * @param failed the dashboard URL that did not answer
   * @return the URL to use from now on; {@code failed} itself without port forwarding
   * @throws RayClusterException when no head pod runs or the forward cannot be opened
   */
  public URI reopenDashboardForward(URI failed) {
    DashboardForward f = dashboardForward;
    return f == null ? failed : f.reopen(failed);
  }

  /**
   * See {@link RayCluster#clientUrl()}.
   *
   * @return the URL
   */
  public Optional<URI> clientUrl() {
    requireRunning();
    return Optional.ofNullable(clientUrl);
  }

  /**
   * See {@link RayCluster#headPodName()}.
   *
   * @return the name
   */
  public String headPodName() {
    requireRunning();
    DashboardForward f = dashboardForward;
    return f != null ? f.pod() : headPodName;
  }

  /**
   * See {@link RayCluster#status()}.
   *
   * @return the status
   */
  public ClusterStatus status() {
    requireRunning();
    return Statuses.of(
        calls.call(
            "read RayCluster " + describe(),
            CALL_BUDGET,
            () -> rayClusters().withName(cluster.name()).get()));
  }

  /**
   * Whether running.
   *
   * @return true while running
   */
  public synchronized boolean isRunning() {
    return state == State.RUNNING;
  }

  /**
   * Whether this session created the cluster.
   *
   * @return true if created
   */
  public boolean created() {
    return created;
  }

  /**
   * Watches the RayCluster and its pods; the {@link ReadinessContext} of one start.
   *
   * <p>The informers' handlers run on fabric8's threads and only bump {@link #generation} and
   * notify: they never wait for anything but that short lock. Everything that may block (the
   * fail-fast checks, which read events from the API server, and the callers' conditions) runs on
   * the starting thread outside the lock.
   */
  private final class Waiter implements ReadinessContext, AutoCloseable {
    private final long deadline;
    private final Object lock = new Object();
    private long generation; // guarded by lock: informer events seen so far
    private final SharedIndexInformer<RayClusterResource> clusterInformer;
    private final SharedIndexInformer<Pod> podInformer;

    Waiter(long deadline) {
      this.deadline = deadline;
      ResourceEventHandler<Object> wake =
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object obj) {
              signal();
            }

            @Override
            public void onUpdate(Object oldObj, Object newObj) {
              signal();
            }

            @Override
            public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
              signal();
            }
          };
      this.clusterInformer = rayClusters().withName(cluster.name()).inform(cast(wake));
      try {
        this.podInformer =
            client
                .pods()
                .inNamespace(cluster.namespace())
                .withLabel("ray.io/cluster", cluster.name())
                .inform(cast(wake));
      } catch (RuntimeException | Error e) {
        clusterInformer.close();
        throw e;
      }
    }

    @SuppressWarnings("unchecked")
    private <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> h) {
      return (ResourceEventHandler<T>) (ResourceEventHandler<?>) h;
    }

    private void signal() {
      synchronized (lock) {
        generation++;
        lock.notifyAll();
      }
    }

    private ClusterState snapshot() {
      List<RayClusterResource> rcs = clusterInformer.getStore().list();
      RayClusterResource rc = rcs.isEmpty() ? null : rcs.get(0);
      return new ClusterState(rc != null, Statuses.of(rc), podInformer.getStore().list());
    }

    @Override
    public String clusterName() {
      return cluster.name();
    }

    @Override
    public String namespace() {
      return cluster.namespace();
    }

    @Override
    public KubernetesClient client() {
      return client;
    }

    @Override
    public String rayVersion() {
      return cluster.rayVersion();
    }

    @Override
    public Duration remaining() {
      long left = deadline - System.nanoTime();
      return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    @Override
    public void checkCluster() {
      checkAborted();
      failFast(snapshot());
    }

    @Override
    public void pause(Duration duration) throws InterruptedException {
      long end = System.nanoTime() + duration.toNanos();
      while (true) {
        long seen;
        synchronized (lock) {
          seen = generation;
        }
        checkCluster();
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
          return;
        }
        synchronized (lock) {
          if (generation == seen) {
            lock.wait(left); // woken early by any watch event and by close()
          }
        }
      }
    }

    @Override
    public ClusterState awaitState(String description, Predicate<ClusterState> condition)
        throws InterruptedException {
      while (true) {
        long seen;
        synchronized (lock) {
          seen = generation;
        }
        checkAborted();
        ClusterState s = snapshot();
        failFast(s);
        if (condition.test(s)) {
          return s;
        }
        long waitMs = remaining().toMillis();
        if (waitMs <= 0) {
          throw timeout(description, s);
        }
        synchronized (lock) {
          // Woken by watch events (none lost: an event since the snapshot skips the wait); the
          // cap only re-reads the local cache, it makes no API call.
          if (generation == seen) {
            lock.wait(Math.min(waitMs, 1000));
          }
        }
      }
    }

    private void failFast(ClusterState s) {
      if (!s.exists()) {
        throw new RayClusterException(
            "RayCluster "
                + describe()
                + " disappeared while starting: someone deleted it (or RayClusters.reap did)");
      }
      if (s.status().failed()) {
        throw failure(
            "KubeRay marked it failed: " + s.status().reason(), s, "check the operator's logs");
      }
      for (Pod p : s.pods()) {
        Optional<String> reason = Diagnostics.fatalReason(p);
        if (reason.isPresent()) {
          String r = reason.get();
          String fix =
              r.contains("ImagePull")
                      || r.contains("ErrImagePull")
                      || r.contains("InvalidImageName")
                  ? "check the image name and tag, and that the nodes can pull it (imagePullSecrets, registry access)"
                  : r.contains("CrashLoopBackOff")
                      ? "read the container's logs: kubectl logs -n "
                          + cluster.namespace()
                          + " "
                          + p.getMetadata().getName()
                          + " --previous"
                      : "check the pod's configuration (secrets, config maps, volumes)";
          throw failure("pod " + p.getMetadata().getName() + " " + r, s, fix);
        }
        Optional<String> unschedulable = Diagnostics.unschedulable(p);
        if (unschedulable.isPresent() && !scaleUpTriggered(p)) {
          throw failure(
              "pod " + p.getMetadata().getName() + " is " + unschedulable.get(),
              s,
              "no node matches its resources, node selector "
                  + "and tolerations: label a node pool as the selector says, lower cpus/memory/gpus, or"
                  + " enable node autoscaling");
        }
      }
    }

    private boolean scaleUpTriggered(Pod p) {
      return Diagnostics.recentEvents(
              client, cluster.namespace(), Set.of(p.getMetadata().getName()), 20)
          .stream()
          .anyMatch(e -> e.contains("TriggeredScaleUp"));
    }

    private RayClusterException failure(String what, ClusterState s, String fix) {
      return new RayClusterException(
          "RayCluster "
              + cluster.name()
              + " in namespace "
              + cluster.namespace()
              + " cannot start: "
              + what
              + ". Fix: "
              + fix
              + ". "
              + summary(s));
    }

    private RayClusterException timeout(String description, ClusterState s) {
      return new RayClusterException(
          "RayCluster "
              + cluster.name()
              + " in namespace "
              + cluster.namespace()
              + " was not ready within "
              + cluster.waitTimeout()
              + ", still waiting for "
              + description
              + ". "
              + summary(s)
              + " Raise waitTimeout if nodes are still being provisioned, or inspect with kubectl"
              + " describe raycluster "
              + cluster.name()
              + " -n "
              + cluster.namespace());
    }

    private String summary(ClusterState s) {
      ClusterStatus st = s.status();
      Set<String> names = new HashSet<>();
      names.add(cluster.name());
      s.pods().forEach(p -> names.add(p.getMetadata().getName()));
      List<String> events = Diagnostics.recentEvents(client, cluster.namespace(), names, 8);
      return "Status: state="
          + (st.state().isEmpty() ? "(unset)" : st.state())
          + ", conditions="
          + st.conditions()
          + ", workers ready="
          + st.readyWorkers()
          + "/"
          + st.desiredWorkers()
          + ". Pods: "
          + Diagnostics.podSummary(s.pods())
          + ". Recent events: "
          + (events.isEmpty() ? "none" : String.join(" | ", events))
          + ".";
    }

    @Override
    public URI dashboardUrl() {
      if (dashboardUrl != null) {
        return dashboardUrl;
      }
      try {
        ClusterState s = awaitState("head pod exists", st -> st.headPod().isPresent());
        String pod = s.headPod().get().getMetadata().getName();
        if (cluster.portForwarding()) {
          DashboardForward f =
              DashboardForward.open(
                  client, cluster.portForwarder(), cluster.namespace(), cluster.name(), pod);
          forwards.add(f);
          dashboardForward = f;
          dashboardUrl = f.url();
        } else {
          String service =
              s.status().headServiceName().isEmpty()
                  ? cluster.name() + "-head-svc"
                  : s.status().headServiceName();
          dashboardUrl =
              URI.create(
                  "http://"
                      + service
                      + "."
                      + cluster.namespace()
                      + ".svc.cluster.local:"
                      + RayCluster.DASHBOARD_PORT);
        }
        return dashboardUrl;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RayClusterException(
            "Interrupted while waiting for the head pod of " + describe(), e);
      }
    }

    /** Waits briefly until the watch saw the RayCluster deleted, so no event races the close. */
    void awaitGone(Duration max) {
      long end = System.nanoTime() + max.toNanos();
      synchronized (lock) {
        while (!clusterInformer.getStore().list().isEmpty() && System.nanoTime() < end) {
          try {
            lock.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    @Override
    public void close() {
      try {
        podInformer.close();
      } finally {
        clusterInformer.close();
      }
    }
  }
}
