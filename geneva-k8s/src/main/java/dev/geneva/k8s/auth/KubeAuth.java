package dev.geneva.k8s.auth;

import io.fabric8.kubernetes.client.Config;
import java.util.Objects;

/**
 * Says how to reach a Kubernetes API server: its URL, its CA and the caller's credentials (often a
 * token provider that refreshes itself). Implementations read kubeconfig, the in-cluster service
 * account, or a cloud (EKS, GKE) from the cloud modules.
 */
@FunctionalInterface
public interface KubeAuth {

  /**
   * Resolves the client configuration. Called once per cluster start; may contact a cloud API.
   *
   * @return a fabric8 configuration
   */
  Config resolve();

  /**
   * fabric8's own discovery: {@code KUBECONFIG} or {@code ~/.kube/config} (current context), else
   * the in-cluster service account when running in a pod.
   *
   * @return the auth
   */
  static KubeAuth autoConfigure() {
    return () -> Config.autoConfigure(null);
  }

  /**
   * A fixed configuration, for tests and for callers that build their own.
   *
   * @param config the configuration
   * @return the auth
   */
  static KubeAuth of(Config config) {
    Objects.requireNonNull(config, "config");
    return () -> config;
  }
}
