package dev.geneva.udf;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What happens when a UDF throws: fail the backfill (the default), retry with exponential backoff,
 * or give the row a null value and count it as failed. A scalar UDF is retried per row, a batch UDF
 * per batch.
 */
public final class ErrorPolicy {

  /** What to do once retries (if any) are exhausted. */
  public enum OnFailure {
    /** Stop the backfill; finished work stays checkpointed. */
    FAIL,
    /** Write null for the row (or every row of the batch) and count it as failed. */
    SKIP
  }

  private static final ErrorPolicy FAIL_FAST = builder().build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final List<Class<? extends Throwable>> retryOn;
  private final OnFailure onFailure;

  private ErrorPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.retryOn = List.copyOf(b.retryOn);
    this.onFailure = b.onFailure;
  }

  /**
   * Fails the backfill on the first exception (the default).
   *
   * @return the policy
   */
  public static ErrorPolicy failFast() {
    return FAIL_FAST;
  }

  /**
   * Writes null for a failing row and counts it; never retries.
   *
   * @return the policy
   */
  public static ErrorPolicy skip() {
    return builder().onFailure(OnFailure.SKIP).build();
  }

  /**
   * Retries exceptions of the given types up to {@code maxAttempts} attempts in all, with backoff
   * from 100 ms doubling up to 10 s, then fails.
   *
   * @param maxAttempts attempts in all, at least 1
   * @param retryOn exception types worth retrying (subclasses included); none means all
   * @return the policy
   */
  @SafeVarargs
  public static ErrorPolicy retry(int maxAttempts, Class<? extends Throwable>... retryOn) {
    return builder().maxAttempts(maxAttempts).retryOn(List.of(retryOn)).build();
  }

  /**
   * Starts a policy.
   *
   * @return a builder with fail-fast defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this policy into a builder.
   *
   * @return a builder holding this policy's values
   */
  public Builder toBuilder() {
    return new Builder()
        .maxAttempts(maxAttempts)
        .backoff(initialBackoff, maxBackoff)
        .retryOn(retryOn)
        .onFailure(onFailure);
  }

  /**
   * Attempts in all, 1 meaning no retry.
   *
   * @return the number of attempts
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The wait before the first retry.
   *
   * @return the initial backoff
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * The longest wait between retries.
   *
   * @return the maximum backoff
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * Exception types that are retried; empty means every exception.
   *
   * @return the types
   */
  public List<Class<? extends Throwable>> retryOn() {
    return retryOn;
  }

  /**
   * What happens when retries are exhausted or the exception is not retryable.
   *
   * @return the action
   */
  public OnFailure onFailure() {
    return onFailure;
  }

  /**
   * Tells whether an exception may be retried under this policy.
   *
   * @param error the exception
   * @return true if its type is covered
   */
  public boolean isRetryable(Throwable error) {
    if (maxAttempts <= 1) {
      return false;
    }
    return retryOn.isEmpty() || retryOn.stream().anyMatch(t -> t.isInstance(error));
  }

  /**
   * The wait before retry number {@code retry} (1-based): doubling from the initial backoff, capped
   * at the maximum.
   *
   * @param retry the retry number, from 1
   * @return the wait
   */
  public Duration backoffBefore(int retry) {
    long base = initialBackoff.toMillis();
    long millis = base << Math.min(Math.max(retry - 1, 0), 30);
    return Duration.ofMillis(Math.min(millis < 0 ? Long.MAX_VALUE : millis, maxBackoff.toMillis()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ErrorPolicy p
        && maxAttempts == p.maxAttempts
        && initialBackoff.equals(p.initialBackoff)
        && maxBackoff.equals(p.maxBackoff)
        && retryOn.equals(p.retryOn)
        && onFailure == p.onFailure;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, initialBackoff, maxBackoff, retryOn, onFailure);
  }

  @Override
  public String toString() {
    return "ErrorPolicy{maxAttempts="
        + maxAttempts
        + ", backoff="
        + initialBackoff
        + ".."
        + maxBackoff
        + ", retryOn="
        + retryOn.stream().map(Class::getSimpleName).toList()
        + ", onFailure="
        + onFailure
        + "}";
  }

  /** Builds an {@link ErrorPolicy}. */
  public static final class Builder {
    private int maxAttempts = 1;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private List<Class<? extends Throwable>> retryOn = List.of();
    private OnFailure onFailure = OnFailure.FAIL;

    private Builder() {}

    /**
     * Sets the attempts in all (1 = no retry).
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException(
            "ErrorPolicy.maxAttempts must be at least 1 (1 means no retry), got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the backoff between retries.
     *
     * @param initial the first wait, 0 or more
     * @param max the longest wait, at least {@code initial}
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isNegative() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "ErrorPolicy.backoff needs 0 <= initial <= max, got " + initial + " and " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Sets the exception types that are retried (subclasses included); empty means all.
     *
     * @param types the types
     * @return this builder
     */
    public Builder retryOn(List<Class<? extends Throwable>> types) {
      this.retryOn = List.copyOf(types);
      return this;
    }

    /**
     * Sets what happens once retries are exhausted.
     *
     * @param onFailure FAIL (default) or SKIP
     * @return this builder
     */
    public Builder onFailure(OnFailure onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the immutable policy
     */
    public ErrorPolicy build() {
      return new ErrorPolicy(this);
    }
  }
}
