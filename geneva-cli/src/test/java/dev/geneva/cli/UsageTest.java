package dev.geneva.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cli.testing.Cli;
import dev.geneva.cli.testing.Cli.Result;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class UsageTest {

  static Stream<String> commandPaths() {
    CommandLine root =
        GenevaCli.commandLine(
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<String> paths = new ArrayList<>();
    collect(root, "", paths);
    return paths.stream();
  }

  private static void collect(CommandLine cl, String prefix, List<String> paths) {
    paths.add(prefix.strip());
    cl.getSubcommands().forEach((name, sub) -> collect(sub, prefix + " " + name, paths));
  }

  @ParameterizedTest(name = "geneva {0} --help")
  @MethodSource("commandPaths")
  void help_whenAskedOfAnyCommand_printsUsageAndExitsZero(String path) {
    List<String> args = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
    args.add("--help");
    Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Usage: geneva" + (path.isEmpty() ? "" : " " + path));
  }

  @Test
  void commandPaths_whenListed_coverEveryCommand() {
    assertThat(commandPaths().toList())
        .contains(
            "doctor",
            "manifests",
            "clusters list",
            "clusters delete",
            "clusters reap",
            "backfill",
            "jobs list",
            "jobs status",
            "jobs logs",
            "jobs stop",
            "jobs compact");
  }

  @Test
  void run_whenCommandUnknown_exitsTwoWithMessage() {
    Result r = Cli.run("frobnicate");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("frobnicate");
  }

  @Test
  void run_whenNoCommand_exitsTwo() {
    Result r = Cli.run();
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Missing a command");
  }

  @Test
  void reap_whenOlderThanMissing_exitsTwoNamingIt() {
    Result r = Cli.run("clusters", "reap");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--older-than");
  }

  @Test
  void reap_whenDurationMalformed_exitsTwoWithExample() {
    Result r = Cli.run("clusters", "reap", "--older-than", "soon");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("'soon' is not a duration");
  }

  @Test
  void doctor_whenBucketSchemeUnknown_exitsTwo() {
    Result r = Cli.run("doctor", "--bucket", "ftp://x");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--bucket must be gs://");
  }

  @Test
  void doctor_whenEksOptionGivenToLocalMethod_exitsTwo() {
    Result r = Cli.run("doctor", "--region", "us-east-1");
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void backfill_whenArgumentsMissing_exitsTwo() {
    Result r = Cli.run("backfill", "/tmp/db");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Missing required parameters");
  }

  @Test
  void jobs_whenDashboardNotHttp_exitsTwo() {
    Result r = Cli.run("jobs", "list", "--dashboard", "localhost:8265");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--dashboard must be an http(s) URL");
  }

  @Test
  void manifests_whenEksOptionsIncomplete_exitsTwo() {
    Result r = Cli.run("manifests", "--eks-bucket", "b");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--eks-cluster-arn");
  }

  @Test
  void durations_whenShortForms_parse() {
    assertThat(Durations.parse("90s")).hasSeconds(90);
    assertThat(Durations.parse("30m")).hasMinutes(30);
    assertThat(Durations.parse("2h")).hasHours(2);
    assertThat(Durations.parse("7d")).hasDays(7);
    assertThat(Durations.parse("PT2H")).hasHours(2);
  }
}
