package dev.geneva.ray.internal;

import dev.geneva.GenevaException;
import io.ray.api.Ray;
import io.ray.runtime.RayDevRuntime;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's one Ray runtime, shared by reference count: the first {@link #acquire} starts Ray when
 * nobody has, the last {@link Lease#release()} shuts it down (only when Geneva started it) and, in
 * LOCAL mode, deletes the session directory Ray left in {@code /tmp/ray}.
 */
public final class RayRuntimes {
  private static final Logger LOG = LoggerFactory.getLogger(RayRuntimes.class);
  private static final String RUN_MODE = "ray.run-mode";
  private static final String ADDRESS = "ray.address";

  /** How to start Ray when it is not running yet. */
  public enum Mode {
    /** CLUSTER when the {@code ray.address} system property is set, LOCAL otherwise. */
    AUTO,
    /** Embedded: tasks and actors on threads of this JVM. */
    LOCAL,
    /** Connect to the Ray cluster at an address (this JVM must run on a Ray node). */
    CLUSTER
  }

  private static int references;
  private static boolean started;
  private static Set<Path> dirsBefore = Set.of();
  private static Path sessionRoot = LocalSessionDirs.DEFAULT_ROOT;

  private RayRuntimes() {}

  /**
   * Takes a reference to the Ray runtime, starting it if needed.
   *
   * @param mode how to start Ray if it is not running
   * @param address the cluster address for {@link Mode#CLUSTER} (null to use {@code ray.address})
   * @return the lease; release it exactly once (further releases are ignored)
   */
  public static synchronized Lease acquire(Mode mode, String address) {
    if (!Ray.isInitialized()) {
      start(mode, address);
    } else if (references == 0) {
      LOG.debug("using the Ray runtime started outside Geneva");
    }
    references++;
    return new Lease(isLocal());
  }

  /**
   * Whether Ray is running and this JVM's runtime is the embedded (LOCAL mode) one.
   *
   * @return true in LOCAL mode
   */
  public static boolean isLocal() {
    return Ray.isInitialized() && Ray.internal() instanceof RayDevRuntime;
  }

  /**
   * The number of leases not yet released (for tests and diagnostics).
   *
   * @return the count
   */
  public static synchronized int references() {
    return references;
  }

  private static void start(Mode mode, String address) {
    String oldMode = System.getProperty(RUN_MODE);
    String oldAddress = System.getProperty(ADDRESS);
    String target = address != null ? address : oldAddress;
    boolean cluster =
        mode == Mode.CLUSTER || (mode == Mode.AUTO && target != null && !target.isBlank());
    try {
      if (cluster) {
        System.setProperty(RUN_MODE, "CLUSTER");
        if (address != null) {
          System.setProperty(ADDRESS, address);
        }
      } else {
        System.setProperty(RUN_MODE, "LOCAL");
      }
      dirsBefore = cluster ? Set.of() : LocalSessionDirs.list(sessionRoot);
      long t0 = System.nanoTime();
      try {
        Ray.init();
      } catch (RuntimeException | LinkageError e) {
        try {
          Ray.shutdown();
        } catch (RuntimeException ignored) {
          // Ray was not started far enough to shut down.
        }
        if (!cluster) {
          LocalSessionDirs.deleteNew(sessionRoot, dirsBefore);
        }
        throw new GenevaException(
            "cannot start Ray in "
                + (cluster ? "CLUSTER mode at " + System.getProperty(ADDRESS) : "LOCAL mode")
                + ": "
                + e
                + ". Ray needs the JVM flags --add-opens=java.base/{java.lang,java.util,"
                + "java.util.concurrent,java.math,java.net,java.text}=ALL-UNNAMED"
                + (cluster ? ", and a CLUSTER-mode driver must run on a node of the cluster" : ""),
            e);
      }
      started = true;
      LOG.info(
          "started Ray in {} mode{} in {} ms",
          cluster ? "CLUSTER" : "LOCAL",
          cluster ? " (address " + System.getProperty(ADDRESS) + ")" : "",
          (System.nanoTime() - t0) / 1_000_000);
    } finally {
      restore(RUN_MODE, oldMode);
      restore(ADDRESS, oldAddress);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  private static synchronized void release() {
    if (references == 0) {
      return;
    }
    references--;
    if (references > 0 || !started) {
      return;
    }
    boolean local = isLocal();
    started = false;
    try {
      Ray.shutdown();
      LOG.info("shut down Ray");
    } catch (RuntimeException e) {
      LOG.warn("Ray.shutdown() failed", e);
    }
    if (local) {
      var deleted = LocalSessionDirs.deleteNew(sessionRoot, dirsBefore);
      LOG.debug("deleted Ray LOCAL-mode session directories {}", deleted);
    }
    dirsBefore = Set.of();
  }

  /** One reference to the Ray runtime. */
  public static final class Lease {
    private final boolean local;
    private boolean released;

    private Lease(boolean local) {
      this.local = local;
    }

    /**
     * Whether the runtime runs in LOCAL (embedded) mode.
     *
     * @return true in LOCAL mode
     */
    public boolean local() {
      return local;
    }

    /** Gives the reference back; the last one shuts Ray down. Safe to call twice. */
    public void release() {
      synchronized (RayRuntimes.class) {
        if (released) {
          return;
        }
        released = true;
        RayRuntimes.release();
      }
    }
  }
}
