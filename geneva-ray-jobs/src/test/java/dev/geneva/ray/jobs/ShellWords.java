package dev.geneva.ray.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits a {@code /bin/sh} command line into words the way the shell would, for the forms the
 * entrypoint uses: single quotes, double quotes, {@code $VAR} in double quotes and bare words.
 * Shared with geneva-ray's in-process driver through the test-jar.
 */
public final class ShellWords {
  private ShellWords() {}

  /**
   * Splits a command line.
   *
   * @param cmd the command
   * @param env the values of {@code $VAR}s
   * @return the words
   */
  public static List<String> split(String cmd, Map<String, String> env) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < cmd.length(); i++) {
      char c = cmd.charAt(i);
      if (c == '\'') {
        int end = cmd.indexOf('\'', i + 1);
        w.append(cmd, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == '"') {
        int end = i + 1;
        int depth = 0;
        while (end < cmd.length() && (cmd.charAt(end) != '"' || depth > 0)) {
          if (cmd.startsWith("$(", end)) {
            depth++;
            end++;
          } else if (cmd.charAt(end) == '(' && depth > 0) {
            depth++;
          } else if (cmd.charAt(end) == ')' && depth > 0) {
            depth--;
          }
          end++;
        }
        String inner = cmd.substring(i + 1, end);
        for (var e : env.entrySet()) {
          inner =
              inner
                  .replace("\"$" + e.getKey() + "\"", e.getValue())
                  .replace("$" + e.getKey(), e.getValue());
        }
        w.append(inner);
        i = end;
        inWord = true;
      } else if (c == '\\' && i + 1 < cmd.length()) {
        w.append(cmd.charAt(++i));
        inWord = true;
      } else if (c == ' ') {
        if (inWord) {
          words.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(w.toString());
    }
    return words;
  }
}
