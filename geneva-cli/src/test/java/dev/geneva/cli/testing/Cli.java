package dev.geneva.cli.testing;

import dev.geneva.cli.GenevaCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code geneva} command in this JVM with captured output. */
public final class Cli {
  private Cli() {}

  /**
   * What a run printed and returned.
   *
   * @param exit the exit code
   * @param out standard output
   * @param err standard error
   */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
    }
  }

  /**
   * Runs {@code geneva args...}.
   *
   * @param args the arguments
   * @return the result
   */
  public static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        GenevaCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
