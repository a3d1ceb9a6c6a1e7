package dev.geneva.k8s.auth.internal;

import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.client.Config;
import java.util.function.Supplier;

/**
 * A {@link KubeAuth} over a supplier, with a {@code toString()} that describes it without
 * credentials. Not API: use the factories on {@link KubeAuth}.
 */
public final class FixedAuth implements KubeAuth {
  private final String description;
  private final Supplier<Config> config;

  /**
   * Creates the auth.
   *
   * @param description what {@code toString()} shows; must hold no secret
   * @param config supplies the configuration
   */
  public FixedAuth(String description, Supplier<Config> config) {
    this.description = description;
    this.config = config;
  }

  @Override
  public Config resolve() {
    return config.get();
  }

  @Override
  public String toString() {
    return description;
  }
}
