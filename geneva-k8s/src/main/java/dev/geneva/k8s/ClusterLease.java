package dev.geneva.k8s;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The lease of a RayCluster Geneva created, as its annotations record it.
 *
 * <p>While a {@link RayCluster} handle that created its cluster lives, it keeps the annotation
 * {@value #EXPIRES_ANNOTATION} on the RayCluster a {@linkplain RayClusterSpec#leaseDuration() lease
 * duration} (default 5 minutes) in the future, renewing it every third of the duration. A JVM that
 * dies without closing the handle ({@code kill -9}, a lost laptop) stops renewing, so its lease
 * runs out; {@link RayClusters#reapExpired} ({@code geneva clusters reap --expired}, or the CronJob
 * of {@code geneva manifests --reaper}) then deletes the cluster.
 *
 * <p>A cluster kept on purpose carries no lease but {@value #RETAINED_ANNOTATION}: one created with
 * {@link ExitMode#RETAIN} from the start, one kept by {@link ExitMode#RETAIN_ON_FAILURE} from the
 * moment it is kept. The reaper's expired mode never deletes a cluster without a lease.
 */
public final class ClusterLease {
  /**
   * Annotation: when the lease runs out, an RFC 3339 instant in UTC such as {@code
   * 2026-11-29T21:05:00Z}.
   */
  public static final String EXPIRES_ANNOTATION = "geneva.dev/lease-expires";

  /**
   * Annotation: the cluster is kept on purpose; its value says why and since when, e.g. {@code
   * RETAIN_ON_FAILURE since 2026-11-29T21:05:00Z}.
   */
  public static final String RETAINED_ANNOTATION = "geneva.dev/retained";

  /** The default lease duration. */
  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(5);

  /** The shortest lease duration accepted (meant for tests; keep real leases at minutes). */
  public static final Duration MIN_DURATION = Duration.ofSeconds(1);

  /** The longest lease duration accepted. */
  public static final Duration MAX_DURATION = Duration.ofDays(7);

  /** What a cluster's annotations say about its lease. */
  public enum State {
    /** The lease runs out in the future. */
    ACTIVE,
    /** The lease ran out: no living handle renews it. */
    EXPIRED,
    /** Kept on purpose ({@value ClusterLease#RETAINED_ANNOTATION}); no lease. */
    RETAINED,
    /** No lease annotation (created before leases, or by hand). */
    NONE,
    /** The lease annotation is not an RFC 3339 instant: left alone. */
    INVALID
  }

  private final Optional<Instant> expires;
  private final Optional<String> retained;
  private final Optional<String> invalid;

  private ClusterLease(Optional<Instant> expires, Optional<String> retained, Optional<String> bad) {
    this.expires = expires;
    this.retained = retained;
    this.invalid = bad;
  }

  /**
   * Reads the lease from a RayCluster's annotations.
   *
   * @param annotations the annotations, or null
   * @return the lease
   */
  public static ClusterLease of(Map<String, String> annotations) {
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    Optional<String> retained = Optional.ofNullable(a.get(RETAINED_ANNOTATION));
    String value = a.get(EXPIRES_ANNOTATION);
    if (value == null) {
      return new ClusterLease(Optional.empty(), retained, Optional.empty());
    }
    try {
      Instant at = OffsetDateTime.parse(value.trim()).toInstant();
      return new ClusterLease(Optional.of(at), retained, Optional.empty());
    } catch (DateTimeParseException e) {
      return new ClusterLease(Optional.empty(), retained, Optional.of(value));
    }
  }

  /**
   * The annotation value for a lease that runs out at {@code at}: UTC, rounded up to a whole second
   * (so a lease is never shorter than asked).
   *
   * @param at when the lease runs out
   * @return e.g. {@code 2026-11-29T21:05:00Z}
   */
  public static String format(Instant at) {
    Instant s = at.truncatedTo(ChronoUnit.SECONDS);
    return (s.equals(at) ? s : s.plusSeconds(1)).toString();
  }

  /**
   * When the lease runs out.
   *
   * @return the instant, empty without a (valid) lease
   */
  public Optional<Instant> expires() {
    return expires;
  }

  /**
   * Why the cluster is kept, when it is.
   *
   * @return the {@value #RETAINED_ANNOTATION} value
   */
  public Optional<String> retained() {
    return retained;
  }

  /**
   * The state at a time. A lease annotation wins over a retained mark (a renewing handle is alive);
   * a lease counts as expired only once it ran out more than {@code grace} before {@code now}.
   *
   * @param now the time to judge at
   * @param grace how long past its expiry a lease still counts as active (for clock skew)
   * @return the state
   */
  public State state(Instant now, Duration grace) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(grace, "grace");
    if (invalid.isPresent()) {
      return State.INVALID;
    }
    if (expires.isPresent()) {
      return expires.get().plus(grace).isBefore(now) ? State.EXPIRED : State.ACTIVE;
    }
    return retained.isPresent() ? State.RETAINED : State.NONE;
  }

  @Override
  public String toString() {
    return "ClusterLease{expires="
        + expires.map(Instant::toString).orElse(invalid.map(v -> "invalid:" + v).orElse("-"))
        + ", retained="
        + retained.orElse("-")
        + "}";
  }
}
