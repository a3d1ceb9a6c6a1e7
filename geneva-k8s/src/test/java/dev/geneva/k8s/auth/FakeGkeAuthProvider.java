package dev.geneva.k8s.auth;

import io.fabric8.kubernetes.client.Config;
import java.util.Map;

/** A test provider registered in {@code META-INF/services}: serves GKE from its parameters. */
public final class FakeGkeAuthProvider implements KubeAuthProvider {

  @Override
  public ConfigMethod method() {
    return ConfigMethod.GKE;
  }

  @Override
  public KubeAuth create(Map<String, String> params) {
    return new FakeAuth(params);
  }

  /** What the fake provider returns, keeping the parameters for assertions. */
  public static final class FakeAuth implements KubeAuth {
    final Map<String, String> params;

    FakeAuth(Map<String, String> params) {
      this.params = params;
    }

    @Override
    public Config resolve() {
      Config config = Config.empty();
      config.setMasterUrl("https://gke.invalid/" + params.get(PARAM_CLUSTER_NAME));
      return config;
    }
  }
}
