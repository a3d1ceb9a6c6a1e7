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
    return fromClusterSpec(v1Spec(crd), "the installed RayCluster CRD");
  }

  /**
   * Reads the features of the RayCluster a RayJob creates, from a RayJob CRD (its {@code
   * spec.rayClusterSpec} is the RayCluster's spec of the same KubeRay).
   *
   * @param crd the {@code rayjobs.ray.io} CRD, or null
   * @return what its {@code v1} schema's {@code rayClusterSpec} has; {@link #OLDEST} when it has no
   *     readable v1 schema
   */
  public static KubeRayFeatures fromRayJobCrd(CustomResourceDefinition crd) {
    return fromClusterSpec(
        v1Spec(crd).map(p -> property(p, "rayClusterSpec")), "the installed RayJob CRD");
  }

  /**
   * The {@code spec} schema of a CRD's {@code v1} version.
   *
   * @param crd the CRD, or null
   * @return the schema, when the CRD has a readable v1 version
   */
  public static Optional<JSONSchemaProps> v1Spec(CustomResourceDefinition crd) {
    return Optional.ofNullable(crd)
        .map(CustomResourceDefinition::getSpec)
        .flatMap(
            s ->
                s.getVersions().stream()
                    .filter(v -> "v1".equals(v.getName()))
                    .map(CustomResourceDefinitionVersion::getSchema)
                    .filter(java.util.Objects::nonNull)
                    .findFirst())
        .map(s -> s.getOpenAPIV3Schema())
        .map(p -> property(p, "spec"));
  }

  private static KubeRayFeatures fromClusterSpec(
      Optional<JSONSchemaProps> clusterSpec, String source) {
    Optional<JSONSchemaProps> worker =
        clusterSpec
            .map(p -> property(p, "workerGroupSpecs"))
            .map(p -> p.getItems() == null ? null : p.getItems().getSchema());
    if (worker.isEmpty()) {
      return OLDEST;
    }
    return new KubeRayFeatures(property(worker.get(), "idleTimeoutSeconds") != null, source);
  }

  /**
   * A property of an object schema.
   *
   * @param p the schema, or null
   * @param name the property
   * @return its schema, or null
   */
  public static JSONSchemaProps property(JSONSchemaProps p, String name) {
    if (p == null) {
      return null;
    }
    Map<String, JSONSchemaProps> props = p.getProperties();
    return props == null ? null : props.get(name);
  }
}
