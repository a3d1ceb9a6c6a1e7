package dev.geneva.cli;

import dev.geneva.Connection;
import dev.geneva.GenevaException;
import dev.geneva.StoredCluster;
import dev.geneva.k8s.GroupSpec;
import dev.geneva.k8s.RayClusterDefinitions;
import dev.geneva.k8s.RayClusterSpec;
import dev.geneva.k8s.WorkerGroupSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code geneva clusters definitions list|show|drop --db URI}: the cluster specs stored in a
 * database ({@link RayClusterDefinitions}), which {@code geneva backfill --cluster NAME} starts.
 * Environment variables are shown by name only: their values could be secrets under harmless names.
 */
@Command(
    name = "definitions",
    mixinStandardHelpOptions = true,
    description =
        "Lists, shows and drops the cluster definitions stored in a database"
            + " (RayClusterDefinitions.define), used by geneva backfill --cluster NAME.",
    subcommands = {
      ClusterDefinitionsCommand.ListDefinitions.class,
      ClusterDefinitionsCommand.ShowDefinition.class,
      ClusterDefinitionsCommand.DropDefinition.class
    })
public final class ClusterDefinitionsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public ClusterDefinitionsCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand: list, show or drop");
  }

  /** A stored definition for printing: the spec's shape, never env values or pod internals. */
  static Map<String, Object> describe(Connection conn, StoredCluster stored) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", stored.name());
    m.put("definedAt", stored.definedAt().toString());
    if (!stored.kind().equals(RayClusterDefinitions.KIND)) {
      m.put("kind", stored.kind());
      m.put("error", "not a KubeRay cluster definition; not shown");
      return m;
    }
    RayClusterSpec spec;
    try {
      spec = RayClusterDefinitions.load(conn, stored.name());
    } catch (GenevaException e) {
      // Not the message: a parser's message may quote the document.
      m.put(
          "error",
          "unreadable ("
              + e.getClass().getSimpleName()
              + "); RayClusterDefinitions.load(db, \""
              + stored.name()
              + "\") says why");
      return m;
    }
    m.put("cluster", spec.namespace() + "/" + spec.name());
    m.put("rayVersion", spec.rayVersion());
    m.put("exitMode", spec.exitMode().name());
    m.put("head", group(spec.headGroup()));
    List<Map<String, Object>> workers = new ArrayList<>();
    spec.workerGroups().forEach(w -> workers.add(group(w)));
    m.put("workerGroups", workers);
    return m;
  }

  private static Map<String, Object> group(GroupSpec g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", g.name());
    if (g instanceof WorkerGroupSpec w) {
      m.put("replicas", w.minReplicas() + ".." + w.maxReplicas());
    }
    m.put("cpus", g.cpus());
    m.put("memory", g.memory());
    m.put("gpus", g.gpus());
    m.put("image", g.image());
    m.put("serviceAccount", g.serviceAccount().orElse(null));
    m.put("env", List.copyOf(g.env().keySet()));
    return m;
  }

  /** One line per group: {@code name cpus/memory[/gpus] [min..max] image}. */
  private static String groupLine(Object group) {
    @SuppressWarnings("unchecked")
    Map<String, Object> g = (Map<String, Object>) group;
    return g.get("name")
        + " "
        + (g.containsKey("replicas") ? g.get("replicas") + " x " : "")
        + g.get("cpus")
        + " CPU, "
        + g.get("memory")
        + (((Integer) g.get("gpus")) > 0 ? ", " + g.get("gpus") + " GPU" : "")
        + ", "
        + g.get("image");
  }

  /** {@code geneva clusters definitions list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the stored cluster definitions.")
  public static final class ListDefinitions implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin DatabaseOptions database;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the command (picocli instantiates it). */
    public ListDefinitions() {}

    @Override
    public Integer call() {
      List<Map<String, Object>> defs;
      try (Connection conn = database.connectExisting()) {
        defs = conn.clusters().stream().map(c -> describe(conn, c)).toList();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.write(defs));
      } else {
        out.printf("%-24s %-32s %-10s %-28s %s%n", "NAME", "CLUSTER", "RAY", "DEFINED", "WORKERS");
        for (Map<String, Object> d : defs) {
          out.printf(
              "%-24s %-32s %-10s %-28s %s%n",
              d.get("name"),
              d.getOrDefault("cluster", "-"),
              d.getOrDefault("rayVersion", "-"),
              d.get("definedAt"),
              d.containsKey("error")
                  ? d.get("error")
                  : String.join(
                      "; ",
                      ((List<?>) d.get("workerGroups"))
                          .stream().map(ClusterDefinitionsCommand::groupLine).toList()));
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code geneva clusters definitions show NAME}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Shows one stored cluster definition: groups, resources, images (environment variables"
              + " by name only).")
  public static final class ShowDefinition implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "NAME", description = "The definition's name.")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the command (picocli instantiates it). */
    public ShowDefinition() {}

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (Connection conn = database.connectExisting()) {
        var stored = conn.cluster(name);
        if (stored.isEmpty()) {
          return PackagesCommand.notFound(spec, "cluster", name, RayClusterDefinitions.names(conn));
        }
        Map<String, Object> d = describe(conn, stored.get());
        if (json) {
          out.println(Json.write(d));
        } else {
          for (var e : d.entrySet()) {
            switch (e.getKey()) {
              case "head" -> out.printf("%-12s %s%n", "head:", groupLine(e.getValue()));
              case "workerGroups" -> {
                for (Object w : (List<?>) e.getValue()) {
                  out.printf("%-12s %s%n", "workers:", groupLine(w));
                }
              }
              default -> out.printf("%-12s %s%n", e.getKey() + ":", e.getValue());
            }
          }
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code geneva clusters definitions drop NAME}. */
  @Command(
      name = "drop",
      mixinStandardHelpOptions = true,
      description =
          "Deletes a stored cluster definition (not a running cluster; earlier versions stay in the"
              + " table's Lance history).")
  public static final class DropDefinition implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "NAME", description = "The definition's name.")
    String name;

    /** Creates the command (picocli instantiates it). */
    public DropDefinition() {}

    @Override
    public Integer call() {
      try (Connection conn = database.connectExisting()) {
        if (!conn.dropCluster(name)) {
          return PackagesCommand.notFound(spec, "cluster", name, RayClusterDefinitions.names(conn));
        }
      }
      spec.commandLine().getOut().println("dropped cluster definition " + name);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
