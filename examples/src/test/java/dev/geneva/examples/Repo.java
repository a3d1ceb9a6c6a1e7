package dev.geneva.examples;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root from the examples module's test JVM. */
final class Repo {
  private Repo() {}

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.isDirectory(p.resolve("docs")) && Files.isRegularFile(p.resolve("README.md"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException(
        "repository root not found above " + Path.of("").toAbsolutePath());
  }
}
