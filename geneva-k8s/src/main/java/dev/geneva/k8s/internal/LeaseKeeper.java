package dev.geneva.k8s.internal;

import dev.geneva.k8s.ClusterLease;
import dev.geneva.k8s.ExitMode;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the lease ({@link ClusterLease#EXPIRES_ANNOTATION}) of a RayCluster a handle created,
 * every third of the lease duration, on a daemon thread of its own with a client of its own.
 *
 * <p>Each renewal is one JSON merge patch of the annotation through {@link ApiCalls} (no fabric8
 * retries; 429 after its {@code Retry-After}, 5xx and I/O errors retried until the next renewal is
 * due). A failed renewal is logged and the next one tries again: it never fails the backfill. A 404
 * (the cluster is gone) ends the renewals. {@link #close()} stops them and waits for one in flight,
 * so no renewal lands after the handle deletes the cluster or marks it retained.
 */
public final class LeaseKeeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  /** How long {@link #close()} waits for a renewal in flight. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final ApiCalls.Client api;
  private final String namespace;
  private final String name;
  private final Duration duration;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private volatile boolean stopped;
  private volatile Instant expires;
  private volatile int failuresInARow;

  private LeaseKeeper(
      ApiCalls.Client api,
      String namespace,
      String name,
      Duration duration,
      Instant expires,
      Clock clock) {
    this.api = api;
    this.namespace = namespace;
    this.name = name;
    this.duration = duration;
    this.interval = renewalInterval(duration);
    this.expires = expires;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "geneva-lease-" + namespace + "/" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * How often a lease of this duration is renewed: a third of it, so two renewals in a row may fail
   * before it runs out.
   *
   * @param duration the lease duration
   * @return the interval
   */
  public static Duration renewalInterval(Duration duration) {
    return duration.dividedBy(3);
  }

  /**
   * The lease annotations a new RayCluster of this spec carries: a lease ending one duration from
   * now, or, for {@link ExitMode#RETAIN}, the retained mark and no lease.
   *
   * @param spec the spec
   * @param clock the clock
   * @return the annotations to add
   */
  public static Map<String, String> initialAnnotations(RayClusterSpec spec, Clock clock) {
    Map<String, String> a = new LinkedHashMap<>();
    if (spec.exitMode() == ExitMode.RETAIN) {
      a.put(ClusterLease.RETAINED_ANNOTATION, retainedValue(ExitMode.RETAIN, clock));
    } else {
      a.put(
          ClusterLease.EXPIRES_ANNOTATION,
          ClusterLease.format(clock.instant().plus(spec.leaseDuration())));
    }
    return a;
  }

  /**
   * Adds {@link #initialAnnotations} to a rendered RayCluster.
   *
   * @param rendered the resource about to be created
   * @param spec its spec
   * @param clock the clock
   */
  public static void annotate(RayClusterResource rendered, RayClusterSpec spec, Clock clock) {
    Map<String, String> a = new LinkedHashMap<>();
    if (rendered.getMetadata().getAnnotations() != null) {
      a.putAll(rendered.getMetadata().getAnnotations());
    }
    a.putAll(initialAnnotations(spec, clock));
    rendered.getMetadata().setAnnotations(a);
  }

  /**
   * Whether a cluster of this spec has a lease to renew.
   *
   * @param spec the spec
   * @return false for {@link ExitMode#RETAIN}
   */
  public static boolean hasLease(RayClusterSpec spec) {
    return spec.exitMode() != ExitMode.RETAIN;
  }

  /**
   * Starts renewing the lease of a RayCluster just created with {@link #annotate}: the first
   * renewal is due one {@linkplain #renewalInterval interval} from now.
   *
   * @param config the resolved config (a client of the keeper's own is made from it)
   * @param namespace the cluster's namespace
   * @param name the cluster's name
   * @param duration the lease duration
   * @param clock the clock
   * @return the running keeper; close it
   */
  public static LeaseKeeper start(
      Config config, String namespace, String name, Duration duration, Clock clock) {
    ApiCalls.Client api = ApiCalls.newClient(config);
    LeaseKeeper k =
        new LeaseKeeper(api, namespace, name, duration, clock.instant().plus(duration), clock);
    long ms = Math.max(1, k.interval.toMillis());
    k.timer.scheduleWithFixedDelay(k::renewQuietly, ms, ms, TimeUnit.MILLISECONDS);
    LOG.debug(
        "Renewing the lease of RayCluster {}/{} ({}) every {}", namespace, name, duration, ms);
    return k;
  }

  private void renewQuietly() {
    if (stopped) {
      return;
    }
    Instant next = clock.instant().plus(duration);
    try {
      patch(
          api.calls(),
          api.client(),
          namespace,
          name,
          "{\"metadata\":{\"annotations\":{\""
              + ClusterLease.EXPIRES_ANNOTATION
              + "\":\""
              + ClusterLease.format(next)
              + "\"}}}",
          "renew the lease of",
          interval,
          () -> stopped);
      expires = next;
      if (failuresInARow > 0) {
        LOG.info(
            "Renewed the lease of RayCluster {}/{} again after {} failed renewal(s); it runs"
                + " until {}",
            namespace,
            name,
            failuresInARow,
            ClusterLease.format(next));
      }
      failuresInARow = 0;
    } catch (KubernetesClientException e) {
      if (stopped) {
        return;
      }
      if (e.getCode() == 404) {
        stopped = true;
        LOG.warn(
            "RayCluster {}/{} no longer exists (deleted by someone, or by the reaper after its"
                + " lease ran out): its lease is no longer renewed",
            namespace,
            name);
        timer.shutdown();
        return;
      }
      failed(e.getCode() > 0 ? "HTTP " + e.getCode() + " " + Errors.safeMessage(e) : e.toString());
    } catch (RuntimeException e) {
      if (!stopped) {
        failed(e.getMessage());
      }
    }
  }

  private void failed(String why) {
    failuresInARow++;
    Instant until = expires;
    boolean expired = until.isBefore(clock.instant());
    LOG.warn(
        "Could not renew the lease of RayCluster {}/{} ({}); retrying in {} s. {}",
        namespace,
        name,
        why,
        interval.toSeconds(),
        expired
            ? "Its lease ran out at "
                + ClusterLease.format(until)
                + ": a reaper (geneva clusters reap --expired) may delete the cluster"
            : "Its lease runs until " + ClusterLease.format(until));
  }

  /**
   * When the lease last written runs out.
   *
   * @return the instant
   */
  public Instant expires() {
    return expires;
  }

  /**
   * Marks a cluster as kept on purpose: removes its lease and sets {@link
   * ClusterLease#RETAINED_ANNOTATION}, in one merge patch, so the reaper leaves it. A failure is
   * logged with the kubectl command that does the same; it does not fail the close.
   *
   * @param calls the call wrapper
   * @param client the client
   * @param namespace the cluster's namespace
   * @param name the cluster's name
   * @param mode the exit mode that keeps it
   * @param budget how long the patch may retry
   * @param clock the clock
   * @return true when marked
   */
  public static boolean markRetained(
      ApiCalls calls,
      KubernetesClient client,
      String namespace,
      String name,
      ExitMode mode,
      Duration budget,
      Clock clock) {
    String value = retainedValue(mode, clock);
    try {
      patch(
          calls,
          client,
          namespace,
          name,
          "{\"metadata\":{\"annotations\":{\""
              + ClusterLease.EXPIRES_ANNOTATION
              + "\":null,\""
              + ClusterLease.RETAINED_ANNOTATION
              + "\":\""
              + value
              + "\"}}}",
          "mark as retained",
          budget,
          () -> false);
      return true;
    } catch (RuntimeException e) {
      LOG.warn(
          "RayCluster {}/{} is retained ({}) but its lease could not be removed ({}): a reaper"
              + " (geneva clusters reap --expired) will delete it once the lease runs out. To keep"
              + " it: kubectl annotate raycluster {} -n {} {}- {}='{}'",
          namespace,
          name,
          mode,
          e instanceof KubernetesClientException k && k.getCode() > 0
              ? "HTTP " + k.getCode()
              : e.getMessage(),
          name,
          namespace,
          ClusterLease.EXPIRES_ANNOTATION,
          ClusterLease.RETAINED_ANNOTATION,
          value);
      return false;
    }
  }

  private static String retainedValue(ExitMode mode, Clock clock) {
    return mode.name() + " since " + ClusterLease.format(clock.instant());
  }

  private static void patch(
      ApiCalls calls,
      KubernetesClient client,
      String namespace,
      String name,
      String mergePatch,
      String what,
      Duration budget,
      java.util.function.BooleanSupplier abort) {
    calls.call(
        what + " RayCluster " + namespace + "/" + name,
        budget,
        abort,
        () ->
            client
                .resources(RayClusterResource.class)
                .inNamespace(namespace)
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch));
  }

  /** Stops the renewals, waits briefly for one in flight, and closes the keeper's client. */
  @Override
  public void close() {
    stopped = true;
    timer.shutdown();
    try {
      if (!timer.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        timer.shutdownNow();
        timer.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      api.client().close();
    }
  }
}
