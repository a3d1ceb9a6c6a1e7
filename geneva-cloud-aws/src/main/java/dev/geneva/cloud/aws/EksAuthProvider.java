package dev.geneva.cloud.aws;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.auth.KubeAuthProvider;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Serves {@link ConfigMethod#EKS_AUTH} for {@link KubeAuth#forMethod}: parameters {@value
 * KubeAuthProvider#PARAM_CLUSTER_NAME} and {@value KubeAuthProvider#PARAM_REGION} (required) and
 * {@value KubeAuthProvider#PARAM_ROLE_NAME} (optional), as in Python's {@code
 * ray_cluster(config_method=EKS_AUTH, cluster_name=..., region=..., role_name=...)}. Registered in
 * {@code META-INF/services}.
 */
public final class EksAuthProvider implements KubeAuthProvider {
  private static final Set<String> KNOWN =
      Set.of(PARAM_CLUSTER_NAME, PARAM_REGION, PARAM_ROLE_NAME);

  /** Creates the provider (for {@link java.util.ServiceLoader}). */
  public EksAuthProvider() {}

  /**
   * Serves EKS.
   *
   * @return {@link ConfigMethod#EKS_AUTH}
   */
  @Override
  public ConfigMethod method() {
    return ConfigMethod.EKS_AUTH;
  }

  /**
   * Builds an {@link EksAuth} with the default credentials chain.
   *
   * @param params {@code cluster_name}, {@code region}, optionally {@code role_name}
   * @return the auth
   * @throws InvalidInputException when a parameter is unknown or missing
   */
  @Override
  public KubeAuth create(Map<String, String> params) {
    Set<String> unknown = new TreeSet<>(params.keySet());
    unknown.removeAll(KNOWN);
    if (!unknown.isEmpty()) {
      throw new InvalidInputException(
          "ConfigMethod.EKS_AUTH does not take parameters "
              + unknown
              + "; it accepts "
              + new TreeSet<>(KNOWN)
              + ". For other settings build EksAuth.builder() yourself");
    }
    return EksAuth.builder()
        .clusterName(params.get(PARAM_CLUSTER_NAME))
        .region(params.get(PARAM_REGION))
        .roleName(params.get(PARAM_ROLE_NAME))
        .build();
  }

  @Override
  public String toString() {
    return "EksAuthProvider";
  }
}
