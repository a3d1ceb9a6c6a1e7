package dev.geneva.cli;

import dev.geneva.cloud.gcp.GkeAuthProvider;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.auth.KubeAuthProvider;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a command reaches the Kubernetes API server, and which namespace it works in. */
public final class KubeOptions {
  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "geneva",
      description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--config-method",
      description =
          "LOCAL (kubeconfig, the default), IN_CLUSTER, EKS_AUTH (needs --cluster-name, --region,"
              + " optionally --role-name) or GKE (--project, --location, --cluster-name).")
  ConfigMethod configMethod;

  @Option(
      names = "--kubeconfig",
      description = "kubeconfig file (default: KUBECONFIG or ~/.kube/config).")
  Path kubeconfig;

  @Option(names = "--context", description = "kubeconfig context (default: the current one).")
  String context;

  @Option(names = "--in-cluster", description = "Same as --config-method IN_CLUSTER.")
  boolean inCluster;

  @Option(names = "--cluster-name", description = "EKS or GKE cluster name.")
  String clusterName;

  @Option(names = "--region", description = "EKS region.")
  String region;

  @Option(names = "--role-name", description = "EKS: IAM role name or ARN to assume.")
  String roleName;

  @Option(names = "--project", description = "GKE project.")
  String project;

  @Option(names = "--location", description = "GKE location (region or zone).")
  String location;

  @Option(
      names = "--gke-endpoint",
      paramLabel = "auto|dns|public_ip|private_ip",
      description =
          "GKE: which control-plane endpoint to use (default auto: the DNS endpoint when the"
              + " cluster's IP endpoints are disabled, else its endpoint, as gcloud"
              + " get-credentials does; dns is gcloud's --dns-endpoint, private_ip its"
              + " --internal-ip).")
  String gkeEndpoint;

  /** Creates the options (picocli fills them). */
  public KubeOptions() {}

  /**
   * The method the options select.
   *
   * @return the method
   */
  ConfigMethod method() {
    if (inCluster) {
      if (configMethod != null && configMethod != ConfigMethod.IN_CLUSTER) {
        throw new IllegalArgumentException(
            "--in-cluster contradicts --config-method " + configMethod + ": give one of them");
      }
      return ConfigMethod.IN_CLUSTER;
    }
    return configMethod == null ? ConfigMethod.LOCAL : configMethod;
  }

  /**
   * The auth the options describe.
   *
   * @return the auth
   * @throws dev.geneva.InvalidInputException when an option does not fit the method
   */
  KubeAuth auth() {
    ConfigMethod m = method();
    Map<String, String> params = new LinkedHashMap<>();
    put(params, KubeAuth.PARAM_KUBECONFIG, kubeconfig == null ? null : kubeconfig.toString());
    put(params, KubeAuth.PARAM_CONTEXT, context);
    put(params, KubeAuthProvider.PARAM_CLUSTER_NAME, clusterName);
    put(params, KubeAuthProvider.PARAM_REGION, region);
    put(params, KubeAuthProvider.PARAM_ROLE_NAME, roleName);
    put(params, KubeAuthProvider.PARAM_PROJECT, project);
    put(params, KubeAuthProvider.PARAM_LOCATION, location);
    // Other methods than GKE reject it, naming the parameter.
    put(params, GkeAuthProvider.PARAM_ENDPOINT, gkeEndpoint);
    return KubeAuth.forMethod(m, params);
  }

  /**
   * What the options point at, for messages: never a secret.
   *
   * @return e.g. "kubeconfig context prod"
   */
  String describe() {
    return switch (method()) {
      case LOCAL ->
          "kubeconfig "
              + (kubeconfig == null ? "(KUBECONFIG or ~/.kube/config)" : kubeconfig)
              + (context == null ? " at its current context" : " at context " + context);
      case IN_CLUSTER -> "the pod's service account (in-cluster)";
      case EKS_AUTH ->
          "EKS cluster "
              + clusterName
              + " in "
              + region
              + (roleName == null ? "" : " as role " + roleName);
      case GKE ->
          "GKE cluster "
              + clusterName
              + " in "
              + project
              + "/"
              + location
              + (gkeEndpoint == null ? "" : " (" + gkeEndpoint + " endpoint)");
    };
  }

  private static void put(Map<String, String> params, String key, String value) {
    if (value != null) {
      params.put(key, value);
    }
  }
}
