package dev.geneva.udf;

import dev.geneva.InvalidInputException;
import dev.geneva.internal.engine.Arguments;
import java.time.Duration;
import java.util.Objects;

/**
 * The wait between retries of a {@link ErrorRule#retry retry rule}, as Geneva's {@code backoff}:
 * exponential (the default: 1 s, 2 s, 4 s ... with jitter, capped at 60 s), fixed (1 s) or linear
 * (1 s, 2 s, 3 s ... capped at 60 s). Immutable.
 */
public final class Backoff {

  /** How the wait grows with each retry. */
  public enum Kind {
    /** {@code initial * 2^(retry-1)}, capped. */
    EXPONENTIAL,
    /** Always {@code initial}. */
    FIXED,
    /** {@code initial * retry}, capped. */
    LINEAR
  }

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final Duration MINUTE = Duration.ofSeconds(60);

  private final Kind kind;
  private final Duration initial;
  private final Duration max;
  private final boolean jitter;

  private Backoff(Kind kind, Duration initial, Duration max, boolean jitter) {
    Arguments.notNull(initial, "Backoff initial", "pass a Duration such as Duration.ofMillis(100)");
    Arguments.notNull(max, "Backoff max", "pass a Duration such as Duration.ofSeconds(10)");
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new InvalidInputException(
          "Backoff needs 0 <= initial <= max, got " + initial + " and " + max);
    }
    this.kind = kind;
    this.initial = initial;
    this.max = max;
    this.jitter = jitter;
  }

  /**
   * Geneva's default: 1 s doubling to at most 60 s, with jitter.
   *
   * @return the backoff
   */
  public static Backoff exponential() {
    return new Backoff(Kind.EXPONENTIAL, SECOND, MINUTE, true);
  }

  /**
   * Doubling waits from {@code initial}, capped at {@code max}, without jitter.
   *
   * @param initial the first wait
   * @param max the longest wait
   * @return the backoff
   */
  public static Backoff exponential(Duration initial, Duration max) {
    return new Backoff(Kind.EXPONENTIAL, initial, max, false);
  }

  /**
   * Geneva's {@code "fixed"}: 1 s between attempts.
   *
   * @return the backoff
   */
  public static Backoff fixed() {
    return fixed(SECOND);
  }

  /**
   * The same wait between all attempts.
   *
   * @param delay the wait
   * @return the backoff
   */
  public static Backoff fixed(Duration delay) {
    return new Backoff(Kind.FIXED, delay, delay, false);
  }

  /**
   * Geneva's {@code "linear"}: 1 s, 2 s, 3 s ... capped at 60 s.
   *
   * @return the backoff
   */
  public static Backoff linear() {
    return linear(SECOND, MINUTE);
  }

  /**
   * Waits growing by {@code step} each retry, capped at {@code max}.
   *
   * @param step the first wait and the growth per retry
   * @param max the longest wait
   * @return the backoff
   */
  public static Backoff linear(Duration step, Duration max) {
    return new Backoff(Kind.LINEAR, step, max, false);
  }

  /**
   * The same backoff with or without jitter: with it, each wait is drawn uniformly between half the
   * computed wait and all of it, so rows failing together do not retry in lockstep.
   *
   * @param jitter whether to add jitter
   * @return the backoff
   */
  public Backoff withJitter(boolean jitter) {
    return new Backoff(kind, initial, max, jitter);
  }

  /**
   * How the wait grows.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The first wait (and the step of a linear backoff).
   *
   * @return the wait
   */
  public Duration initial() {
    return initial;
  }

  /**
   * The longest wait.
   *
   * @return the cap
   */
  public Duration max() {
    return max;
  }

  /**
   * Whether waits are jittered.
   *
   * @return true with jitter
   */
  public boolean jitter() {
    return jitter;
  }

  /**
   * The wait before retry number {@code retry} (1-based), before jitter.
   *
   * @param retry the retry number, from 1
   * @return the wait
   */
  public Duration before(int retry) {
    int n = Math.max(retry, 1);
    long base = initial.toMillis();
    long millis =
        switch (kind) {
          case FIXED -> base;
          case LINEAR -> saturatedMultiply(base, n);
          case EXPONENTIAL -> saturatedMultiply(base, 1L << Math.min(n - 1, 62));
        };
    return Duration.ofMillis(Math.min(millis, max.toMillis()));
  }

  private static long saturatedMultiply(long a, long b) {
    long r = a * b;
    return (a != 0 && (r / a != b || r < 0)) ? Long.MAX_VALUE : r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Backoff b
        && kind == b.kind
        && initial.equals(b.initial)
        && max.equals(b.max)
        && jitter == b.jitter;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, initial, max, jitter);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase()
        + "("
        + initial
        + (kind == Kind.FIXED ? "" : ".." + max)
        + (jitter ? ", jitter" : "")
        + ")";
  }
}
