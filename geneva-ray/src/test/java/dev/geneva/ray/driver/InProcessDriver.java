package dev.geneva.ray.driver;

import dev.geneva.ray.RayExecutor;
import dev.geneva.ray.jobs.EntrypointBuilder;
import dev.geneva.ray.jobs.FakeRayDashboard;
import dev.geneva.ray.jobs.ShellWords;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A {@link FakeRayDashboard} job runner doing what a Ray node does with a Geneva entrypoint, in
 * this JVM: parses the shell command, and runs {@link BackfillDriver} on embedded Ray (LOCAL mode)
 * with a class loader that sees the test UDFs ({@code dev.geneva.ray.testing.*}) only when the
 * shipped package holds them. Shared with geneva-k8s's end-to-end tests through the test-jar.
 */
public final class InProcessDriver implements Function<FakeRayDashboard.JobRun, Integer> {
  private final List<List<String>> javaCommands = new CopyOnWriteArrayList<>();

  /**
   * The {@code java ...} command of every job run so far, split into words.
   *
   * @return the commands, in order
   */
  public List<List<String>> javaCommands() {
    return javaCommands;
  }

  @Override
  public Integer apply(FakeRayDashboard.JobRun run) {
    String entrypoint = run.request().path("entrypoint").asText();
    List<String> words =
        ShellWords.split(
            entrypoint, Map.of("RAY_ADDRESS", "10.0.0.1:6379", "RAY_DIST_JAR", "/ray_dist.jar"));
    List<String> java = words.subList(words.indexOf("exec") + 1, words.size());
    javaCommands.add(List.copyOf(java));
    int main = java.indexOf(EntrypointBuilder.DRIVER_CLASS);
    String[] args = java.subList(main + 1, java.size()).toArray(String[]::new);
    String pkg = run.request().path("runtime_env").path("working_dir").asText();
    Set<String> shipped = classesIn(run.dashboard().packages.get(pkg));
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(new PackageClassLoader(before, shipped));
    try {
      return BackfillDriver.run(
          args, Map.of(), run.logs(), (address, alloc) -> RayExecutor.local(alloc));
    } finally {
      t.setContextClassLoader(before);
    }
  }

  /** Class names inside the jars of a package zip. */
  private static Set<String> classesIn(byte[] zip) {
    Set<String> names = new HashSet<>();
    if (zip == null) {
      return names;
    }
    try (ZipInputStream outer = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = outer.getNextEntry()) != null; ) {
        ZipInputStream jar = new ZipInputStream(new ByteArrayInputStream(outer.readAllBytes()));
        for (ZipEntry j; (j = jar.getNextEntry()) != null; ) {
          if (j.getName().endsWith(".class")) {
            String n = j.getName();
            names.add(n.substring(0, n.length() - 6).replace('/', '.'));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** Hides test UDF classes that the shipped package does not hold. */
  private static final class PackageClassLoader extends ClassLoader {
    private final Set<String> shipped;

    PackageClassLoader(ClassLoader parent, Set<String> shipped) {
      super(parent);
      this.shipped = shipped;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      boolean testUdf =
          name.startsWith("dev.geneva.ray.testing.") || name.startsWith("dev.geneva.testing.");
      if (testUdf && !shipped.contains(name)) {
        throw new ClassNotFoundException(name + " is not in the shipped package");
      }
      return super.loadClass(name, resolve);
    }
  }
}
