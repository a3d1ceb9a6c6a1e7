package dev.geneva.cloud.gcp;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.auth.KubeAuthProvider;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Serves {@link ConfigMethod#GKE} for {@link KubeAuth#forMethod(ConfigMethod, Map)}, registered in
 * {@code META-INF/services/dev.geneva.k8s.auth.KubeAuthProvider}. Parameters:
 *
 * <ul>
 *   <li>{@link #PARAM_PROJECT}, {@link #PARAM_LOCATION}, {@link #PARAM_CLUSTER_NAME}: the cluster,
 *       looked up in the GKE API (all three required unless {@link KubeAuth#PARAM_KUBECONFIG} or
 *       {@link KubeAuth#PARAM_CONTEXT} is given);
 *   <li>{@link KubeAuth#PARAM_KUBECONFIG}, {@link KubeAuth#PARAM_CONTEXT} (optional): take the
 *       endpoint and CA from this kubeconfig file and context instead;
 *   <li>{@link #PARAM_SERVICE_ACCOUNT_KEY_FILE} (optional): a service-account key file instead of
 *       the application-default credentials;
 *   <li>{@link #PARAM_ENDPOINT} (optional): which control-plane endpoint, {@code auto} (default),
 *       {@code dns}, {@code public_ip} or {@code private_ip} (see {@link GkeEndpoint}).
 * </ul>
 */
public final class GkeAuthProvider implements KubeAuthProvider {

  /** Optional parameter: the path of a service-account key file (JSON). */
  public static final String PARAM_SERVICE_ACCOUNT_KEY_FILE = "service_account_key_file";

  /** Optional parameter: the {@link GkeEndpoint}, e.g. {@code dns} (case-insensitive). */
  public static final String PARAM_ENDPOINT = "endpoint";

  private static final Set<String> KNOWN =
      Set.of(
          PARAM_PROJECT,
          PARAM_LOCATION,
          PARAM_CLUSTER_NAME,
          KubeAuth.PARAM_KUBECONFIG,
          KubeAuth.PARAM_CONTEXT,
          PARAM_SERVICE_ACCOUNT_KEY_FILE,
          PARAM_ENDPOINT);

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public GkeAuthProvider() {}

  /**
   * Serves GKE.
   *
   * @return {@link ConfigMethod#GKE}
   */
  @Override
  public ConfigMethod method() {
    return ConfigMethod.GKE;
  }

  /**
   * Builds a {@link GkeAuth} from the parameters.
   *
   * @param params the parameters listed on this class
   * @return the auth
   * @throws InvalidInputException when a parameter is unknown, or a required one is missing
   */
  @Override
  public KubeAuth create(Map<String, String> params) {
    Set<String> unknown = new TreeSet<>(params.keySet());
    unknown.removeAll(KNOWN);
    if (!unknown.isEmpty()) {
      throw new InvalidInputException(
          "ConfigMethod.GKE does not take parameters "
              + unknown
              + "; it accepts "
              + new TreeSet<>(KNOWN)
              + ". Remove them, or pick the ConfigMethod they belong to");
    }
    GkeAuth.Builder b =
        GkeAuth.builder()
            .project(params.get(PARAM_PROJECT))
            .location(params.get(PARAM_LOCATION))
            .clusterName(params.get(PARAM_CLUSTER_NAME));
    String kubeconfig = params.get(KubeAuth.PARAM_KUBECONFIG);
    String context = params.get(KubeAuth.PARAM_CONTEXT);
    if (kubeconfig != null || context != null) {
      b.kubeconfig(
          kubeconfig == null || kubeconfig.isBlank() ? null : Path.of(kubeconfig), context);
    }
    String keyFile = params.get(PARAM_SERVICE_ACCOUNT_KEY_FILE);
    if (keyFile != null) {
      if (keyFile.isBlank()) {
        throw new InvalidInputException(
            "ConfigMethod.GKE parameter "
                + PARAM_SERVICE_ACCOUNT_KEY_FILE
                + " is blank: pass the path of a service-account key file, or leave it out to use"
                + " the application-default credentials");
      }
      b.serviceAccountKeyFile(Path.of(keyFile));
    }
    String endpoint = params.get(PARAM_ENDPOINT);
    if (endpoint != null) {
      try {
        b.endpoint(GkeEndpoint.valueOf(endpoint.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(
            "ConfigMethod.GKE parameter "
                + PARAM_ENDPOINT
                + " '"
                + endpoint
                + "' is not one of auto, dns, public_ip, private_ip");
      }
    }
    return b.build();
  }
}
