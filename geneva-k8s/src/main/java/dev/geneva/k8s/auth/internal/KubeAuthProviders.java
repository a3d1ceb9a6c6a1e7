package dev.geneva.k8s.auth.internal;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.auth.KubeAuthProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/** Implements {@link KubeAuth#forMethod}: built-in methods and {@link ServiceLoader} lookup. */
public final class KubeAuthProviders {
  private KubeAuthProviders() {}

  /**
   * The class loader providers are looked up in: the thread's context class loader, else the one
   * that loaded Geneva.
   *
   * @return the class loader
   */
  public static ClassLoader defaultClassLoader() {
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    return tccl != null ? tccl : KubeAuth.class.getClassLoader();
  }

  /**
   * Resolves a method to an auth.
   *
   * @param method the method
   * @param params its parameters
   * @param loader where to look for {@link KubeAuthProvider}s
   * @return the auth
   */
  public static KubeAuth forMethod(
      ConfigMethod method, Map<String, String> params, ClassLoader loader) {
    if (method == null) {
      throw new InvalidInputException(
          "ConfigMethod is null: pass one of LOCAL, IN_CLUSTER, EKS_AUTH or GKE");
    }
    Objects.requireNonNull(params, "params (pass Map.of() for none)");
    switch (method) {
      case LOCAL:
        checkKnown(method, params, Set.of(KubeAuth.PARAM_KUBECONFIG, KubeAuth.PARAM_CONTEXT));
        String file = params.get(KubeAuth.PARAM_KUBECONFIG);
        return KubeAuth.kubeconfig(
            file == null || file.isBlank() ? null : Path.of(file),
            params.get(KubeAuth.PARAM_CONTEXT));
      case IN_CLUSTER:
        checkKnown(method, params, Set.of());
        return KubeAuth.inCluster();
      default:
        return provider(method, loader).create(Map.copyOf(params));
    }
  }

  /**
   * The one provider serving a method.
   *
   * @param method the method
   * @param loader where to look
   * @return the provider
   * @throws InvalidInputException when none or several are on the classpath
   */
  public static KubeAuthProvider provider(ConfigMethod method, ClassLoader loader) {
    List<KubeAuthProvider> found = new ArrayList<>();
    for (KubeAuthProvider p : ServiceLoader.load(KubeAuthProvider.class, loader)) {
      if (p.method() == method) {
        found.add(p);
      }
    }
    if (found.isEmpty()) {
      String module = moduleFor(method);
      throw new InvalidInputException(
          "ConfigMethod."
              + method
              + (module == null
                  ? " has no KubeAuthProvider on the classpath: add a module that registers one in"
                      + " META-INF/services/"
                      + KubeAuthProvider.class.getName()
                  : " needs "
                      + module
                      + " on the classpath: add dev.geneva:"
                      + module
                      + " to your dependencies"));
    }
    if (found.size() > 1) {
      throw new InvalidInputException(
          "ConfigMethod."
              + method
              + " is served by several KubeAuthProviders on the classpath: "
              + found.stream().map(p -> p.getClass().getName()).toList()
              + ". Keep one of them, or build the KubeAuth yourself and pass it to the cluster");
    }
    return found.get(0);
  }

  private static String moduleFor(ConfigMethod method) {
    switch (method) {
      case EKS_AUTH:
        return "geneva-cloud-aws";
      case GKE:
        return "geneva-cloud-gcp";
      default:
        return null;
    }
  }

  private static void checkKnown(ConfigMethod method, Map<String, String> params, Set<String> ok) {
    Set<String> unknown = new TreeSet<>(params.keySet());
    unknown.removeAll(ok);
    if (!unknown.isEmpty()) {
      throw new InvalidInputException(
          "ConfigMethod."
              + method
              + " does not take parameters "
              + unknown
              + "; it accepts "
              + (ok.isEmpty() ? "none" : new TreeSet<>(ok))
              + ". Remove them, or pick the ConfigMethod they belong to");
    }
  }
}
