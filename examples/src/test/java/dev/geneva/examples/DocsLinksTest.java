package dev.geneva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every relative link of README.md and docs/*.md names an existing file (and heading anchor). */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$");

  static List<Path> markdown() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(Repo.root().resolve("README.md"));
    try (Stream<Path> s = Files.list(Repo.root().resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
  static String anchor(String heading) {
    String text = heading.replaceAll("`", "").strip().toLowerCase(Locale.ROOT);
    return text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  static Set<String> anchors(Path md) throws IOException {
    Set<String> out = new HashSet<>();
    boolean fence = false;
    for (String line : Files.readAllLines(md)) {
      if (line.strip().startsWith("```")) {
        fence = !fence;
      }
      Matcher h = HEADING.matcher(line);
      if (!fence && h.matches()) {
        out.add(anchor(h.group(1)));
      }
    }
    return out;
  }

  @Test
  void relativeLinksResolve() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path md : markdown()) {
      boolean fence = false;
      for (String line : Files.readAllLines(md)) {
        if (line.strip().startsWith("```")) {
          fence = !fence;
        }
        if (fence) {
          continue;
        }
        Matcher m = LINK.matcher(line);
        while (m.find()) {
          String target = m.group(1);
          if (target.matches("^[a-z]+:.*")) {
            continue; // http(s), mailto
          }
          checked++;
          int hash = target.indexOf('#');
          String file = hash < 0 ? target : target.substring(0, hash);
          String fragment = hash < 0 ? null : target.substring(hash + 1);
          Path resolved = file.isEmpty() ? md : md.getParent().resolve(file).normalize();
          if (!Files.exists(resolved)) {
            broken.add(Repo.root().relativize(md) + ": " + target + " (no such file)");
          } else if (fragment != null
              && resolved.toString().endsWith(".md")
              && !anchors(resolved).contains(fragment)) {
            broken.add(Repo.root().relativize(md) + ": " + target + " (no such heading)");
          }
        }
      }
    }
    assertThat(checked).isPositive();
    assertThat(broken).isEmpty();
  }
}
