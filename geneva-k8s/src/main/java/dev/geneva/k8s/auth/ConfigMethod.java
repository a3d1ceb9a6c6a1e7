package dev.geneva.k8s.auth;

/**
 * The ways of reaching a cluster that Geneva's Python {@code ray_cluster(config_method=...)}
 * offers, for code ported from it.
 */
public enum ConfigMethod {
  /** kubeconfig on this machine. */
  LOCAL,
  /** The service account of the pod this JVM runs in. */
  IN_CLUSTER,
  /** Amazon EKS with IAM (needs geneva-cloud-aws on the classpath). */
  EKS_AUTH,
  /** Google GKE with Google credentials (needs geneva-cloud-gcp on the classpath). */
  GKE
}
