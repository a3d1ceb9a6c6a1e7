package com.example.userapp;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.geneva.cloud.aws.S3StorageOptions;
import dev.geneva.cloud.gcp.GcsStorageOptions;
import java.util.Date;
import java.util.Properties;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * The cloud modules' storage helpers without a cluster: they work, and neither Kubernetes
 * (geneva-k8s, fabric8) nor Ray is on the class path.
 */
final class CloudChecks {
  private CloudChecks() {}

  static void run(Properties out) {
    // geneva-cloud-aws: S3 storage options for Lance from AWS SDK credentials.
    S3StorageOptions s3 =
        S3StorageOptions.builder()
            .credentials(AwsBasicCredentials.create("AKIDEXAMPLE", "user-secret"))
            .region("us-east-1")
            .build();
    out.setProperty(
        "s3.keys", String.join(",", new TreeSet<>(s3.resolveStorageOptions().keySet())));

    // geneva-cloud-gcp: GCS options from google-auth credentials (no network: credentials whose
    // refresh returns a fixed token).
    GoogleCredentials google =
        new GoogleCredentials() {
          @Override
          public AccessToken refreshAccessToken() {
            return new AccessToken("user-token", new Date(System.currentTimeMillis() + 3_600_000L));
          }
        };
    out.setProperty(
        "gcs.token", GcsStorageOptions.accessToken(google).get(GcsStorageOptions.STORAGE_TOKEN));

    out.setProperty(
        "fabric8.absent", Boolean.toString(!loadable("io.fabric8.kubernetes.client.Config")));
    out.setProperty("genevaK8s.absent", Boolean.toString(!loadable("dev.geneva.k8s.RayCluster")));
    out.setProperty("ray.absent", Boolean.toString(!loadable("io.ray.api.Ray")));
    out.setProperty(
        "rayJobs.absent", Boolean.toString(!loadable("dev.geneva.ray.jobs.RayJobsClient")));
  }

  private static boolean loadable(String className) {
    try {
      Class.forName(className, false, CloudChecks.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
