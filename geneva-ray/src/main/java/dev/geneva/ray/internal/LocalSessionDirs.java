package dev.geneva.ray.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code session_local_mode_*} directories Ray LOCAL mode leaves under {@code /tmp/ray} (each
 * holds a 32 MB copy of Ray's native library, and {@code Ray.shutdown()} keeps it).
 */
public final class LocalSessionDirs {
  private static final Logger LOG = LoggerFactory.getLogger(LocalSessionDirs.class);

  /** Where Ray 2.39 puts them; fixed by Ray. */
  public static final Path DEFAULT_ROOT = Path.of("/tmp/ray");

  /** The directory name prefix. */
  public static final String PREFIX = "session_local_mode_";

  private LocalSessionDirs() {}

  /**
   * Lists the LOCAL-mode session directories under {@code root}.
   *
   * @param root usually {@link #DEFAULT_ROOT}
   * @return the directories; empty when {@code root} does not exist or cannot be read
   */
  public static Set<Path> list(Path root) {
    Set<Path> dirs = new HashSet<>();
    if (!Files.isDirectory(root)) {
      return dirs;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path p : children) {
        if (Files.isDirectory(p)) {
          dirs.add(p.toAbsolutePath().normalize());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list Ray session directories in {}: {}", root, e.toString());
    }
    return dirs;
  }

  /**
   * Deletes the session directories this JVM created: those under {@code root} that were not there
   * before Ray started and whose name ends with this process's id (Ray names them {@code
   * session_local_mode_<time>_<pid>}). Never throws: failures are logged.
   *
   * @param root usually {@link #DEFAULT_ROOT}
   * @param before the listing taken before {@code Ray.init()}
   * @return the directories deleted
   */
  public static List<Path> deleteNew(Path root, Set<Path> before) {
    String pidSuffix = "_" + ProcessHandle.current().pid();
    List<Path> deleted =
        list(root).stream()
            .filter(p -> !before.contains(p))
            .filter(p -> p.getFileName().toString().endsWith(pidSuffix))
            .sorted()
            .toList();
    for (Path dir : deleted) {
      deleteTree(dir);
    }
    return deleted;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
      LOG.debug("deleted Ray session directory {}", dir);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot delete Ray session directory {}: {}", dir, e.toString());
    }
  }
}
