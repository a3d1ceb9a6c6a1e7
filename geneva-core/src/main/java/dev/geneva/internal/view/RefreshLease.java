package dev.geneva.internal.view;

import com.lancedb.lance.Dataset;
import dev.geneva.GenevaException;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.TableConfig;
import dev.geneva.internal.lance.TableLocation;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to refresh a view, held by one refresh at a time in any thread or process: an entry
 * {@value #KEY} in the view table's config naming the holder and when its lease ends. Taking it is
 * a compare-and-set: the config update is committed on the version where the lease was seen free,
 * and Lance refuses a config update that races another update of the same key. The holder renews it
 * every {@link #RENEW_EVERY} from a thread of its own and removes it when done; a lease that is not
 * renewed (its holder died) can be taken once it ends, at once when the holder was a process of
 * this host that is gone. A holder that finds its lease taken stops at its next safe point, and so
 * does one whose renewals keep failing (storage unreachable): it stops once less than a quarter of
 * its term is left, before another refresh may take the lease, so two refreshes never write at
 * once.
 */
public final class RefreshLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RefreshLease.class);

  /** The config key. */
  static final String KEY = ViewMetadata.PREFIX + "refresh.lease";

  /** How long a lease lasts without renewal. */
  static final Duration TERM = Duration.ofSeconds(60);

  /** How often the holder renews it. */
  static final Duration RENEW_EVERY = Duration.ofSeconds(15);

  private static final String HOST = host();

  private final TableLocation view;
  private final String owner = UUID.randomUUID().toString();
  private final Duration term;
  private final Duration renewEvery;
  private final Thread renewer;
  private volatile RefreshRun run;
  private volatile String lost;
  private volatile boolean closed;

  /** When the lease as last written ends (epoch millis); 0 until it is taken. */
  private volatile long validUntilMillis;

  /** A lease as recorded. */
  record Holder(String owner, long expiresAtMillis, String host, long pid) {
    String encode() {
      return "owner=" + owner + ";expires=" + expiresAtMillis + ";host=" + host + ";pid=" + pid;
    }

    static Optional<Holder> decode(String value) {
      if (value == null || value.isEmpty()) {
        return Optional.empty();
      }
      Map<String, String> parts = new HashMap<>();
      for (String part : value.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          parts.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
      try {
        return Optional.of(
            new Holder(
                parts.getOrDefault("owner", ""),
                Long.parseLong(parts.getOrDefault("expires", "0")),
                parts.getOrDefault("host", ""),
                Long.parseLong(parts.getOrDefault("pid", "-1"))));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    /** Tells whether another refresh may take this lease now. */
    boolean free(long nowMillis) {
      if (expiresAtMillis <= nowMillis) {
        return true;
      }
      return host.equals(HOST)
          && pid != ProcessHandle.current().pid()
          && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
  }

  private RefreshLease(TableLocation view, Duration term, Duration renewEvery) {
    this.view = view;
    this.term = term;
    this.renewEvery = renewEvery;
    this.renewer = new Thread(this::renewLoop, "geneva-refresh-lease-" + view.name());
    renewer.setDaemon(true);
  }

  /**
   * Takes the lease of a view, waiting while another refresh holds it.
   *
   * @param view the view table
   * @param wait how long to wait for another refresh to finish
   * @param run the refresh, whose cancellation stops the wait and which checks the lease at its
   *     safe points
   * @return the lease, to close when the refresh ends
   * @throws GenevaException when another refresh still holds it after {@code wait}
   */
  public static RefreshLease acquire(TableLocation view, Duration wait, RefreshRun run) {
    return acquire(view, wait, run, TERM, RENEW_EVERY);
  }

  /** {@link #acquire(TableLocation, Duration, RefreshRun)} with another term and renewal period. */
  static RefreshLease acquire(
      TableLocation view, Duration wait, RefreshRun run, Duration term, Duration renewEvery) {
    RefreshLease lease = new RefreshLease(view, term, renewEvery);
    long deadline = System.nanoTime() + wait.toNanos();
    boolean logged = false;
    while (true) {
      run.checkCancelled();
      Holder held;
      try (Dataset ds = view.openLatest()) {
        held = Holder.decode(ds.getConfig().get(KEY)).orElse(null);
        long now = System.currentTimeMillis();
        if (held == null || held.owner.equals(lease.owner) || held.free(now)) {
          if (lease.write(ds, now)) {
            lease.run = run;
            lease.renewer.start();
            run.lease(lease);
            return lease;
          }
          continue;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new GenevaException(
            "view '"
                + view.name()
                + "' is being refreshed by another refresh (host "
                + held.host
                + ", process "
                + held.pid
                + ", lease until "
                + Instant.ofEpochMilli(held.expiresAtMillis)
                + ") that did not finish within "
                + wait
                + ": wait for it and refresh again, or raise"
                + " RefreshOptions.waitForOtherRefresh");
      }
      if (!logged) {
        LOG.info(
            "view '{}' is being refreshed by another refresh (host {}, process {}): waiting",
            view.name(),
            held.host,
            held.pid);
        logged = true;
      }
      sleep(100 + ThreadLocalRandom.current().nextInt(150));
    }
  }

  /** Writes this lease on {@code ds}'s version; false when a concurrent update of it won. */
  private boolean write(Dataset ds, long nowMillis) {
    Holder mine =
        new Holder(owner, nowMillis + term.toMillis(), HOST, ProcessHandle.current().pid());
    try {
      TableConfig.update(ds, Map.of(KEY, mine.encode()), Set.of());
    } catch (RuntimeException e) {
      if (LanceErrors.isCommitConflict(e)) {
        return false;
      }
      throw new GenevaException(
          "cannot record the refresh lease of view '" + view.name() + "': " + e.getMessage(), e);
    }
    try (Dataset latest = view.openLatest()) {
      boolean mineNow =
          Holder.decode(latest.getConfig().get(KEY)).map(h -> h.owner.equals(owner)).orElse(false);
      if (mineNow) {
        validUntilMillis = mine.expiresAtMillis();
      }
      return mineNow;
    }
  }

  /**
   * Stops the refresh when its lease was taken by another.
   *
   * @throws GenevaException naming what happened; the view stays resumable
   */
  void check() {
    String reason = lostReason();
    if (reason != null) {
      throw new GenevaException(
          "the refresh of view '"
              + view.name()
              + "' stopped: "
              + reason
              + ". What it committed is kept; refresh again (one refresh at a time) to finish");
    }
  }

  /** Why this refresh no longer holds the lease, or null while it does. */
  private String lostReason() {
    String reason = lost;
    long left = validUntilMillis - System.currentTimeMillis();
    if (reason == null && validUntilMillis > 0 && left < term.toMillis() / 4) {
      reason =
          "it could not renew its lease (storage unreachable?) and "
              + (left > 0 ? "only " + left + " ms of its term were left" : "the lease had ended");
      lost = reason;
    }
    return reason;
  }

  private void renewLoop() {
    while (!closed && lost == null) {
      try {
        Thread.sleep(renewEvery.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (closed) {
        return;
      }
      try {
        renew();
      } catch (RuntimeException e) {
        LOG.warn("cannot renew the refresh lease of view '{}': {}", view.name(), e.toString());
      }
      if (!closed && lostReason() != null) {
        LOG.warn("the refresh of view '{}' stops: {}", view.name(), lost);
        RefreshRun holder = run;
        if (holder != null) {
          holder.leaseLost();
        }
        return;
      }
    }
  }

  private void renew() {
    for (int attempt = 0; attempt < 5 && !closed; attempt++) {
      try (Dataset ds = view.openLatest()) {
        Optional<Holder> held = Holder.decode(ds.getConfig().get(KEY));
        if (held.isEmpty() || !held.get().owner.equals(owner)) {
          lost =
              held.map(
                      h ->
                          "its lease was taken by another refresh (host "
                              + h.host
                              + ", process "
                              + h.pid
                              + ") after it went unrenewed for "
                              + term)
                  .orElse("its lease was removed");
          return;
        }
        if (write(ds, System.currentTimeMillis())) {
          return;
        }
      }
    }
  }

  /** Stops renewing and removes the lease if it is still this refresh's. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    renewer.interrupt();
    try {
      renewer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      try (Dataset ds = view.openLatest()) {
        Optional<Holder> held = Holder.decode(ds.getConfig().get(KEY));
        if (held.isEmpty() || !held.get().owner.equals(owner)) {
          return;
        }
        TableConfig.update(ds, Map.of(), Set.of(KEY));
        return;
      } catch (RuntimeException e) {
        if (!LanceErrors.isCommitConflict(e)) {
          LOG.warn(
              "cannot remove the refresh lease of view '{}' (it ends by itself in {}): {}",
              view.name(),
              term,
              e.toString());
          return;
        }
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.util.concurrent.CancellationException("interrupted while refreshing a view");
    }
  }

  private static String host() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
