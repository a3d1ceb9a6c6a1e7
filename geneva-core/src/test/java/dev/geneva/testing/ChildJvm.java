package dev.geneva.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Flags for the child JVMs tests start and kill. Lance's JNI loader unpacks its 121 MB library into
 * {@code java.io.tmpdir} and deletes it only on a normal exit, so a killed child would leave it in
 * {@code /tmp} for good; a child's temporary directory inside the test's own is deleted with it.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * The {@code -Djava.io.tmpdir} flag of a child JVM: a directory inside {@code testDirectory}.
   *
   * @param testDirectory a directory the test deletes (a JUnit {@code @TempDir})
   * @return the flag
   */
  public static String tmpDirFlag(Path testDirectory) {
    Path tmp = testDirectory.resolve("child-java-tmp");
    try {
      Files.createDirectories(tmp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "-Djava.io.tmpdir=" + tmp;
  }
}
