package dev.geneva.k8s.admin.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Kubernetes objects as one multi-document YAML stream, for {@code kubectl apply -f -}. Not API.
 */
public final class YamlStream {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private YamlStream() {}

  /**
   * The objects as YAML documents, each starting with {@code ---}.
   *
   * @param objects the objects, in order
   * @return the YAML
   */
  public static String of(List<HasMetadata> objects) {
    return objects.stream()
        .map(o -> stripDocumentStart(SERIALIZATION.asYaml(o)))
        .collect(Collectors.joining("---\n", "---\n", ""));
  }

  private static String stripDocumentStart(String yaml) {
    return yaml.startsWith("---\n") ? yaml.substring(4) : yaml;
  }
}
