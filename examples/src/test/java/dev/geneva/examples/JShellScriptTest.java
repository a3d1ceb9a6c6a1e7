package dev.geneva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code examples/jshell/quickstart.jsh} statement by statement in JShell (in this JVM, with
 * this test's class path), failing on a rejected snippet or an exception.
 */
class JShellScriptTest {
  @Test
  void quickstartScriptRuns() throws Exception {
    String script =
        Files.readString(Repo.root().resolve("examples/jshell/quickstart.jsh"))
            .lines()
            .filter(l -> !l.strip().startsWith("/")) // JShell commands such as /exit
            .reduce("", (a, b) -> a + b + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> problems = new ArrayList<>();
    try (JShell shell =
        JShell.builder()
            .executionEngine("local")
            .out(new PrintStream(out, true, StandardCharsets.UTF_8))
            .err(new PrintStream(out, true, StandardCharsets.UTF_8))
            .build()) {
      String cp =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      for (String entry : cp.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          shell.addToClasspath(entry);
        }
      }
      SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
      String rest = script;
      while (!rest.isBlank()) {
        SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
        String source = info.source();
        if (source == null || source.isBlank()) {
          problems.add("incomplete snippet: " + rest);
          break;
        }
        for (SnippetEvent e : shell.eval(source)) {
          if (e.status() == Snippet.Status.REJECTED) {
            problems.add(
                "rejected: "
                    + source
                    + " "
                    + shell.diagnostics(e.snippet()).map(d -> d.getMessage(null)).toList());
          }
          if (e.exception() != null) {
            problems.add("threw: " + source + " " + e.exception());
          }
        }
        rest = info.remaining();
      }
      assertThat(problems).as("output:%n%s", out.toString(StandardCharsets.UTF_8)).isEmpty();
      // The local engine prints to this JVM's System.out; read the results back instead.
      String computed =
          shell.eval("words.rowsProcessed() + embedding.rowsProcessed()").get(0).value();
      assertThat(Long.parseLong(computed)).isEqualTo(2 * 20_000L);
    }
  }
}
