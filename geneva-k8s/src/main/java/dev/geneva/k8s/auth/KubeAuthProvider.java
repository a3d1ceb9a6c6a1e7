package dev.geneva.k8s.auth;

import java.util.Map;

/**
 * Serves a cloud {@link ConfigMethod} ({@link ConfigMethod#EKS_AUTH}, {@link ConfigMethod#GKE})
 * from a parameter map, for {@link KubeAuth#forMethod(ConfigMethod, Map)}. Cloud modules register
 * an implementation in {@code META-INF/services/dev.geneva.k8s.auth.KubeAuthProvider}; it is found
 * with {@link java.util.ServiceLoader}, so users only add the module to their dependencies.
 *
 * <p>Parameter names follow Geneva's Python {@code ray_cluster(...)} arguments; the standard ones
 * are the {@code PARAM_*} constants. A provider rejects unknown or missing parameters with an
 * {@link dev.geneva.InvalidInputException} naming the parameter, and never puts a token or secret
 * in a message, a log line or {@code toString()}.
 */
public interface KubeAuthProvider {

  /** The Kubernetes cluster's name in its cloud (EKS cluster name, GKE cluster name). */
  String PARAM_CLUSTER_NAME = "cluster_name";

  /** The AWS region of an EKS cluster, e.g. {@code us-east-1}. */
  String PARAM_REGION = "region";

  /** The IAM role to assume before calling EKS: a role name or a full ARN. */
  String PARAM_ROLE_NAME = "role_name";

  /** The Google Cloud project of a GKE cluster. */
  String PARAM_PROJECT = "project";

  /**
   * The GKE cluster's location: a region ({@code us-central1}) or a zone ({@code us-central1-a}).
   */
  String PARAM_LOCATION = "location";

  /**
   * The method this provider serves.
   *
   * @return {@link ConfigMethod#EKS_AUTH} or {@link ConfigMethod#GKE} (or another cloud method)
   */
  ConfigMethod method();

  /**
   * Creates the auth from its parameters. Checks them at once but contacts no cloud API: that
   * happens in {@link KubeAuth#resolve()}.
   *
   * @param params parameters such as {@link #PARAM_CLUSTER_NAME} and {@link #PARAM_REGION}; never
   *     null
   * @return the auth
   * @throws dev.geneva.InvalidInputException when a parameter is missing, unknown or malformed
   */
  KubeAuth create(Map<String, String> params);
}
