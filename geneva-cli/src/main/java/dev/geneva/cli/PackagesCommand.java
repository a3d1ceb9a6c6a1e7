package dev.geneva.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.geneva.Connection;
import dev.geneva.StoredPackage;
import dev.geneva.ray.jobs.JobPackageDefinitions;
import java.io.IOException;
import java.io.PrintWriter;
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
 * {@code geneva packages list|show|drop --db URI}: the job packages stored in a database ({@link
 * JobPackageDefinitions}), which {@code geneva backfill --package NAME} ships to a cluster.
 */
@Command(
    name = "packages",
    mixinStandardHelpOptions = true,
    description =
        "Lists, shows and drops the job packages stored in a database"
            + " (JobPackageDefinitions.define), used by geneva backfill --package NAME.",
    subcommands = {
      PackagesCommand.ListPackages.class,
      PackagesCommand.ShowPackage.class,
      PackagesCommand.DropPackage.class
    })
public final class PackagesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public PackagesCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand: list, show or drop");
  }

  /**
   * What a stored package holds, for printing: where its jars are, with any user info, query or
   * fragment of a URL replaced by {@code ***} (a definition written without {@link
   * JobPackageDefinitions}' checks could hold one). Read from the document itself, so that no error
   * message can echo it.
   */
  static Map<String, Object> describe(StoredPackage stored) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", stored.name());
    m.put("definedAt", stored.definedAt().toString());
    if (!stored.kind().equals(JobPackageDefinitions.KIND)
        || stored.formatVersion() > JobPackageDefinitions.FORMAT_VERSION) {
      m.put("kind", "?");
      m.put(
          "where",
          "(a document of kind "
              + stored.kind()
              + " layout "
              + stored.formatVersion()
              + ", which this Geneva cannot read)");
      return m;
    }
    JsonNode doc;
    try {
      doc = Json.MAPPER.readTree(stored.json());
    } catch (IOException e) {
      doc = Json.MAPPER.createObjectNode();
    }
    switch (doc.path("kind").asText()) {
      case "REMOTE" -> {
        m.put("kind", "remote");
        m.put("where", Redaction.uri(doc.path("uri").asText()));
      }
      case "IMAGE" -> {
        m.put("kind", "image");
        m.put("where", doc.path("directory").asText());
      }
      default -> {
        m.put("kind", "?");
        m.put("where", "(unreadable: not a package this Geneva knows)");
      }
    }
    return m;
  }

  /** {@code geneva packages list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the stored job packages.")
  public static final class ListPackages implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin DatabaseOptions database;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the command (picocli instantiates it). */
    public ListPackages() {}

    @Override
    public Integer call() {
      List<Map<String, Object>> packages;
      try (Connection conn = database.connectExisting()) {
        packages = conn.packages().stream().map(PackagesCommand::describe).toList();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.write(packages));
      } else {
        out.printf("%-24s %-8s %-28s %s%n", "NAME", "KIND", "DEFINED", "WHERE");
        for (Map<String, Object> p : packages) {
          out.printf(
              "%-24s %-8s %-28s %s%n",
              p.get("name"), p.get("kind"), p.get("definedAt"), p.get("where"));
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code geneva packages show NAME}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows one stored job package: where its jars are.")
  public static final class ShowPackage implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "NAME", description = "The package's name.")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Creates the command (picocli instantiates it). */
    public ShowPackage() {}

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (Connection conn = database.connectExisting()) {
        var stored = conn.storedPackage(name);
        if (stored.isEmpty()) {
          return notFound(spec, "job package", name, JobPackageDefinitions.names(conn));
        }
        Map<String, Object> p = describe(stored.get());
        if (json) {
          out.println(Json.write(p));
        } else {
          p.forEach((k, v) -> out.printf("%-10s %s%n", k + ":", v));
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code geneva packages drop NAME}. */
  @Command(
      name = "drop",
      mixinStandardHelpOptions = true,
      description =
          "Deletes a stored job package definition (not its jars; earlier versions stay in the"
              + " table's Lance history).")
  public static final class DropPackage implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "NAME", description = "The package's name.")
    String name;

    /** Creates the command (picocli instantiates it). */
    public DropPackage() {}

    @Override
    public Integer call() {
      try (Connection conn = database.connectExisting()) {
        if (!conn.dropPackage(name)) {
          return notFound(spec, "job package", name, JobPackageDefinitions.names(conn));
        }
      }
      spec.commandLine().getOut().println("dropped job package " + name);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** Says that no definition has the name, naming those that exist; exit code 1. */
  static int notFound(
      CommandLine.Model.CommandSpec spec, String noun, String name, List<String> defined) {
    spec.commandLine()
        .getErr()
        .println("geneva: no " + noun + " definition named '" + name + "'; defined: " + defined);
    spec.commandLine().getErr().flush();
    return ExitCodes.CHECK_FAILED;
  }
}
