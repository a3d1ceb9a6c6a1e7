package dev.geneva.k8s;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.ApiCalls;
import dev.geneva.k8s.internal.Errors;
import dev.geneva.k8s.internal.Statuses;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and removes RayClusters that Geneva created (labelled {@value
 * RayCluster#MANAGED_BY_LABEL}={@value RayCluster#MANAGED_BY_VALUE}), for instance ones leaked by a
 * killed JVM: by age ({@link #reap}) or, safer, by lease ({@link #reapExpired}: only clusters whose
 * handle stopped renewing their {@link ClusterLease}). Clusters without that label are never listed
 * or deleted.
 */
public final class RayClusters {
  /** How long one list or delete may retry transient answers. */
  private static final Duration BUDGET = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(RayClusters.class);

  private RayClusters() {}

  /** The label KubeRay puts on a cluster it created for a RayJob ({@code RayJob}). */
  private static final String ORIGINATED_FROM_CRD_LABEL = "ray.io/originated-from-crd";

  /**
   * A RayCluster created by Geneva.
   *
   * @param name its name
   * @param namespace its namespace
   * @param owner the OS user label
   * @param session the session label
   * @param sdkVersion the SDK version label
   * @param created its creation time, if the API server reported one
   * @param status its status
   * @param lease its lease, as its annotations record it
   */
  public record ManagedCluster(
      String name,
      String namespace,
      String owner,
      String session,
      String sdkVersion,
      Optional<Instant> created,
      ClusterStatus status,
      ClusterLease lease) {
    /**
     * A cluster without lease annotations.
     *
     * @param name its name
     * @param namespace its namespace
     * @param owner the OS user label
     * @param session the session label
     * @param sdkVersion the SDK version label
     * @param created its creation time, if the API server reported one
     * @param status its status
     */
    public ManagedCluster(
        String name,
        String namespace,
        String owner,
        String session,
        String sdkVersion,
        Optional<Instant> created,
        ClusterStatus status) {
      this(name, namespace, owner, session, sdkVersion, created, status, ClusterLease.of(null));
    }
  }

  /**
   * Lists Geneva's RayClusters in a namespace.
   *
   * @param auth how to reach the API server
   * @param namespace the namespace
   * @return the clusters
   */
  public static List<ManagedCluster> list(KubeAuth auth, String namespace) {
    ApiCalls.Client c = client(auth);
    try (KubernetesClient client = c.client()) {
      return list(c, namespace);
    }
  }

  /**
   * Deletes Geneva's RayClusters in a namespace created more than {@code olderThan} ago. A cluster
   * that a KubeRay RayJob owns (a {@linkplain DetachedBackfills detached backfill}'s) is kept by
   * this and every other reap: deleting it would fail the job, and KubeRay deletes it when the job
   * ends; stop such a job with {@link DetachedBackfill#cancel()}.
   *
   * @param auth how to reach the API server
   * @param namespace the namespace
   * @param olderThan the minimum age
   * @return the names deleted
   */
  public static List<String> reap(KubeAuth auth, String namespace, Duration olderThan) {
    Objects.requireNonNull(olderThan, "olderThan");
    return reapCreatedBefore(auth, namespace, Instant.now().minus(olderThan));
  }

  /**
   * Deletes Geneva's RayClusters in a namespace created before a time. Clusters without a creation
   * time are kept.
   *
   * @param auth how to reach the API server
   * @param namespace the namespace
   * @param cutoff delete those created before this
   * @return the names deleted
   */
  public static List<String> reapCreatedBefore(KubeAuth auth, String namespace, Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return reapWhere(
        auth, namespace, c -> c.created().isPresent() && c.created().get().isBefore(cutoff));
  }

  /**
   * Deletes Geneva's RayClusters in a namespace whose {@linkplain ClusterLease lease} ran out more
   * than {@code grace} ago: clusters whose handle died without closing them (a killed JVM, a lost
   * laptop). Clusters with a lease still running, kept on purpose ({@link
   * ClusterLease#RETAINED_ANNOTATION}), without a lease annotation (created before leases) or with
   * an unreadable one are kept. Each delete is conditional on the resource version listed, so a
   * cluster whose lease was renewed in the meantime is kept too.
   *
   * @param auth how to reach the API server
   * @param namespace the namespace
   * @param grace how long past its expiry a lease still counts (for clock skew between the clients
   *     and the reaper); zero or more
   * @return the names deleted
   */
  public static List<String> reapExpired(KubeAuth auth, String namespace, Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new InvalidInputException(
          "RayClusters.reapExpired grace must be zero or more, got " + grace + ": e.g. PT1M");
    }
    return reapExpiredBefore(auth, namespace, Instant.now().minus(grace));
  }

  /**
   * Deletes Geneva's RayClusters in a namespace whose lease ran out before a time; see {@link
   * #reapExpired}.
   *
   * @param auth how to reach the API server
   * @param namespace the namespace
   * @param cutoff delete those whose lease ended before this
   * @return the names deleted
   */
  public static List<String> reapExpiredBefore(KubeAuth auth, String namespace, Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return reapWhere(
        auth, namespace, c -> c.lease().state(cutoff, Duration.ZERO) == ClusterLease.State.EXPIRED);
  }

  private static List<String> reapWhere(
      KubeAuth auth, String namespace, Predicate<ManagedCluster> condemned) {
    ApiCalls.Client api = client(auth);
    try (KubernetesClient client = api.client()) {
      List<String> deleted = new ArrayList<>();
      for (Listed l : listed(api, namespace)) {
        if (l.ownedByRayJob()) {
          continue; // a running detached backfill's: KubeRay deletes it when the job ends
        }
        if (condemned.test(l.cluster()) && delete(api, namespace, l, condemned)) {
          deleted.add(l.cluster().name());
        }
      }
      return deleted;
    } catch (KubernetesClientException e) {
      throw new RayClusterException(
          "Could not reap RayClusters in namespace "
              + namespace
              + ": HTTP "
              + e.getCode()
              + " "
              + Errors.safeMessage(e)
              + "; the caller needs list and delete on rayclusters.ray.io",
          e);
    }
  }

  /**
   * Deletes a listed cluster on the condition that it is unchanged since it was read (its resource
   * version). When it changed meanwhile (a lease renewed, a retained mark set, a status written by
   * the operator), it is read again and deleted only if it is still condemned; one already gone is
   * not counted.
   */
  private static boolean delete(
      ApiCalls.Client api, String namespace, Listed listed, Predicate<ManagedCluster> condemned) {
    String name = listed.cluster().name();
    Listed l = listed;
    for (int attempt = 1; ; attempt++) {
      String version = l.resourceVersion();
      try {
        api.calls()
            .call(
                "delete RayCluster " + namespace + "/" + name,
                BUDGET,
                () -> {
                  var resource =
                      api.client()
                          .resources(RayClusterResource.class)
                          .inNamespace(namespace)
                          .withName(name);
                  return version == null
                      ? resource.delete()
                      : resource.lockResourceVersion(version).delete();
                });
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return false;
        }
        if (e.getCode() != 409 || attempt == 3) {
          throw e;
        }
      }
      RayClusterResource now =
          api.calls()
              .call(
                  "read RayCluster " + namespace + "/" + name,
                  BUDGET,
                  () ->
                      api.client()
                          .resources(RayClusterResource.class)
                          .inNamespace(namespace)
                          .withName(name)
                          .get());
      if (now == null) {
        return false;
      }
      Map<String, String> labels = now.getMetadata().getLabels();
      if (labels == null
          || !RayCluster.MANAGED_BY_VALUE.equals(labels.get(RayCluster.MANAGED_BY_LABEL))) {
        return false;
      }
      l = toListed(now, namespace);
      if (!condemned.test(l.cluster())) {
        LOG.info(
            "RayCluster {}/{} changed since it was listed and is no longer to be reaped (lease {}):"
                + " kept",
            namespace,
            name,
            l.cluster().lease());
        return false;
      }
    }
  }

  /** A listed cluster and the resource version it was listed at. */
  /**
   * A listed cluster, its resource version, and whether a KubeRay RayJob owns it (a {@linkplain
   * DetachedBackfills detached backfill}'s cluster, which the operator deletes when the job ends).
   */
  private record Listed(ManagedCluster cluster, String resourceVersion, boolean ownedByRayJob) {}

  private static List<ManagedCluster> list(ApiCalls.Client api, String namespace) {
    return listed(api, namespace).stream().map(Listed::cluster).toList();
  }

  private static List<Listed> listed(ApiCalls.Client api, String namespace) {
    List<Listed> result = new ArrayList<>();
    List<RayClusterResource> items =
        api.calls()
            .call(
                "list RayClusters in " + namespace,
                BUDGET,
                () ->
                    api.client()
                        .resources(RayClusterResource.class)
                        .inNamespace(namespace)
                        .withLabel(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE)
                        .list()
                        .getItems());
    for (RayClusterResource rc : items) {
      result.add(toListed(rc, namespace));
    }
    return result;
  }

  private static Listed toListed(RayClusterResource rc, String namespace) {
    Map<String, String> labels =
        rc.getMetadata().getLabels() == null ? Map.of() : rc.getMetadata().getLabels();
    String ts = rc.getMetadata().getCreationTimestamp();
    Optional<Instant> created =
        ts == null || ts.isEmpty()
            ? Optional.empty()
            : Optional.of(OffsetDateTime.parse(ts).toInstant());
    return new Listed(
        new ManagedCluster(
            rc.getMetadata().getName(),
            namespace,
            labels.getOrDefault(RayCluster.OWNER_LABEL, ""),
            labels.getOrDefault(RayCluster.SESSION_LABEL, ""),
            labels.getOrDefault(RayCluster.SDK_VERSION_LABEL, ""),
            created,
            Statuses.of(rc),
            ClusterLease.of(rc.getMetadata().getAnnotations())),
        rc.getMetadata().getResourceVersion(),
        ownedByRayJob(rc));
  }

  private static boolean ownedByRayJob(RayClusterResource rc) {
    Map<String, String> labels = rc.getMetadata().getLabels();
    if (labels != null && "RayJob".equals(labels.get(ORIGINATED_FROM_CRD_LABEL))) {
      return true;
    }
    return rc.getMetadata().getOwnerReferences() != null
        && rc.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "RayJob".equals(o.getKind()));
  }

  /**
   * A client without fabric8's own retries: {@link ApiCalls} retries 429 (after its Retry-After),
   * 5xx and I/O errors within {@link #BUDGET}, and fails at once when the API server cannot be
   * reached at all.
   */
  private static ApiCalls.Client client(KubeAuth auth) {
    Objects.requireNonNull(auth, "auth");
    return ApiCalls.newClient(auth.resolve());
  }
}
