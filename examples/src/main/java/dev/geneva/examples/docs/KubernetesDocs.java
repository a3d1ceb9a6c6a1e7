package dev.geneva.examples.docs;

import dev.geneva.k8s.HeadGroupSpec;
import dev.geneva.k8s.PreflightReport;
import dev.geneva.k8s.RayCluster;
import dev.geneva.k8s.RayClusters;
import dev.geneva.k8s.WorkerGroupSpec;
import dev.geneva.k8s.admin.ApplyResult;
import dev.geneva.k8s.admin.ClientRule;
import dev.geneva.k8s.admin.RayClusterManifests;
import dev.geneva.k8s.admin.RbacSubject;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

/** Code of {@code docs/kubernetes.md}. */
public final class KubernetesDocs {
  private KubernetesDocs() {}

  /**
   * The namespace, service account and RBAC objects.
   *
   * @return the manifests
   */
  public static RayClusterManifests manifests() {
    // docs:begin k8s-manifests
    RayClusterManifests manifests =
        RayClusterManifests.builder()
            .namespace("geneva")
            .serviceAccountName("geneva-ray-runner")
            .clientSubject(RbacSubject.user("alice@example.com"))
            .build();
    System.out.println(manifests.toYaml()); // review it, or pipe it to kubectl apply -f -
    // docs:end k8s-manifests
    return manifests;
  }

  /**
   * Applies the manifests.
   *
   * @param manifests the manifests
   * @param client a client with admin rights
   */
  public static void apply(RayClusterManifests manifests, KubernetesClient client) {
    // docs:begin k8s-apply
    ApplyResult result = manifests.apply(client); // creates or updates; safe to run again
    result.objects().forEach(System.out::println);
    // docs:end k8s-apply
  }

  /** Prints the rules a cluster-creating client needs. */
  public static void clientRules() {
    // docs:begin k8s-client-rules
    for (ClientRule r : RayClusterManifests.clientRules()) {
      System.out.printf(
          "%s %s %s: %s%n",
          r.clusterScoped() ? "ClusterRole" : "Role",
          r.rule().getVerbs(),
          r.rule().getResources(),
          r.reason());
    }
    // docs:end k8s-client-rules
  }

  /** Checks a namespace before creating anything. */
  public static void preflight() {
    // docs:begin k8s-preflight
    RayCluster cluster =
        RayCluster.builder()
            .namespace("geneva")
            .auth(KubeAuth.kubeconfig())
            .headGroup(HeadGroupSpec.builder().serviceAccount("geneva-ray-runner").build())
            .workerGroup(WorkerGroupSpec.builder().serviceAccount("geneva-ray-runner").build())
            .build();
    PreflightReport report = cluster.preflight(); // reads and asks; creates nothing
    report.items().forEach(System.out::println);
    if (!report.ok()) {
      System.err.println(report.failureMessage());
    }
    // docs:end k8s-preflight
  }

  /** Deletes leaked clusters. */
  public static void reap() {
    // docs:begin k8s-reap
    List<String> deleted = RayClusters.reap(KubeAuth.kubeconfig(), "geneva", Duration.ofHours(12));
    // docs:end k8s-reap
    System.out.println(deleted);
  }

  /** Deletes the clusters whose lease ran out (their client died). */
  public static void reapExpired() {
    // docs:begin k8s-reap-expired
    List<String> deleted =
        RayClusters.reapExpired(KubeAuth.kubeconfig(), "geneva", Duration.ofMinutes(1));
    // docs:end k8s-reap-expired
    System.out.println(deleted);
  }
}
