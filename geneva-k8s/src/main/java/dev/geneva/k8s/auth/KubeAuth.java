package dev.geneva.k8s.auth;

import dev.geneva.k8s.auth.internal.FixedAuth;
import dev.geneva.k8s.auth.internal.InClusterAuth;
import dev.geneva.k8s.auth.internal.KubeAuthProviders;
import dev.geneva.k8s.auth.internal.KubeconfigAuth;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Says how to reach a Kubernetes API server: its URL, its CA and the caller's credentials (often a
 * token provider that refreshes itself). Implementations read kubeconfig, the in-cluster service
 * account, or a cloud (EKS, GKE) from the cloud modules.
 *
 * <pre>{@code
 * KubeAuth.kubeconfig();                                        // KUBECONFIG or ~/.kube/config
 * KubeAuth.kubeconfig(Path.of("/etc/geneva/kubeconfig"), "prod"); // a file and a context
 * KubeAuth.inCluster();                                         // the pod's service account
 * KubeAuth.forMethod(ConfigMethod.EKS_AUTH,
 *     Map.of("cluster_name", "geneva", "region", "us-east-1")); // needs geneva-cloud-aws
 * }</pre>
 *
 * <p>No implementation puts a token in {@code toString()}, a log line or an exception message.
 */
@FunctionalInterface
public interface KubeAuth {

  /** Parameter of {@link ConfigMethod#LOCAL} in {@link #forMethod}: the kubeconfig file path. */
  String PARAM_KUBECONFIG = "kubeconfig";

  /** Parameter of {@link ConfigMethod#LOCAL} in {@link #forMethod}: the kubeconfig context name. */
  String PARAM_CONTEXT = "context";

  /**
   * Resolves the client configuration. Called once per cluster start; may read files or contact a
   * cloud API.
   *
   * @return a fabric8 configuration
   * @throws dev.geneva.GenevaException when the configuration cannot be resolved; the message says
   *     which file, context or variable is at fault and how to fix it
   */
  Config resolve();

  /**
   * fabric8's own discovery: {@code KUBECONFIG} or {@code ~/.kube/config} (current context), else
   * the in-cluster service account when running in a pod.
   *
   * @return the auth
   */
  static KubeAuth autoConfigure() {
    return new FixedAuth("KubeAuth.autoConfigure()", () -> Config.autoConfigure(null));
  }

  /**
   * A fixed configuration, for tests and for callers that build their own.
   *
   * @param config the configuration
   * @return the auth
   */
  static KubeAuth of(Config config) {
    Objects.requireNonNull(config, "config");
    return new FixedAuth("KubeAuth.of(" + config.getMasterUrl() + ")", () -> config);
  }

  /**
   * The kubeconfig of this machine: the files named by {@code KUBECONFIG} (or the {@code
   * kubeconfig} system property), else {@code ~/.kube/config}, at its current context. Unlike
   * {@link #autoConfigure()} it never falls back to the in-cluster service account: a missing file
   * is an error that names the paths looked at. Exec credential plugins ({@code aws eks get-token},
   * {@code gke-gcloud-auth-plugin}) are run and refreshed by fabric8.
   *
   * @return the auth
   */
  static KubeAuth kubeconfig() {
    return new KubeconfigAuth(null, null);
  }

  /**
   * A kubeconfig file at a context.
   *
   * @param file the kubeconfig file, or null for {@code KUBECONFIG} / {@code ~/.kube/config}
   * @param context the context name, or null for the file's {@code current-context}
   * @return the auth; {@link #resolve()} fails naming the file and listing the available contexts
   *     when the context is missing
   */
  static KubeAuth kubeconfig(Path file, String context) {
    return new KubeconfigAuth(file, context);
  }

  /**
   * The service account of the pod this JVM runs in: the token and CA mounted under {@code
   * /var/run/secrets/kubernetes.io/serviceaccount} and the API server at {@code
   * https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}. The token file is read again for
   * each request, so the kubelet's rotation of projected tokens is picked up.
   *
   * @return the auth; {@link #resolve()} fails with a clear message outside a pod
   */
  static KubeAuth inCluster() {
    return InClusterAuth.fromEnvironment();
  }

  /**
   * The auth for a {@link ConfigMethod}, for code ported from Geneva's Python {@code
   * ray_cluster(config_method=...)}.
   *
   * <ul>
   *   <li>{@link ConfigMethod#LOCAL}: {@link #kubeconfig(Path, String)} with the optional
   *       parameters {@link #PARAM_KUBECONFIG} and {@link #PARAM_CONTEXT}.
   *   <li>{@link ConfigMethod#IN_CLUSTER}: {@link #inCluster()}; takes no parameters.
   *   <li>{@link ConfigMethod#EKS_AUTH}, {@link ConfigMethod#GKE}: the {@link KubeAuthProvider}
   *       found on the classpath (geneva-cloud-aws, geneva-cloud-gcp) with parameters such as
   *       {@link KubeAuthProvider#PARAM_CLUSTER_NAME}.
   * </ul>
   *
   * @param method the method
   * @param params the method's parameters (may be empty, never null)
   * @return the auth
   * @throws dev.geneva.InvalidInputException when a parameter is unknown or malformed, or no
   *     provider for a cloud method is on the classpath (the message names the module to add)
   */
  static KubeAuth forMethod(ConfigMethod method, Map<String, String> params) {
    return KubeAuthProviders.forMethod(method, params, KubeAuthProviders.defaultClassLoader());
  }
}
