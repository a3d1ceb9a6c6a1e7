package com.example.userapp;

import dev.geneva.InvalidInputException;
import dev.geneva.cloud.aws.EksAuth;
import dev.geneva.cloud.aws.S3StorageOptions;
import dev.geneva.k8s.admin.RayClusterManifests;
import dev.geneva.ray.jobs.JobPackager;
import java.util.Properties;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * A cluster user's project without geneva-ray: the cluster side works, no Ray runtime is on the
 * class path, and shipping this classpath to a Ray job fails early, naming geneva-ray.
 */
final class CloudChecks {
  private CloudChecks() {}

  static void run(Properties out) {
    // geneva-cloud-aws: S3 storage options for Lance from AWS SDK credentials, and EksAuth (a
    // KubeAuth of geneva-k8s) built without a network call.
    S3StorageOptions s3 =
        S3StorageOptions.builder()
            .credentials(AwsBasicCredentials.create("AKIDEXAMPLE", "user-secret"))
            .region("us-east-1")
            .build();
    out.setProperty(
        "s3.keys", String.join(",", new TreeSet<>(s3.resolveStorageOptions().keySet())));
    EksAuth eks = EksAuth.builder().clusterName("geneva").region("us-east-1").build();
    out.setProperty("eksAuth.built", Boolean.toString(eks.toString().contains("geneva")));

    // geneva-k8s: the admin manifests, serialised by fabric8.
    String yaml =
        RayClusterManifests.builder()
            .eksRoleArn("arn:aws:iam::123456789012:role/geneva-ray-runner")
            .build()
            .toYaml();
    out.setProperty(
        "manifests.eksAnnotation", Boolean.toString(yaml.contains("eks.amazonaws.com/role-arn")));

    // geneva-k8s no longer brings the Ray runtime (nor embedded Ray as the default executor).
    out.setProperty("ray.absent", Boolean.toString(!loadable("io.ray.api.Ray")));
    out.setProperty(
        "rayExecutor.absent", Boolean.toString(!loadable("dev.geneva.ray.RayExecutor")));

    // A backfill on a cluster needs the job driver (geneva-ray) in the shipped classpath.
    String message;
    try {
      JobPackager.fromClasspath().build();
      message = "built";
    } catch (InvalidInputException e) {
      message = e.getMessage();
    }
    out.setProperty("jobPackage.namesGenevaRay", Boolean.toString(message.contains("geneva-ray")));
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
