package dev.geneva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of README.md and docs/*.md either equals (whitespace aside) a region
 * between {@code // docs:begin <name>} and {@code // docs:end <name>} in the examples' compiled
 * sources, or is preceded by {@code <!-- not compiled: reason -->}.
 */
class DocsSnippetsTest {
  private static final Pattern BEGIN = Pattern.compile("^\\s*// docs:begin (\\S+)\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// docs:end (\\S+)\\s*$");
  private static final Pattern NOT_COMPILED = Pattern.compile("<!-- not compiled: [^>]+-->\\s*$");

  static String normalize(String code) {
    return code.replaceAll("\\s+", " ").trim();
  }

  static Map<String, String> regions() throws IOException {
    Map<String, String> regions = new HashMap<>();
    Path sources = Repo.root().resolve("examples/src/main/java");
    List<Path> files;
    try (Stream<Path> s = Files.walk(sources)) {
      files = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      String open = null;
      StringBuilder body = new StringBuilder();
      for (String line : lines) {
        Matcher b = BEGIN.matcher(line);
        Matcher e = END.matcher(line);
        if (b.matches()) {
          assertThat(open).as("nested region in %s", f).isNull();
          open = b.group(1);
          body.setLength(0);
        } else if (e.matches()) {
          assertThat(e.group(1)).as("docs:end in %s", f).isEqualTo(open);
          assertThat(regions.put(open, body.toString())).as("region %s twice", open).isNull();
          open = null;
        } else if (open != null) {
          body.append(line).append('\n');
        }
      }
      assertThat(open).as("unclosed region in %s", f).isNull();
    }
    return regions;
  }

  record Block(Path file, int line, String code, boolean notCompiled) {}

  static List<Block> javaBlocks() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(Repo.root().resolve("README.md"));
    try (Stream<Path> s = Files.list(Repo.root().resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    List<Block> blocks = new ArrayList<>();
    for (Path doc : docs) {
      List<String> lines = Files.readAllLines(doc);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).strip().equals("```java")) {
          int start = i;
          StringBuilder code = new StringBuilder();
          for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
            code.append(lines.get(i)).append('\n');
          }
          String before = "";
          for (int j = start - 1; j >= 0; j--) {
            if (!lines.get(j).isBlank()) {
              before = lines.get(j);
              break;
            }
          }
          blocks.add(
              new Block(doc, start + 1, code.toString(), NOT_COMPILED.matcher(before).find()));
        }
      }
    }
    return blocks;
  }

  @Test
  void everyJavaBlockIsCompiledOrMarked() throws IOException {
    Map<String, String> byText = new HashMap<>();
    regions().forEach((name, body) -> byText.put(normalize(body), name));
    List<Block> blocks = javaBlocks();
    assertThat(blocks).isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (Block b : blocks) {
      if (!b.notCompiled() && !byText.containsKey(normalize(b.code()))) {
        problems.add(
            Repo.root().relativize(b.file())
                + ":"
                + b.line()
                + " matches no docs:begin/docs:end region and is not marked"
                + " <!-- not compiled: reason -->:\n"
                + b.code());
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyRegionIsShownSomewhere() throws IOException {
    List<String> shown = javaBlocks().stream().map(b -> normalize(b.code())).toList();
    List<String> unused = new ArrayList<>();
    regions()
        .forEach(
            (name, body) -> {
              if (!shown.contains(normalize(body))) {
                unused.add(name);
              }
            });
    assertThat(unused).as("regions no doc shows").isEmpty();
  }
}
