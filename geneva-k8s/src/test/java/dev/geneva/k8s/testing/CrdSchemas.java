package dev.geneva.k8s.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code ray.io/v1} openAPI schemas of the vendored KubeRay CRDs, made strict (unknown fields
 * rejected wherever the schema lists properties), since the API server would silently prune them.
 */
public final class CrdSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  private CrdSchemas() {}

  /**
   * Serialises a resource as the API server would receive it.
   *
   * @param resource e.g. a rendered RayCluster
   * @return its JSON tree
   */
  public static JsonNode json(Object resource) {
    try {
      return JSON.readTree(new KubernetesSerialization().asJson(resource));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Validates a RayCluster against one KubeRay version's schema.
   *
   * @param version one of {@link KubeRayCrds#VERSIONS}
   * @param rayCluster the resource's JSON
   * @return the problems, empty when valid
   */
  public static Set<ValidationMessage> validate(String version, JsonNode rayCluster) {
    return schema(KubeRayCrds.RAYCLUSTERS, version).validate(rayCluster);
  }

  /**
   * Validates a RayJob against one KubeRay version's schema.
   *
   * @param version one of {@link KubeRayCrds#VERSIONS}
   * @param rayJob the resource's JSON
   * @return the problems, empty when valid
   */
  public static Set<ValidationMessage> validateRayJob(String version, JsonNode rayJob) {
    return schema(KubeRayCrds.RAYJOBS, version).validate(rayJob);
  }

  private static JsonSchema schema(String plural, String version) {
    return SCHEMAS.computeIfAbsent(
        plural + ":" + version,
        k -> {
          String v = version;
          try {
            JsonNode crd = new YAMLMapper().readTree(KubeRayCrds.resource(plural, v));
            JsonNode schema = null;
            for (JsonNode ver : crd.at("/spec/versions")) {
              if ("v1".equals(ver.get("name").asText())) {
                schema = ver.at("/schema/openAPIV3Schema");
              }
            }
            if (schema == null) {
              throw new IllegalStateException(
                  "no ray.io/v1 schema in KubeRay " + v + " " + plural + " CRD");
            }
            strict(schema);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static void strict(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      if (o.has("properties")
          && !o.has("additionalProperties")
          && !o.has("x-kubernetes-preserve-unknown-fields")) {
        o.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        strict(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(CrdSchemas::strict);
    }
  }
}
