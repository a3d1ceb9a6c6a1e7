package com.example.userapp;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.geneva.cloud.aws.S3StorageOptions;
import dev.geneva.cloud.gcp.GcsStorageOptions;
import dev.geneva.k8s.admin.RayClusterManifests;
import java.util.Date;
import java.util.Properties;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/** Uses the cloud modules the way a user would before starting a cluster, without a network. */
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

    // geneva-k8s: the admin manifests, serialised by fabric8.
    String yaml =
        RayClusterManifests.builder()
            .eksRoleArn("arn:aws:iam::123456789012:role/geneva-ray-runner")
            .build()
            .toYaml();
    out.setProperty(
        "manifests.eksAnnotation", Boolean.toString(yaml.contains("eks.amazonaws.com/role-arn")));
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
  }
}
