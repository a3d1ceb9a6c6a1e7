package dev.geneva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The standalone BOM keeps up with the build: same version as the parent, every library module
 * managed, no third-party pins, and the README's import snippet names it.
 */
class BomTest {
  private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

  @Test
  void bomManagesEveryLibraryModuleAtTheParentVersion() throws Exception {
    String parent = Files.readString(Repo.root().resolve("pom.xml"));
    String bom = Files.readString(Repo.root().resolve("geneva-bom/pom.xml"));
    String version = first(parent, "<version>([^<]+)</version>");
    assertThat(first(bom, "<geneva.version>([^<]+)</geneva.version>")).isEqualTo(version);
    assertThat(first(bom, "<version>([^<]+)</version>")).isEqualTo(version);
    assertThat(Pattern.compile("<parent>\\s*<groupId>").matcher(bom).find()).isFalse();

    List<String> libraries = new ArrayList<>();
    Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
    while (modules.find()) {
      String m = modules.group(1);
      // The CLI is an application (a runnable jar), not a library users depend on.
      if (m.startsWith("geneva-") && !m.equals("geneva-bom") && !m.equals("geneva-cli")) {
        libraries.add(m);
      }
    }
    String managed =
        bom.substring(
            bom.indexOf("<dependencyManagement>"), bom.indexOf("</dependencyManagement>"));
    List<String> artifacts = new ArrayList<>();
    Matcher a = ARTIFACT.matcher(managed);
    while (a.find()) {
      artifacts.add(a.group(1));
    }
    assertThat(artifacts).containsExactlyInAnyOrderElementsOf(libraries);
    assertThat(managed).doesNotContain("<groupId>com.", "<groupId>org.", "<groupId>io.");

    String readme = Files.readString(Repo.root().resolve("README.md"));
    assertThat(readme)
        .contains("<artifactId>geneva-bom</artifactId>")
        .contains("<version>" + version + "</version>");
  }

  private static String first(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }
}
