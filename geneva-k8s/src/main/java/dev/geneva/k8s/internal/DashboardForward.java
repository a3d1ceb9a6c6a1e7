package dev.geneva.k8s.internal;

import dev.geneva.k8s.ClusterState;
import dev.geneva.k8s.PortForwarder;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusterException;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port-forward to the head pod's dashboard (8265), re-opened on demand: when a request through
 * it gets no answer (the forward's websocket dropped, the head pod was replaced), {@link
 * #reopen(URI)} looks the head pod up again (it may be the same pod or a new one), opens a new
 * forward and closes the old one. The local port changes, so callers read {@link #url()} (the Ray
 * Jobs client gets it back from its reconnect hook).
 *
 * <p>Thread-safe; its own lock, never the session's, so a poller re-opening it cannot block a
 * {@code close()} of the session that waits for that poller's job.
 */
final class DashboardForward implements PortForwarder.Forward {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardForward.class);

  /** Re-opens at most this often, whatever the number of failing callers. */
  static final Duration MIN_REOPEN_INTERVAL = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final PortForwarder forwarder;
  private final String namespace;
  private final String clusterName;
  private PortForwarder.Forward forward; // guarded by this
  private volatile URI url;
  private volatile String pod;
  private boolean closed; // guarded by this
  private long lastReopen; // guarded by this
  private boolean reopened; // guarded by this
  private int reopens; // guarded by this

  private DashboardForward(
      KubernetesClient client,
      PortForwarder forwarder,
      String namespace,
      String clusterName,
      String pod) {
    this.client = client;
    this.forwarder = forwarder;
    this.namespace = namespace;
    this.clusterName = clusterName;
    this.pod = pod;
    this.forward = forwarder.open(client, namespace, pod, RayCluster.DASHBOARD_PORT);
    this.url = urlOf(forward);
  }

  /**
   * Opens the forward to a head pod.
   *
   * @param client the cluster's client (kept for re-opening)
   * @param forwarder opens forwards
   * @param namespace the cluster's namespace
   * @param clusterName the RayCluster's name
   * @param pod the head pod
   * @return the open forward
   */
  static DashboardForward open(
      KubernetesClient client,
      PortForwarder forwarder,
      String namespace,
      String clusterName,
      String pod) {
    return new DashboardForward(client, forwarder, namespace, clusterName, pod);
  }

  private static URI urlOf(PortForwarder.Forward f) {
    return URI.create("http://127.0.0.1:" + f.localAddress().getPort());
  }

  /**
   * The dashboard's local URL now.
   *
   * @return the URL
   */
  URI url() {
    return url;
  }

  /**
   * The head pod the forward reaches now.
   *
   * @return the pod's name
   */
  String pod() {
    return pod;
  }

  /**
   * How often the forward was re-opened.
   *
   * @return the count
   */
  synchronized int reopens() {
    return reopens;
  }

  /**
   * A request to {@code failed} got no answer: unless another caller re-opened the forward since,
   * or the last re-open was under {@link #MIN_REOPEN_INTERVAL} ago, looks up the head pod and
   * forwards to it anew.
   *
   * @param failed the URL that did not answer
   * @return the URL to use from now on (unchanged when nothing was re-opened)
   * @throws RayClusterException when no head pod is running or the forward cannot be opened
   */
  synchronized URI reopen(URI failed) {
    if (closed || !url.equals(failed)) {
      return url;
    }
    long now = System.nanoTime();
    if (reopened && now - lastReopen < MIN_REOPEN_INTERVAL.toNanos()) {
      return url;
    }
    reopened = true;
    lastReopen = now;
    String previous = pod;
    String next = headPod();
    PortForwarder.Forward opened =
        forwarder.open(client, namespace, next, RayCluster.DASHBOARD_PORT);
    PortForwarder.Forward old = forward;
    forward = opened;
    pod = next;
    url = urlOf(opened);
    reopens++;
    try {
      old.close();
    } catch (RuntimeException e) {
      LOG.debug("closing the dropped forward {} failed: {}", old, e.toString());
    }
    LOG.warn(
        "The port-forward to the Ray dashboard of RayCluster {}/{} stopped answering at {}; re-opened"
            + " it to {} pod {} at {}",
        namespace,
        clusterName,
        failed,
        next.equals(previous) ? "the same head" : "the new head",
        next,
        url);
    return url;
  }

  /** The head pod now: as at start, {@code status.head.podName} else the labelled head pod. */
  private String headPod() {
    RayClusterResource rc =
        client
            .resources(RayClusterResource.class)
            .inNamespace(namespace)
            .withName(clusterName)
            .get();
    if (rc == null) {
      throw new RayClusterException(
          "RayCluster " + namespace + "/" + clusterName + " is gone: no head pod to forward to");
    }
    List<Pod> pods =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel("ray.io/cluster", clusterName)
            .list()
            .getItems();
    return new ClusterState(true, Statuses.of(rc), pods)
        .headPod()
        .map(p -> p.getMetadata().getName())
        .orElseThrow(
            () ->
                new RayClusterException(
                    "RayCluster "
                        + namespace
                        + "/"
                        + clusterName
                        + " has no head pod to forward the dashboard to; check it with kubectl get"
                        + " pods -n "
                        + namespace
                        + " -l ray.io/cluster="
                        + clusterName));
  }

  @Override
  public java.net.InetSocketAddress localAddress() {
    synchronized (this) {
      return forward.localAddress();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    forward.close();
  }

  @Override
  public String toString() {
    return "dashboard port-forward " + url + " -> " + namespace + "/" + pod + ":8265";
  }
}
