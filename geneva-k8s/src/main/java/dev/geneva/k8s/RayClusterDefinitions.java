package dev.geneva.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.geneva.ClusterDefinition;
import dev.geneva.Connection;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.StoredCluster;
import dev.geneva.internal.meta.ClusterStore;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Stored KubeRay cluster definitions (Geneva's {@code define_cluster} / {@code list_clusters}): a
 * {@link RayClusterSpec} saved in the database under a name, so every program and the CLI ({@code
 * geneva backfill --cluster gpu-embed}) can start the same cluster.
 *
 * <pre>{@code
 * RayClusterDefinitions.define(db, "gpu-embed", spec);          // once
 * try (RayCluster c = RayCluster.builder().spec(RayClusterDefinitions.load(db, "gpu-embed"))
 *         .auth(auth).start()) { table.backfill("embedding"); } // anywhere
 * }</pre>
 *
 * <p>geneva-core stores the definition as an opaque JSON document of kind {@value #KIND}, layout
 * {@value #FORMAT_VERSION}; this class owns its layout, so core never depends on Kubernetes.
 * <b>What is stored</b>: the spec's data (name, namespace, Ray version, exit mode, timeouts,
 * port-forwarding, labels, each group's resources, image, service account, node selector,
 * tolerations, labels, annotations, env, volumes, priority class, Ray start parameters, replicas).
 * <b>What is not</b>: credentials and wiring that belong to the program (the {@code KubeAuth}, job
 * options and storage options are not part of the spec). A spec holding code (readiness checks, a
 * pod template override, a custom port forwarder) or an environment variable named like a secret
 * ({@code *PASSWORD*, *SECRET*, *TOKEN*, *CREDENTIAL*, *_KEY}) is refused: pass secrets through
 * Kubernetes Secrets (a volume) or workload identity instead.
 */
public final class RayClusterDefinitions {
  /** The kind of the stored documents. */
  public static final String KIND = "ray.io/RayCluster";

  /** The layout version this class writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|_KEY$|APIKEY|API_KEY).*");

  private RayClusterDefinitions() {}

  /**
   * Stores a cluster spec in the database under a name, replacing an earlier one.
   *
   * @param connection the database
   * @param name 1 to 63 lower-case letters, digits and '-'
   * @param spec the spec
   * @throws InvalidInputException before anything is written, for a bad name or a spec that holds
   *     code or a secret-like environment variable
   */
  public static void define(Connection connection, String name, RayClusterSpec spec) {
    ClusterStore.checkName(name);
    connection.defineCluster(name, of(spec));
  }

  /**
   * The spec as a definition {@link Connection#defineCluster} stores.
   *
   * @param spec the spec
   * @return the definition
   * @throws InvalidInputException for a spec that cannot be stored (see the class comment)
   */
  public static ClusterDefinition of(RayClusterSpec spec) {
    String json = toJson(spec);
    return new ClusterDefinition() {
      @Override
      public String kind() {
        return KIND;
      }

      @Override
      public int formatVersion() {
        return FORMAT_VERSION;
      }

      @Override
      public String toJson() {
        return json;
      }
    };
  }

  /**
   * Reads a stored spec.
   *
   * @param connection the database
   * @param name the name it was defined under
   * @return the spec
   * @throws InvalidInputException when no definition has that name (naming those that exist), or it
   *     is not a KubeRay cluster
   */
  public static RayClusterSpec load(Connection connection, String name) {
    StoredCluster stored =
        connection
            .cluster(name)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "no cluster definition named '"
                            + name
                            + "' in "
                            + dev.geneva.internal.lance.UriRedaction.redact(connection.uri())
                            + "; defined: "
                            + names(connection)
                            + ". Define it with RayClusterDefinitions.define(db, \""
                            + name
                            + "\", spec)"));
    ClusterStore.checkKind(stored, KIND, FORMAT_VERSION);
    return fromJson(stored.name(), stored.json());
  }

  /**
   * The names of the stored KubeRay cluster definitions.
   *
   * @param connection the database
   * @return the names, sorted
   */
  public static List<String> names(Connection connection) {
    return connection.clusters().stream()
        .filter(c -> c.kind().equals(KIND))
        .map(StoredCluster::name)
        .toList();
  }

  /**
   * The document stored for a spec.
   *
   * @param spec the spec
   * @return the JSON
   */
  static String toJson(RayClusterSpec spec) {
    if (!spec.readinessChecks().stream()
        .map(Object::getClass)
        .toList()
        .equals(ReadinessCheck.defaults().stream().map(Object::getClass).toList())) {
      throw refuse(
          spec,
          "it has other readiness checks than the default ones, and checks are code; store it"
              + " with the defaults and set yours when starting:"
              + " RayCluster.builder().spec(loaded).readinessChecks(...)");
    }
    if (spec.portForwarder().getClass() != PortForwarder.fabric8().getClass()) {
      throw refuse(
          spec,
          "it has a port forwarder other than the default one, which is code; store it with the"
              + " default and set yours when starting");
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("name", spec.name());
    root.put("namespace", spec.namespace());
    root.put("rayVersion", spec.rayVersion());
    root.put("exitMode", spec.exitMode().name());
    root.put("waitTimeoutSeconds", spec.waitTimeout().toSeconds());
    root.put("deleteTimeoutSeconds", spec.deleteTimeout().toSeconds());
    root.put("portForwarding", spec.portForwarding());
    root.put("forwardClientPort", spec.forwardClientPort());
    root.put("reuseExisting", spec.reuseExisting());
    spec.idleTimeout().ifPresent(d -> root.put("idleTimeoutSeconds", d.toSeconds()));
    root.set("labels", JSON.valueToTree(spec.labels()));
    root.set("headGroup", group(spec, spec.headGroup()));
    ArrayNode workers = root.putArray("workerGroups");
    for (WorkerGroupSpec w : spec.workerGroups()) {
      ObjectNode g = group(spec, w);
      g.put("name", w.name());
      g.put("replicas", w.replicas());
      g.put("minReplicas", w.minReplicas());
      g.put("maxReplicas", w.maxReplicas());
      g.put("idleTimeoutSeconds", w.idleTimeout().toSeconds());
      workers.add(g);
    }
    return root.toString();
  }

  private static ObjectNode group(RayClusterSpec spec, GroupSpec g) {
    if (g.podTemplateOverride().isPresent()) {
      throw refuse(spec, "group '" + g.name() + "' has a pod template override, which is code");
    }
    for (String env : g.env().keySet()) {
      if (SECRET_NAME.matcher(env.toUpperCase(Locale.ROOT)).matches()) {
        throw refuse(
            spec,
            "group '"
                + g.name()
                + "' sets the environment variable "
                + env
                + ", which looks like a secret and would be readable by anyone who can read"
                + " the database; mount a Kubernetes Secret as a volume or use workload identity");
      }
    }
    ObjectNode n = JSON.createObjectNode();
    g.serviceAccount().ifPresent(sa -> n.put("serviceAccount", sa));
    n.put("cpus", g.cpus());
    n.put("memory", g.memory());
    n.put("gpus", g.gpus());
    if (g.imageSet()) {
      n.put("image", g.image());
    }
    n.put("imagePullPolicy", g.imagePullPolicy());
    n.set("nodeSelector", JSON.valueToTree(g.nodeSelector()));
    n.set("labels", JSON.valueToTree(g.labels()));
    n.set("annotations", JSON.valueToTree(g.annotations()));
    n.set("env", JSON.valueToTree(g.env()));
    n.set("rayStartParams", JSON.valueToTree(g.rayStartParams()));
    g.priorityClassName().ifPresent(p -> n.put("priorityClassName", p));
    n.set("tolerations", kube(g.tolerations()));
    n.set("volumes", kube(g.volumes()));
    n.set("volumeMounts", kube(g.volumeMounts()));
    return n;
  }

  private static JsonNode kube(List<?> models) {
    try {
      return JSON.readTree(KUBE.asJson(models));
    } catch (IOException e) {
      throw new GenevaException("cannot encode " + models + ": " + e.getMessage(), e);
    }
  }

  private static InvalidInputException refuse(RayClusterSpec spec, String why) {
    return new InvalidInputException(
        "RayClusterSpec '" + spec.name() + "' cannot be stored as a cluster definition: " + why);
  }

  /**
   * The spec a stored document describes.
   *
   * @param name the definition's name, for messages
   * @param json the document
   * @return the spec
   */
  static RayClusterSpec fromJson(String name, String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new GenevaException(
          "cluster definition '" + name + "' is not valid JSON: " + e.getMessage(), e);
    }
    RayClusterSpec.Builder b =
        RayClusterSpec.builder()
            .name(root.path("name").asText())
            .namespace(root.path("namespace").asText())
            .rayVersion(root.path("rayVersion").asText())
            .exitMode(ExitMode.valueOf(root.path("exitMode").asText()))
            .waitTimeout(Duration.ofSeconds(root.path("waitTimeoutSeconds").asLong()))
            .deleteTimeout(Duration.ofSeconds(root.path("deleteTimeoutSeconds").asLong()))
            .portForwarding(root.path("portForwarding").asBoolean())
            .forwardClientPort(root.path("forwardClientPort").asBoolean())
            .reuseExisting(root.path("reuseExisting").asBoolean())
            .labels(strings(root.path("labels")));
    if (root.has("idleTimeoutSeconds")) {
      b.idleTimeout(Duration.ofSeconds(root.path("idleTimeoutSeconds").asLong()));
    }
    b.headGroup(fill(HeadGroupSpec.builder(), root.path("headGroup")).build());
    for (JsonNode w : root.path("workerGroups")) {
      WorkerGroupSpec.Builder wb =
          fill(WorkerGroupSpec.builder(), w)
              .name(w.path("name").asText())
              .minReplicas(w.path("minReplicas").asInt())
              .maxReplicas(w.path("maxReplicas").asInt())
              .replicas(w.path("replicas").asInt())
              .idleTimeout(Duration.ofSeconds(w.path("idleTimeoutSeconds").asLong()));
      b.workerGroup(wb.build());
    }
    return b.build();
  }

  private static <S extends GroupSpec, B extends GroupSpec.Builder<S, B>> B fill(B b, JsonNode n) {
    if (n.has("serviceAccount")) {
      b.serviceAccount(n.path("serviceAccount").asText());
    }
    b.cpus(n.path("cpus").asText()).memory(n.path("memory").asText()).gpus(n.path("gpus").asInt());
    if (n.has("image")) {
      b.image(n.path("image").asText());
    }
    b.imagePullPolicy(n.path("imagePullPolicy").asText());
    b.nodeSelector(strings(n.path("nodeSelector")));
    b.labels(strings(n.path("labels")));
    b.annotations(strings(n.path("annotations")));
    b.env(strings(n.path("env")));
    strings(n.path("rayStartParams")).forEach(b::rayStartParam);
    if (n.has("priorityClassName")) {
      b.priorityClassName(n.path("priorityClassName").asText());
    }
    for (JsonNode t : n.path("tolerations")) {
      b.toleration(KUBE.unmarshal(t.toString(), Toleration.class));
    }
    for (JsonNode v : n.path("volumes")) {
      b.volume(KUBE.unmarshal(v.toString(), Volume.class));
    }
    for (JsonNode m : n.path("volumeMounts")) {
      b.volumeMount(KUBE.unmarshal(m.toString(), VolumeMount.class));
    }
    return b;
  }

  private static Map<String, String> strings(JsonNode n) {
    Map<String, String> m = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }
}
