package dev.geneva.k8s.internal;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.Map;
import java.util.Optional;

/**
 * The optional RayCluster fields the installed KubeRay knows, read from its CRD's {@code ray.io/v1}
 * schema, so Geneva renders only fields the API server keeps (it silently prunes the others).
 *
 * @param workerGroupIdleTimeout whether {@code workerGroupSpecs[].idleTimeoutSeconds} exists
 *     (KubeRay 1.3 and newer)
 * @param source where this was learnt, for messages
 */
public record KubeRayFeatures(boolean workerGroupIdleTimeout, String source) {
  /** What the oldest supported KubeRay (1.1) has: used when the CRD cannot be read. */
  public static final KubeRayFeatures OLDEST =
      new KubeRayFeatures(false, "assumed: KubeRay 1.1, the oldest supported");

  /**
   * Reads the features from a RayCluster CRD.
   *
   * @param crd the {@code rayclusters.ray.io} CRD, or null
   * @return what its {@code v1} schema has; {@link #OLDEST} when it has no readable v1 schema
   */
  public static KubeRayFeatures fromCrd(CustomResourceDefinition crd) {
    Optional<JSONSchemaProps> worker =
        Optional.ofNullable(crd)
            .map(CustomResourceDefinition::getSpec)
            .flatMap(
                s ->
                    s.getVersions().stream()
                        .filter(v -> "v1".equals(v.getName()))
                        .map(CustomResourceDefinitionVersion::getSchema)
                        .filter(java.util.Objects::nonNull)
                        .findFirst())
            .map(s -> s.getOpenAPIV3Schema())
            .map(p -> property(p, "spec"))
            .map(p -> property(p, "workerGroupSpecs"))
            .map(p -> p.getItems() == null ? null : p.getItems().getSchema());
    if (worker.isEmpty()) {
      return OLDEST;
    }
    return new KubeRayFeatures(
        property(worker.get(), "idleTimeoutSeconds") != null, "the installed RayCluster CRD");
  }

  private static JSONSchemaProps property(JSONSchemaProps p, String name) {
    if (p == null) {
      return null;
    }
    Map<String, JSONSchemaProps> props = p.getProperties();
    return props == null ? null : props.get(name);
  }
}
