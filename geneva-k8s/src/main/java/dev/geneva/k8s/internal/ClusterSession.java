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
import dev.geneva.k8s.ReadinessCheck;
import dev.geneva.k8s.ReadinessContext;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The state machine behind a {@link RayCluster} handle: start, readiness, forwards, close. */
public final class ClusterSession {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSession.class);

  private enum State {
    NEW,
    RUNNING,
    FAILED,
    CLOSED
  }

  private final RayCluster cluster;
  private State state = State.NEW;
  private KubernetesClient client;
  private boolean created;
  private volatile boolean failed;
  private final List<PortForwarder.Forward> forwards = new ArrayList<>();
  private String headPodName;
  private URI dashboardUrl;
  private URI clientUrl;
  private RuntimeException startFailure;
  private Waiter waiter;
  private volatile Runnable beforeClose;

  /**
   * Creates the session of a handle.
   *
   * @param cluster the handle's definition
   */
  public ClusterSession(RayCluster cluster) {
    this.cluster = cluster;
  }

  String describe() {
    return cluster.namespace() + "/" + cluster.name() + " (session " + cluster.sessionId() + ")";
  }

  /** See {@link RayCluster#start()}. */
  public synchronized void start() {
    switch (state) {
      case RUNNING:
        return;
      case FAILED:
        throw new RayClusterException(
            "RayCluster "
                + describe()
                + " failed to start before ("
                + startFailure.getMessage()
                + "); a handle starts once: build another with toBuilder().start()",
            startFailure);
      case CLOSED:
        throw new RayClusterException(
            "RayCluster "
                + describe()
                + " handle is closed: build another with toBuilder().start()");
      default:
        break;
    }
    try {
      doStart();
      state = State.RUNNING;
      ShutdownHooks.register(this);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(new RayClusterException("Interrupted while starting RayCluster " + describe(), e));
    } catch (KubernetesClientException e) {
      fail(
          new RayClusterException(
              "The API server refused a request while starting RayCluster "
                  + describe()
                  + ": HTTP "
                  + e.getCode()
                  + " "
                  + Errors.safeMessage(e),
              e));
    } catch (RuntimeException e) {
      fail(e);
    } catch (Error e) {
      startFailure = new RayClusterException("RayCluster " + describe() + " failed: " + e, e);
      cleanUpFailedStart(e);
      throw e;
    }
  }

  private void fail(RuntimeException e) {
    startFailure = e;
    cleanUpFailedStart(e);
    throw e;
  }

  /**
   * Leaves nothing open after a failed start: forwards, informers and the client are closed here,
   * whatever else fails, so a later {@link #close()} has nothing left to release.
   */
  private void cleanUpFailedStart(Throwable e) {
    state = State.FAILED;
    failed = true;
    try {
      closeForwards();
      if (created) {
        if (cluster.exitMode() == ExitMode.RETAIN_ON_FAILURE) {
          LOG.warn(
              "RayCluster {} failed to start and is retained (RETAIN_ON_FAILURE); delete it with:"
                  + " kubectl delete raycluster {} -n {}",
              describe(),
              cluster.name(),
              cluster.namespace());
        } else {
          try {
            deleteCluster();
            if (waiter != null) {
              waiter.awaitGone(Duration.ofSeconds(1));
            }
          } catch (RuntimeException deleteError) {
            e.addSuppressed(deleteError);
          }
        }
      }
    } finally {
      closeWaiter();
      closeClient();
    }
  }

  private void doStart() throws InterruptedException {
    RayClusterResource rendered = Manifests.render(cluster);
    client = newClient();
    PreflightReport report = Preflight.run(client, cluster);
    if (!report.ok()) {
      throw new PreflightFailedException(report);
    }
    rendered = Manifests.render(cluster, Preflight.kubeRayFeatures(client));
    Resource<RayClusterResource> resource = rayClusters().withName(cluster.name());
    RayClusterResource existing = resource.get();
    if (existing != null) {
      if (!cluster.reuseExisting()) {
        throw alreadyExists(existing);
      }
      LOG.info("Reusing existing RayCluster {}", describe());
    } else {
      try {
        rayClusters().resource(rendered).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          throw alreadyExists(resource.get());
        }
        throw e;
      }
      created = true;
      LOG.info("Created RayCluster {}", describe());
    }
    long deadline = System.nanoTime() + cluster.waitTimeout().toNanos();
    // Closed after any cleanup delete, so the delete is seen by open watches, not racing their
    // close.
    waiter = new Waiter(deadline);
    {
      for (ReadinessCheck check : cluster.readinessChecks()) {
        check.waitUntilReady(waiter);
      }
      ClusterState s = waiter.awaitState("head pod exists", st -> st.headPod().isPresent());
      headPodName = s.headPod().map(p -> p.getMetadata().getName()).orElseThrow();
      dashboardUrl = waiter.dashboardUrl();
      if (cluster.portForwarding() && cluster.forwardClientPort()) {
        PortForwarder.Forward f =
            cluster
                .portForwarder()
                .open(client, cluster.namespace(), headPodName, RayCluster.CLIENT_PORT);
        forwards.add(f);
        clientUrl = URI.create("ray://127.0.0.1:" + f.localAddress().getPort());
      }
    }
    closeWaiter();
  }

  private void closeWaiter() {
    if (waiter != null) {
      Waiter w = waiter;
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

  private KubernetesClient newClient() {
    Config config;
    try {
      config = cluster.auth().resolve();
    } catch (GenevaException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RayClusterException(
          "Could not resolve Kubernetes credentials with "
              + cluster.auth().getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "; check kubeconfig or the cloud auth settings",
          e);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
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
    try (KubernetesClient c = newClient()) {
      return Preflight.run(c, cluster);
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

  /** See {@link RayCluster#close()}. */
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    State previous = state;
    state = State.CLOSED;
    ShutdownHooks.unregister(this);
    Runnable hook = beforeClose;
    if (previous == State.RUNNING && hook != null) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.warn("Stopping the jobs of RayCluster {} failed: {}", describe(), e.toString());
      }
    }
    closeForwards();
    try {
      if (previous == State.RUNNING && created) {
        boolean keep =
            cluster.exitMode() == ExitMode.RETAIN
                || (cluster.exitMode() == ExitMode.RETAIN_ON_FAILURE && failed);
        if (keep) {
          LOG.info("Retaining RayCluster {} (exit mode {})", describe(), cluster.exitMode());
        } else {
          deleteCluster();
        }
      }
    } finally {
      closeClient();
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

  private void deleteCluster() {
    try {
      rayClusters().withName(cluster.name()).delete();
      LOG.info("Deleted RayCluster {}", describe());
    } catch (KubernetesClientException e) {
      throw new RayClusterException(
          "Could not delete RayCluster "
              + describe()
              + ": HTTP "
              + e.getCode()
              + " "
              + Errors.safeMessage(e)
              + "; delete it with kubectl delete raycluster "
              + cluster.name()
              + " -n "
              + cluster.namespace()
              + " or RayClusters.reap",
          e);
    }
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
    if (client != null) {
      KubernetesClient c = client;
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
  public synchronized URI dashboardUrl() {
    requireRunning();
    return dashboardUrl;
  }

  /**
   * See {@link RayCluster#clientUrl()}.
   *
   * @return the URL
   */
  public synchronized Optional<URI> clientUrl() {
    requireRunning();
    return Optional.ofNullable(clientUrl);
  }

  /**
   * See {@link RayCluster#headPodName()}.
   *
   * @return the name
   */
  public synchronized String headPodName() {
    requireRunning();
    return headPodName;
  }

  /**
   * See {@link RayCluster#status()}.
   *
   * @return the status
   */
  public synchronized ClusterStatus status() {
    requireRunning();
    return Statuses.of(rayClusters().withName(cluster.name()).get());
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
  public synchronized boolean created() {
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
    public ClusterState awaitState(String description, Predicate<ClusterState> condition)
        throws InterruptedException {
      while (true) {
        long seen;
        synchronized (lock) {
          seen = generation;
        }
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
          PortForwarder.Forward f =
              cluster
                  .portForwarder()
                  .open(client, cluster.namespace(), pod, RayCluster.DASHBOARD_PORT);
          forwards.add(f);
          dashboardUrl = URI.create("http://127.0.0.1:" + f.localAddress().getPort());
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
