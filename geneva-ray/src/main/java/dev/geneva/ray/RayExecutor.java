package dev.geneva.ray;

import dev.geneva.ray.internal.RayRuntimes;
import dev.geneva.ray.internal.RaySession;
import dev.geneva.spi.BackfillExecutor;
import dev.geneva.spi.ExecutorSession;
import dev.geneva.spi.SessionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Runs backfill tasks on Ray: embedded in this JVM (Ray LOCAL mode, {@link #name()} {@code
 * "ray-local"}) or on the Ray cluster this JVM belongs to ({@code "ray-cluster"}, as in a Ray job
 * driver started with {@code -Dray.address=...}).
 *
 * <p>A stateless UDF runs as one Ray task per backfill task; a stateful UDF runs on a pool of up to
 * {@code concurrency} Ray actors, each opening the UDF once. Tasks travel as bytes ({@link
 * dev.geneva.spi.BackfillTask#toBytes()}), so nothing but the classpath has to reach the workers.
 *
 * <p>Ray is a per-JVM singleton: every executor holds a reference to it; the first starts Ray when
 * nobody has, and closing the last one shuts it down (only if Geneva started it) and deletes the
 * {@code /tmp/ray/session_local_mode_*} directory LOCAL mode leaves behind.
 *
 * <pre>{@code
 * try (RayExecutor ray = RayExecutor.local();
 *     Connection db = Geneva.connect(path, ConnectOptions.builder().executor(ray).build())) {
 *   db.openTable("docs").backfill("len");
 * }
 * }</pre>
 */
public final class RayExecutor implements BackfillExecutor {
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private final BufferAllocator allocator;
  private final Duration closeTimeout;
  private final RayRuntimes.Lease lease;
  private final String name;
  private final Set<RaySession> sessions = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private RayExecutor(Builder b) {
    this.allocator = b.allocator;
    this.closeTimeout = b.closeTimeout;
    this.lease = RayRuntimes.acquire(b.mode, b.address);
    this.name = lease.local() ? "ray-local" : "ray-cluster";
  }

  /**
   * An executor on embedded Ray (LOCAL mode), starting Ray unless it already runs in this JVM: the
   * executor a connection makes by default when geneva-ray is on the class path, for choosing it
   * per connection ({@code ConnectOptions.builder().executor(..)}) or per backfill ({@code
   * BackfillOptions.builder().executor(..)}). Threads are {@code BackfillExecutors.threads()}.
   *
   * @return the executor; close it when done
   */
  public static RayExecutor local() {
    return builder().local().build();
  }

  /**
   * An executor on embedded Ray (LOCAL mode), starting Ray unless it already runs in this JVM.
   *
   * @param allocator the caller's allocator (Ray workers use allocators of their own); not closed
   * @return the executor; close it when done
   */
  public static RayExecutor local(BufferAllocator allocator) {
    return builder().allocator(allocator).local().build();
  }

  /**
   * Starts configuring an executor. By default Ray starts in CLUSTER mode when the {@code
   * ray.address} system property is set and in LOCAL mode otherwise.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code "ray-local"} on embedded Ray, {@code "ray-cluster"} on a Ray cluster.
   *
   * @return the name
   */
  @Override
  public String name() {
    return name;
  }

  /**
   * The allocator given at creation, if any.
   *
   * @return the allocator or null
   */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * Opens the Ray workers for one backfill.
   *
   * @param spec what the backfill needs
   * @return the session; the caller closes it
   */
  @Override
  public ExecutorSession openSession(SessionSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (closed) {
      throw new IllegalStateException("Ray executor is closed");
    }
    String sessionName = spec.column() + "-" + SESSIONS.incrementAndGet();
    RaySession session = new RaySession(spec, sessionName, closeTimeout, sessions::remove);
    sessions.add(session);
    if (closed) {
      session.close();
      throw new IllegalStateException("Ray executor is closed");
    }
    return session;
  }

  /**
   * Closes the sessions still open and releases this executor's reference to Ray (the last
   * reference shuts Ray down if Geneva started it). Safe to call twice.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    RuntimeException failure = null;
    try {
      for (RaySession s : new ArrayList<>(sessions)) {
        try {
          s.close();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
    } finally {
      lease.release();
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "RayExecutor{" + name + (closed ? ", closed" : "") + "}";
  }

  /** Configures a {@link RayExecutor}. */
  public static final class Builder {
    private BufferAllocator allocator;
    private RayRuntimes.Mode mode = RayRuntimes.Mode.AUTO;
    private String address;
    private Duration closeTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * The caller's allocator, kept for reference; Ray workers use allocators of their own.
     *
     * @param allocator the allocator, not closed by the executor
     * @return this builder
     */
    public Builder allocator(BufferAllocator allocator) {
      this.allocator = allocator;
      return this;
    }

    /**
     * Starts Ray embedded in this JVM (LOCAL mode) if it is not running yet.
     *
     * @return this builder
     */
    public Builder local() {
      this.mode = RayRuntimes.Mode.LOCAL;
      this.address = null;
      return this;
    }

    /**
     * Connects to the Ray cluster at {@code address} (the GCS, {@code host:6379}) if Ray is not
     * running yet. This JVM must run on a node of that cluster.
     *
     * @param address the cluster's address
     * @return this builder
     */
    public Builder address(String address) {
      if (address == null || address.isBlank()) {
        throw new IllegalArgumentException("Ray address must not be blank");
      }
      this.mode = RayRuntimes.Mode.CLUSTER;
      this.address = address;
      return this;
    }

    /**
     * How long closing a session waits for its actors to close their stateful UDFs (default 60 s).
     *
     * @param timeout the timeout, positive
     * @return this builder
     */
    public Builder closeTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("closeTimeout must be positive, got " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * Builds the executor, starting Ray if needed.
     *
     * @return the executor; close it when done
     */
    public RayExecutor build() {
      return new RayExecutor(this);
    }
  }
}
