package dev.geneva.examples.docs;

import dev.geneva.cloud.gcp.GcsCheckReport;
import dev.geneva.cloud.gcp.GcsWriteCheck;
import dev.geneva.cloud.gcp.GkeAuth;
import dev.geneva.cloud.gcp.GkeEndpoint;
import dev.geneva.k8s.admin.RayClusterManifests;
import dev.geneva.k8s.auth.KubeAuth;

/** Code of {@code docs/gke.md}. */
public final class GkeDocs {
  private GkeDocs() {}

  /**
   * The service account annotated for workload identity.
   *
   * @return the manifests
   */
  public static RayClusterManifests manifests() {
    // docs:begin gke-manifests
    RayClusterManifests manifests =
        RayClusterManifests.builder()
            .namespace("geneva")
            .serviceAccountName("geneva-ray-runner")
            .gcpServiceAccount("geneva-ray-runner@my-project.iam.gserviceaccount.com")
            .build();
    // docs:end gke-manifests
    return manifests;
  }

  /**
   * The bucket write check.
   *
   * @return the report
   */
  public static GcsCheckReport writeCheck() {
    // docs:begin gke-write-check
    GcsCheckReport report = GcsWriteCheck.builder().tableUri("gs://my-bucket/db").build().run();
    System.out.println(report.ok() ? "can write " + report.bucket() : report.message());
    // docs:end gke-write-check
    return report;
  }

  /**
   * The GKE auth.
   *
   * @return the auth
   */
  public static KubeAuth auth() {
    // docs:begin gke-auth
    KubeAuth auth =
        GkeAuth.builder()
            .project("my-project")
            .location("us-central1") // a region, or a zone such as us-central1-a
            .clusterName("geneva")
            .build(); // application-default credentials, read on first use
    // docs:end gke-auth
    return auth;
  }

  /**
   * The GKE auth through the cluster's DNS endpoint.
   *
   * @return the auth
   */
  public static KubeAuth dnsAuth() {
    // docs:begin gke-auth-dns
    KubeAuth dns =
        GkeAuth.builder()
            .project("my-project")
            .location("us-central1")
            .clusterName("geneva")
            .endpoint(GkeEndpoint.DNS)
            .build();
    // docs:end gke-auth-dns
    return dns;
  }
}
