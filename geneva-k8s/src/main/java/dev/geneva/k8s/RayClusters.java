package dev.geneva.k8s;

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

/**
 * Finds and removes RayClusters that Geneva created (labelled {@value
 * RayCluster#MANAGED_BY_LABEL}={@value RayCluster#MANAGED_BY_VALUE}), for instance ones leaked by a
 * killed JVM.
 */
public final class RayClusters {
  /** How long one list or delete may retry transient answers. */
  private static final Duration BUDGET = Duration.ofSeconds(30);

  private RayClusters() {}

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
   */
  public record ManagedCluster(
      String name,
      String namespace,
      String owner,
      String session,
      String sdkVersion,
      Optional<Instant> created,
      ClusterStatus status) {}

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
   * Deletes Geneva's RayClusters in a namespace created more than {@code olderThan} ago.
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
    ApiCalls.Client api = client(auth);
    try (KubernetesClient client = api.client()) {
      List<String> deleted = new ArrayList<>();
      for (ManagedCluster c : list(api, namespace)) {
        if (c.created().isPresent() && c.created().get().isBefore(cutoff)) {
          api.calls()
              .call(
                  "delete RayCluster " + namespace + "/" + c.name(),
                  BUDGET,
                  () ->
                      client
                          .resources(RayClusterResource.class)
                          .inNamespace(namespace)
                          .withName(c.name())
                          .delete());
          deleted.add(c.name());
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

  private static List<ManagedCluster> list(ApiCalls.Client api, String namespace) {
    List<ManagedCluster> result = new ArrayList<>();
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
      Map<String, String> labels = rc.getMetadata().getLabels();
      String ts = rc.getMetadata().getCreationTimestamp();
      Optional<Instant> created =
          ts == null || ts.isEmpty()
              ? Optional.empty()
              : Optional.of(OffsetDateTime.parse(ts).toInstant());
      result.add(
          new ManagedCluster(
              rc.getMetadata().getName(),
              namespace,
              labels.getOrDefault(RayCluster.OWNER_LABEL, ""),
              labels.getOrDefault(RayCluster.SESSION_LABEL, ""),
              labels.getOrDefault(RayCluster.SDK_VERSION_LABEL, ""),
              created,
              Statuses.of(rc)));
    }
    return result;
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
