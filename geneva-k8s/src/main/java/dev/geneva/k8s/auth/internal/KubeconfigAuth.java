package dev.geneva.k8s.auth.internal;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link KubeAuth#kubeconfig(Path, String)}: checks the files and the context with messages that
 * name them, then lets fabric8 build the configuration (including exec credential plugins and their
 * refresh). Not API.
 */
public final class KubeconfigAuth implements KubeAuth {
  private final Path file;
  private final String context;

  /**
   * Creates the auth.
   *
   * @param file the kubeconfig file, or null for {@code KUBECONFIG} / {@code ~/.kube/config}
   * @param context the context, or null for the current context
   */
  public KubeconfigAuth(Path file, String context) {
    if (context != null && context.isBlank()) {
      throw new InvalidInputException(
          "KubeAuth.kubeconfig context is blank: pass a context name from `kubectl config"
              + " get-contexts`, or null for the kubeconfig's current-context");
    }
    this.file = file;
    this.context = context;
  }

  @Override
  public Config resolve() {
    List<File> files = files();
    Set<String> contexts = new LinkedHashSet<>();
    Set<String> clusters = new LinkedHashSet<>();
    String current = null;
    for (File f : files) {
      io.fabric8.kubernetes.api.model.Config parsed = parse(f);
      for (NamedContext c : nullToEmpty(parsed.getContexts())) {
        contexts.add(c.getName());
      }
      for (NamedCluster c : nullToEmpty(parsed.getClusters())) {
        clusters.add(c.getName());
      }
      String fileCurrent = parsed.getCurrentContext();
      if (current == null && fileCurrent != null && !fileCurrent.isBlank()) {
        current = fileCurrent;
      }
    }
    String where = describe(files);
    String effective = context != null ? context : current;
    if (effective == null) {
      throw new InvalidInputException(
          "kubeconfig "
              + where
              + " has no current-context: pass a context to KubeAuth.kubeconfig(file, context)"
              + " (available contexts: "
              + contexts
              + ") or run `kubectl config use-context <name>`");
    }
    if (!contexts.contains(effective)) {
      throw new InvalidInputException(
          "kubeconfig context '"
              + effective
              + "' not found in "
              + where
              + "; available contexts: "
              + contexts
              + ". Pass one of them to KubeAuth.kubeconfig(file, context), or run `kubectl config"
              + " get-contexts` to see them");
    }
    Config config;
    try {
      config =
          files.size() == 1
              ? Config.fromKubeconfig(effective, files.get(0))
              : Config.autoConfigure(effective);
    } catch (RuntimeException e) {
      // fabric8's messages may quote the file; keep only the type so no credential leaks.
      throw new GenevaException(
          "could not load kubeconfig "
              + where
              + " at context '"
              + effective
              + "' ("
              + e.getClass().getSimpleName()
              + "): check the context's cluster and user entries with `kubectl config view`");
    }
    String cluster =
        config.getCurrentContext() == null || config.getCurrentContext().getContext() == null
            ? null
            : config.getCurrentContext().getContext().getCluster();
    if (cluster == null || !clusters.contains(cluster)) {
      throw new InvalidInputException(
          "kubeconfig context '"
              + effective
              + "' in "
              + where
              + " refers to cluster '"
              + cluster
              + "', which is not defined there; defined clusters: "
              + clusters
              + ". Fix the context or regenerate the kubeconfig (aws eks update-kubeconfig, gcloud"
              + " container clusters get-credentials)");
    }
    return config;
  }

  private List<File> files() {
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new InvalidInputException(
            "kubeconfig file "
                + file.toAbsolutePath()
                + " does not exist or is not a regular file: pass an existing file to"
                + " KubeAuth.kubeconfig(file, context), or null for KUBECONFIG / ~/.kube/config");
      }
      return List.of(file.toFile());
    }
    List<File> found = new ArrayList<>();
    List<String> looked = new ArrayList<>();
    for (String name : Config.getKubeconfigFilenames()) {
      looked.add(name);
      File f = new File(name);
      if (f.isFile()) {
        found.add(f);
      }
    }
    if (found.isEmpty()) {
      throw new GenevaException(
          "no kubeconfig found (looked at "
              + looked
              + "): set KUBECONFIG, create one with `aws eks update-kubeconfig` or `gcloud container"
              + " clusters get-credentials`, pass a file to KubeAuth.kubeconfig(file, context), or"
              + " use KubeAuth.inCluster() inside a pod or ConfigMethod.EKS_AUTH / GKE");
    }
    return found;
  }

  private static io.fabric8.kubernetes.api.model.Config parse(File f) {
    try {
      return KubeConfigUtils.parseConfig(f);
    } catch (RuntimeException e) {
      // Parser messages may quote the offending line, which can hold a token: keep only the type.
      throw new InvalidInputException(
          "kubeconfig file "
              + f.getAbsolutePath()
              + " is not a valid kubeconfig ("
              + e.getClass().getSimpleName()
              + "): check it with `kubectl --kubeconfig "
              + f.getAbsolutePath()
              + " config view` or regenerate it");
    }
  }

  private static String describe(List<File> files) {
    return files.size() == 1
        ? files.get(0).getAbsolutePath()
        : files.stream().map(File::getAbsolutePath).toList().toString();
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  @Override
  public String toString() {
    return "KubeAuth.kubeconfig(file="
        + (file == null ? "KUBECONFIG or ~/.kube/config" : file)
        + ", context="
        + (context == null ? "current" : context)
        + ")";
  }
}
