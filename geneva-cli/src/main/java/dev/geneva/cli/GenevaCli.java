package dev.geneva.cli;

import dev.geneva.InvalidInputException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code geneva} command: {@code doctor}, {@code manifests}, {@code clusters}, {@code
 * backfill}, {@code jobs} and {@code packages}. Exit codes are those of {@link ExitCodes}.
 */
@Command(
    name = "geneva",
    mixinStandardHelpOptions = true,
    versionProvider = GenevaCli.Version.class,
    description =
        "Geneva for Java: check a Kubernetes setup, generate its manifests, manage"
            + " RayClusters and Ray jobs, and backfill columns locally.",
    subcommands = {
      DoctorCommand.class,
      ManifestsCommand.class,
      ClustersCommand.class,
      BackfillCommand.class,
      JobsCommand.class,
      PackagesCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok",
      "1:a check failed (doctor), the cluster or job was not found, or a followed job failed",
      "2:bad usage or input",
      "3:unexpected error",
      "4:a followed job was stopped or deleted before it ended",
      "5:a followed job had not ended by --timeout"
    })
public final class GenevaCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public GenevaCli() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
  }

  /**
   * Runs the command line on the process's stdout and stderr.
   *
   * @param args the arguments
   * @return the exit code
   */
  public static int run(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    return commandLine(out, err).execute(args);
  }

  /**
   * The configured command line: output to {@code out}, messages to {@code err}, exceptions mapped
   * to {@link ExitCodes}.
   *
   * @param out where results go
   * @param err where messages and progress go
   * @return the command line; call {@link CommandLine#execute(String...)}
   */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new GenevaCli());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(GenevaCli::exitCode);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          int code = exitCode(e);
          String what = code == ExitCodes.USAGE ? "error" : "unexpected error";
          commandLine.getErr().println("geneva: " + what + ": " + message(e));
          commandLine.getErr().flush();
          return code;
        });
    return cl;
  }

  static int exitCode(Throwable e) {
    if (e instanceof CommandLine.ParameterException
        || e instanceof InvalidInputException
        || e instanceof IllegalArgumentException) {
      return ExitCodes.USAGE;
    }
    return ExitCodes.ERROR;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getName() : m;
  }

  /** The SDK version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = GenevaCli.class.getPackage().getImplementationVersion();
      return new String[] {"geneva " + (v == null ? "(development build)" : v)};
    }
  }
}
