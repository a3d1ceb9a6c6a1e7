package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import dev.geneva.k8s.testing.FakeKubeRay.Behaviour;
import dev.geneva.k8s.testing.FakeKubeRay.Version;
import dev.geneva.k8s.testing.FaultProxy;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.Rbac;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease of issue 11, part 3: a living handle renews {@link ClusterLease#EXPIRES_ANNOTATION} on
 * its RayCluster; {@link RayClusters#reapExpired} deletes clusters whose lease ran out and only
 * those; a cluster kept on purpose carries no lease. Against the mock API server in CRUD mode with
 * the KubeRay CRD and a fake operator; the handle reaches the server through a {@link FaultProxy}.
 */
class ClusterLeaseTest {
  private static final String NS = "geneva";
  private static final String SA = "geneva-ray-runner";
  private static final String CLUSTER = "/apis/ray.io/v1/namespaces/geneva/rayclusters/lease-test";

  private MockRayEnvironment env;
  private FaultProxy proxy;
  private KubeAuth direct;

  @BeforeEach
  void setUp() {
    env = MockRayEnvironment.builder().namespace(NS).serviceAccount(SA).build();
    proxy = new FaultProxy(env.serverAddress());
    Rbac.allowAllExcept(env.server());
    direct = env.kubeAuth();
  }

  @AfterEach
  void tearDown() throws Exception {
    proxy.close();
    env.close();
  }

  private RayCluster.Builder cluster() {
    return RayCluster.builder()
        .name("lease-test")
        .namespace(NS)
        .auth(env.kubeAuthVia(proxy.url()))
        .waitTimeout(Duration.ofSeconds(60))
        .portForwarder(env.forwarder())
        .headGroup(HeadGroupSpec.builder().serviceAccount(SA).build())
        .workerGroup(
            WorkerGroupSpec.builder().name("worker").replicas(1).serviceAccount(SA).build());
  }

  private Map<String, String> annotations(String name) {
    RayClusterResource rc =
        env.client().resources(RayClusterResource.class).inNamespace(NS).withName(name).get();
    assertThat(rc).as("RayCluster " + name).isNotNull();
    return rc.getMetadata().getAnnotations() == null ? Map.of() : rc.getMetadata().getAnnotations();
  }

  private Instant leaseOf(String name) {
    return ClusterLease.of(annotations(name)).expires().orElseThrow();
  }

  private static void awaitTrue(String what, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void start_whenHandleLives_expectLeaseRenewedAndClusterDeletedOnClose() throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().leaseDuration(Duration.ofSeconds(3)).start()) {
      Instant first = leaseOf("lease-test");
      assertThat(first).isAfter(Instant.now().minusSeconds(1));
      awaitTrue("the lease advances", () -> leaseOf("lease-test").isAfter(first));
      Instant second = leaseOf("lease-test");
      awaitTrue("the lease advances again", () -> leaseOf("lease-test").isAfter(second));
      assertThat(proxy.requests("PATCH", CLUSTER)).hasSizeGreaterThanOrEqualTo(2);
      // Renewed, so a reaper run now keeps it.
      assertThat(RayClusters.reapExpired(direct, NS, Duration.ZERO)).isEmpty();
      assertThat(cluster.isRunning()).isTrue();
    }
    assertThat(env.rayClusters()).isEmpty();
    int patches = proxy.requests("PATCH", CLUSTER).size();
    Thread.sleep(1_500); // more than one renewal interval: none may follow the close
    assertThat(proxy.requests("PATCH", CLUSTER)).hasSize(patches);
  }

  @Test
  void renewal_whenApiServerAnswers429_expectRetryAfterHonouredAndLeaseRenewed() throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    proxy.answer("PATCH", CLUSTER, 1, 429, Map.of("Retry-After", "2"));
    try (RayCluster cluster = cluster().leaseDuration(Duration.ofSeconds(9)).start()) {
      Instant first = leaseOf("lease-test");
      awaitTrue("the lease advances", () -> leaseOf("lease-test").isAfter(first));
      List<FaultProxy.Seen> patches = proxy.requests("PATCH", CLUSTER);
      assertThat(patches.get(0).action()).isEqualTo(FaultProxy.Action.ANSWER);
      assertThat(patches.get(1).action()).isNull();
      assertThat(Duration.ofNanos(patches.get(1).atNanos() - patches.get(0).atNanos()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
      assertThat(cluster.isRunning()).isTrue();
    }
  }

  @Test
  void reapExpired_whenHandleStopsRenewing_expectClusterReapedOnceLeaseRanOut() throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster = cluster().leaseDuration(Duration.ofSeconds(4)).start()) {
      // The handle's renewals fail from now on, as if its JVM had died (or lost the network): the
      // handle itself keeps running.
      proxy.answer("PATCH", CLUSTER, FaultProxy.ALWAYS, 500, Map.of());
      awaitTrue(
          "a renewal was refused",
          () ->
              proxy.requests("PATCH", CLUSTER).stream()
                  .anyMatch(r -> r.action() == FaultProxy.Action.ANSWER));
      Instant last = leaseOf("lease-test"); // no renewal in flight any more: the last one
      assertThat(RayClusters.reapExpired(direct, NS, Duration.ZERO)).isEmpty();
      awaitTrue("the lease runs out", () -> Instant.now().isAfter(last.plusSeconds(1)));
      assertThat(cluster.isRunning()).isTrue();

      assertThat(RayClusters.reapExpired(direct, NS, Duration.ofMinutes(1)))
          .as("within the grace period")
          .isEmpty();
      assertThat(RayClusters.reapExpired(direct, NS, Duration.ZERO)).containsExactly("lease-test");
      assertThat(env.rayClusters()).isEmpty();
    } // close finds the cluster gone (404): nothing leaks, nothing throws
    assertThat(env.rayClusters()).isEmpty();
  }

  @Test
  void close_whenRetainOnFailureAndFailed_expectLeaseRemovedAndClusterNotReaped() {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster =
        cluster()
            .exitMode(ExitMode.RETAIN_ON_FAILURE)
            .leaseDuration(Duration.ofSeconds(3))
            .start()) {
      assertThat(annotations("lease-test")).containsKey(ClusterLease.EXPIRES_ANNOTATION);
      cluster.markFailed(new IllegalStateException("backfill failed"));
    }
    Map<String, String> a = annotations("lease-test");
    // The merge patch sets the lease to null, which a real API server removes (RFC 7386); the mock
    // server keeps the key with a null value. Either way there is no lease left.
    assertThat(a.get(ClusterLease.EXPIRES_ANNOTATION)).isNull();
    assertThat(a.get(ClusterLease.RETAINED_ANNOTATION)).startsWith("RETAIN_ON_FAILURE since ");
    assertThat(RayClusters.list(direct, NS).get(0).lease().state(Instant.now(), Duration.ZERO))
        .isEqualTo(ClusterLease.State.RETAINED);
    assertThat(RayClusters.reapExpiredBefore(direct, NS, Instant.now().plus(Duration.ofDays(30))))
        .isEmpty();
    assertThat(env.rayClusters()).hasSize(1);
  }

  @Test
  void start_whenExitModeRetain_expectNoLeaseAndNoRenewal() throws Exception {
    env.startOperator(Version.V1_3, Behaviour.HEALTHY);
    try (RayCluster cluster =
        cluster().exitMode(ExitMode.RETAIN).leaseDuration(Duration.ofSeconds(1)).start()) {
      Map<String, String> a = annotations("lease-test");
      assertThat(a).doesNotContainKey(ClusterLease.EXPIRES_ANNOTATION);
      assertThat(a.get(ClusterLease.RETAINED_ANNOTATION)).startsWith("RETAIN since ");
      Thread.sleep(1_000); // three renewal intervals of a 1 s lease, had it one
      assertThat(proxy.requests("PATCH", CLUSTER)).isEmpty();
      assertThat(cluster.isRunning()).isTrue();
    }
    assertThat(RayClusters.reapExpiredBefore(direct, NS, Instant.now().plus(Duration.ofDays(30))))
        .isEmpty();
    assertThat(env.rayClusters()).hasSize(1);
  }

  @Test
  void start_whenFailsWithRetainOnFailure_expectKeptClusterMarkedRetained() {
    env.startOperator(Version.V1_3, Behaviour.CRASH_LOOP);
    assertThatThrownBy(() -> cluster().exitMode(ExitMode.RETAIN_ON_FAILURE).start())
        .isInstanceOf(RayClusterException.class);
    Map<String, String> a = annotations("lease-test");
    assertThat(a.get(ClusterLease.EXPIRES_ANNOTATION)).isNull(); // see the test above
    assertThat(a.get(ClusterLease.RETAINED_ANNOTATION)).startsWith("RETAIN_ON_FAILURE since ");
    assertThat(RayClusters.reapExpiredBefore(direct, NS, Instant.now().plus(Duration.ofDays(30))))
        .isEmpty();
  }

  @Test
  void reapExpired_whenMixedClusters_expectOnlyManagedClustersWithExpiredLeaseDeleted() {
    Instant now = Instant.now();
    String past = ClusterLease.format(now.minus(Duration.ofMinutes(10)));
    String future = ClusterLease.format(now.plus(Duration.ofMinutes(10)));
    create("expired", true, Map.of(ClusterLease.EXPIRES_ANNOTATION, past));
    String pastWithOffset =
        now.minus(Duration.ofMinutes(10))
            .truncatedTo(ChronoUnit.SECONDS)
            .atOffset(ZoneOffset.ofHours(1))
            .toString(); // RFC 3339 allows any offset
    create("expired-offset", true, Map.of(ClusterLease.EXPIRES_ANNOTATION, pastWithOffset));
    create("valid", true, Map.of(ClusterLease.EXPIRES_ANNOTATION, future));
    create("no-lease", true, Map.of());
    create("retained", true, Map.of(ClusterLease.RETAINED_ANNOTATION, "RETAIN since " + past));
    create("unreadable", true, Map.of(ClusterLease.EXPIRES_ANNOTATION, "yesterday"));
    create("not-ours", false, Map.of(ClusterLease.EXPIRES_ANNOTATION, past));

    Map<String, ClusterLease.State> states = new LinkedHashMap<>();
    for (RayClusters.ManagedCluster c : RayClusters.list(direct, NS)) {
      states.put(c.name(), c.lease().state(now, Duration.ZERO));
    }
    assertThat(states)
        .containsOnly(
            Map.entry("expired", ClusterLease.State.EXPIRED),
            Map.entry("expired-offset", ClusterLease.State.EXPIRED),
            Map.entry("valid", ClusterLease.State.ACTIVE),
            Map.entry("no-lease", ClusterLease.State.NONE),
            Map.entry("retained", ClusterLease.State.RETAINED),
            Map.entry("unreadable", ClusterLease.State.INVALID));

    assertThat(RayClusters.reapExpired(direct, NS, Duration.ofMinutes(11))).isEmpty();
    assertThat(RayClusters.reapExpired(direct, NS, Duration.ZERO))
        .containsExactlyInAnyOrder("expired", "expired-offset");
    assertThat(env.rayClusters())
        .extracting(rc -> rc.getMetadata().getName())
        .containsExactlyInAnyOrder("valid", "no-lease", "retained", "unreadable", "not-ours");
  }

  @Test
  void reap_whenClusterOwnedByRayJob_expectKeptByAgeAndLeaseReaps() {
    String past = ClusterLease.format(Instant.now().minus(Duration.ofMinutes(10)));
    create("plain", true, Map.of(ClusterLease.EXPIRES_ANNOTATION, past));
    RayClusterResource labelled = managedResource("job-labelled", past);
    labelled.getMetadata().getLabels().put("ray.io/originated-from-crd", "RayJob");
    env.client().resources(RayClusterResource.class).inNamespace(NS).resource(labelled).create();
    RayClusterResource owned = managedResource("job-owned", past);
    owned
        .getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion("ray.io/v1")
                    .withKind("RayJob")
                    .withName("embed-job")
                    .withUid("4f6c1c1e-0000-4000-8000-000000000001")
                    .build()));
    env.client().resources(RayClusterResource.class).inNamespace(NS).resource(owned).create();

    assertThat(RayClusters.reapExpired(direct, NS, Duration.ZERO)).containsExactly("plain");
    assertThat(RayClusters.reapCreatedBefore(direct, NS, Instant.now().plusSeconds(60))).isEmpty();

    assertThat(env.rayClusters())
        .extracting(rc -> rc.getMetadata().getName())
        .containsExactlyInAnyOrder("job-labelled", "job-owned");
  }

  private static RayClusterResource managedResource(String name, String leaseExpires) {
    RayClusterResource rc = new RayClusterResource();
    rc.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NS)
            .addToLabels(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE)
            .addToLabels(RayCluster.SESSION_LABEL, "s-" + name)
            .addToAnnotations(ClusterLease.EXPIRES_ANNOTATION, leaseExpires)
            .build());
    return rc;
  }

  @Test
  void reapExpired_whenDeleteConflictsAndLeaseStillExpired_expectReadAgainAndDeleted() {
    String past = ClusterLease.format(Instant.now().minus(Duration.ofMinutes(10)));
    create("stale", true, Map.of(ClusterLease.EXPIRES_ANNOTATION, past));
    String path = "/apis/ray.io/v1/namespaces/geneva/rayclusters/stale";
    // The resource version changed between the list and the delete (the operator wrote a status).
    proxy.answer("DELETE", path, 1, 409, Map.of());

    assertThat(RayClusters.reapExpired(env.kubeAuthVia(proxy.url()), NS, Duration.ZERO))
        .containsExactly("stale");

    assertThat(proxy.requests("DELETE", path)).hasSize(2);
    assertThat(proxy.requests("GET", path)).hasSize(1);
    assertThat(env.rayClusters()).isEmpty();
  }

  @Test
  void reapExpired_whenLeaseRenewedBetweenListAndDelete_expectKept() throws Exception {
    String past = ClusterLease.format(Instant.now().minus(Duration.ofMinutes(10)));
    create("revived", true, Map.of(ClusterLease.EXPIRES_ANNOTATION, past));
    String path = "/apis/ray.io/v1/namespaces/geneva/rayclusters/revived";
    proxy.answer("DELETE", path, 1, 409, Map.of());
    proxy.delay("GET", path, 1, Duration.ofSeconds(2));

    var reaped =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> RayClusters.reapExpired(env.kubeAuthVia(proxy.url()), NS, Duration.ZERO));
    awaitTrue("the first delete was refused", () -> !proxy.requests("DELETE", path).isEmpty());
    String future = ClusterLease.format(Instant.now().plus(Duration.ofMinutes(10)));
    env.client()
        .resources(RayClusterResource.class)
        .inNamespace(NS)
        .withName("revived")
        .edit(
            rc -> {
              rc.getMetadata().getAnnotations().put(ClusterLease.EXPIRES_ANNOTATION, future);
              return rc;
            });

    assertThat(reaped.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(proxy.requests("DELETE", path)).hasSize(1);
    assertThat(leaseOf("revived")).isEqualTo(Instant.parse(future));
  }

  @Test
  void format_whenFractionOfSecond_expectRoundedUpSoLeaseIsNeverShorter() {
    assertThat(ClusterLease.format(Instant.parse("2026-11-29T21:05:00.001Z")))
        .isEqualTo("2026-11-29T21:05:01Z");
    assertThat(ClusterLease.format(Instant.parse("2026-11-29T21:05:00Z")))
        .isEqualTo("2026-11-29T21:05:00Z");
    assertThat(
            ClusterLease.of(Map.of(ClusterLease.EXPIRES_ANNOTATION, "2026-11-29T22:05:00+01:00"))
                .expires())
        .contains(Instant.parse("2026-11-29T21:05:00Z"));
  }

  @Test
  void reapExpired_whenGraceNegative_expectInvalidInput() {
    assertThatThrownBy(() -> RayClusters.reapExpired(direct, NS, Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("grace must be zero or more");
  }

  @Test
  void leaseDuration_whenOutOfRange_expectErrorNamingFieldAndRange() {
    for (Duration bad :
        new Duration[] {null, Duration.ZERO, Duration.ofMillis(999), Duration.ofDays(8)}) {
      assertThatThrownBy(() -> RayCluster.builder().leaseDuration(bad))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("RayCluster.leaseDuration must be between 1 second and 7 days");
    }
    assertThat(RayClusterSpec.builder().build().leaseDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(
            RayCluster.builder()
                .auth(direct)
                .leaseDuration(Duration.ofMinutes(2))
                .build()
                .spec()
                .leaseDuration())
        .isEqualTo(Duration.ofMinutes(2));
  }

  private void create(String name, boolean managed, Map<String, String> annotations) {
    RayClusterResource rc = new RayClusterResource();
    ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withNamespace(NS);
    if (managed) {
      meta.addToLabels(RayCluster.MANAGED_BY_LABEL, RayCluster.MANAGED_BY_VALUE)
          .addToLabels(RayCluster.SESSION_LABEL, "s-" + name);
    }
    if (!annotations.isEmpty()) {
      meta.withAnnotations(annotations);
    }
    rc.setMetadata(meta.build());
    env.client().resources(RayClusterResource.class).inNamespace(NS).resource(rc).create();
  }
}
