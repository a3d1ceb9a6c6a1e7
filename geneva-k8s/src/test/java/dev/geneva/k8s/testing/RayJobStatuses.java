package dev.geneva.k8s.testing;

import dev.geneva.k8s.internal.crd.RayJobResource;
import dev.geneva.k8s.internal.crd.RayJobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Plays KubeRay's RayJob controller in tests: writes a RayJob's status subresource. */
public final class RayJobStatuses {
  private RayJobStatuses() {}

  /**
   * Writes a RayJob's status, as the operator would.
   *
   * @param client a client of the (mock) API server
   * @param namespace the RayJob's namespace
   * @param name its name
   * @param jobStatus {@code status.jobStatus}, e.g. RUNNING
   * @param deploymentStatus {@code status.jobDeploymentStatus}, e.g. Running
   * @param reason {@code status.reason}, e.g. DeadlineExceeded, or ""
   */
  public static void write(
      KubernetesClient client,
      String namespace,
      String name,
      String jobStatus,
      String deploymentStatus,
      String reason) {
    write(client, namespace, name, jobStatus, deploymentStatus, reason, null, null);
  }

  /**
   * Writes a RayJob's status with the operator's message and end time, as KubeRay does when a job
   * ends.
   *
   * @param client a client of the (mock) API server
   * @param namespace the RayJob's namespace
   * @param name its name
   * @param jobStatus {@code status.jobStatus}, e.g. FAILED
   * @param deploymentStatus {@code status.jobDeploymentStatus}, e.g. Failed
   * @param reason {@code status.reason}, e.g. AppFailed, or ""
   * @param message {@code status.message}, or null to keep it
   * @param endTime {@code status.endTime} (RFC 3339), or null to keep it
   */
  public static void write(
      KubernetesClient client,
      String namespace,
      String name,
      String jobStatus,
      String deploymentStatus,
      String reason,
      String message,
      String endTime) {
    client
        .resources(RayJobResource.class)
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            r -> {
              RayJobStatus s = r.getStatus() == null ? new RayJobStatus() : r.getStatus();
              s.setJobStatus(jobStatus);
              s.setJobDeploymentStatus(deploymentStatus);
              s.setReason(reason);
              s.setRayClusterName(name + "-raycluster-abcde");
              if (message != null) {
                s.setMessage(message);
              }
              if (endTime != null) {
                s.setEndTime(endTime);
              }
              r.setStatus(s);
              return r;
            });
  }
}
