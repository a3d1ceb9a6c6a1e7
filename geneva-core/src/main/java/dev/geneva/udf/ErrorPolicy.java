package dev.geneva.udf;

import dev.geneva.InvalidInputException;
import dev.geneva.internal.engine.Arguments;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * What happens when a UDF throws, as Geneva's {@code on_error}: an ordered list of {@link
 * ErrorRule}s (retry, skip or fail, matched by exception type and message), the first match
 * deciding; when no rule matches, or a retry rule's attempts are used up, {@link #onFailure()}
 * decides (fail, by default, as in Geneva). A scalar UDF is handled per row, a batch UDF per batch.
 * Skipped rows are written as null, counted, and recorded with their row address and message in the
 * backfill's result.
 *
 * <pre>{@code
 * ErrorPolicy.retryTransient()                       // Geneva's retry_transient()
 * ErrorPolicy.of(
 *     ErrorRule.retry(IOException.class).matching("(?i)rate limit").backoff(Backoff.linear()),
 *     ErrorRule.skip(IllegalArgumentException.class),
 *     ErrorRule.fail())
 * }</pre>
 */
public final class ErrorPolicy {

  /** What happens when no rule matches, or a retry rule's attempts are used up. */
  public enum OnFailure {
    /** Stop the backfill; finished work stays checkpointed. */
    FAIL,
    /** Write null for the row (or every row of the batch) and record it as failed. */
    SKIP
  }

  /**
   * What to do with one failure.
   *
   * @param action retry, skip or fail
   * @param delay for a retry, the wait before it (jitter not yet applied)
   * @param jitter for a retry, whether to jitter the wait
   * @param rule the rule that matched, or null when {@link #onFailure()} decided
   */
  public record Decision(ErrorRule.Action action, Duration delay, boolean jitter, ErrorRule rule) {}

  /**
   * The exception types {@link #retryTransient()} retries, the Java counterparts of Python's {@code
   * ConnectionError}, {@code TimeoutError} and {@code OSError}: {@code IOException} (which covers
   * {@code ConnectException}, {@code SocketTimeoutException}, {@code HttpTimeoutException}), {@code
   * UncheckedIOException} and {@code TimeoutException}.
   */
  public static final List<Class<? extends Throwable>> TRANSIENT =
      List.of(java.io.IOException.class, UncheckedIOException.class, TimeoutException.class);

  private static final ErrorPolicy FAIL_FAST = builder().build();

  private final List<ErrorRule> rules;
  private final OnFailure onFailure;
  private final int legacyAttempts;
  private final Duration legacyInitial;
  private final Duration legacyMax;
  private final List<Class<? extends Throwable>> legacyRetryOn;

  private ErrorPolicy(Builder b) {
    this.legacyAttempts = b.maxAttempts;
    this.legacyInitial = b.initialBackoff;
    this.legacyMax = b.maxBackoff;
    this.legacyRetryOn = List.copyOf(b.retryOn);
    this.onFailure = b.onFailure;
    List<ErrorRule> all = new ArrayList<>(b.rules);
    if (b.maxAttempts > 1) {
      all.add(
          ErrorRule.retry(b.retryOn.toArray(new Class[0]))
              .maxAttempts(b.maxAttempts)
              .backoff(Backoff.exponential(b.initialBackoff, b.maxBackoff)));
    }
    this.rules = List.copyOf(all);
  }

  /**
   * Fails the backfill on the first exception (the default), Geneva's {@code fail_fast()}.
   *
   * @return the policy
   */
  public static ErrorPolicy failFast() {
    return FAIL_FAST;
  }

  /**
   * Writes null for a failing row and records it; never retries. Geneva's {@code skip_on_error()}.
   *
   * @return the policy
   */
  public static ErrorPolicy skip() {
    return builder().onFailure(OnFailure.SKIP).build();
  }

  /**
   * The same as {@link #skip()}, under Geneva's name.
   *
   * @return the policy
   */
  public static ErrorPolicy skipOnError() {
    return skip();
  }

  /**
   * Geneva's {@code retry_transient()}: retries {@link #TRANSIENT} exceptions, 3 attempts in all
   * with exponential backoff (1 s doubling to 60 s, jittered), and fails on anything else.
   *
   * @return the policy
   */
  public static ErrorPolicy retryTransient() {
    return retryTransient(3, Backoff.exponential());
  }

  /**
   * {@link #retryTransient()} with other attempts and backoff.
   *
   * @param maxAttempts attempts in all, at least 1
   * @param backoff the backoff
   * @return the policy
   */
  @SuppressWarnings("unchecked")
  public static ErrorPolicy retryTransient(int maxAttempts, Backoff backoff) {
    return of(
        ErrorRule.retry(TRANSIENT.toArray(new Class[0])).maxAttempts(maxAttempts).backoff(backoff));
  }

  /**
   * Geneva's {@code retry_all()}: retries any exception, 3 attempts in all with exponential
   * backoff, then fails.
   *
   * @return the policy
   */
  public static ErrorPolicy retryAll() {
    return retryAll(3, Backoff.exponential());
  }

  /**
   * {@link #retryAll()} with other attempts and backoff.
   *
   * @param maxAttempts attempts in all, at least 1
   * @param backoff the backoff
   * @return the policy
   */
  public static ErrorPolicy retryAll(int maxAttempts, Backoff backoff) {
    return of(ErrorRule.retry().maxAttempts(maxAttempts).backoff(backoff));
  }

  /**
   * Retries exceptions of the given types up to {@code maxAttempts} attempts in all, with backoff
   * from 100 ms doubling up to 10 s (no jitter), then fails.
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
   * A policy of ordered rules, Geneva's {@code on_error=[Retry(...), Skip(...), Fail(...)]}; an
   * exception no rule matches fails the backfill.
   *
   * @param rules the rules, first match wins
   * @return the policy
   */
  public static ErrorPolicy of(ErrorRule... rules) {
    return builder().rules(List.of(rules)).build();
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
    Builder b =
        new Builder()
            .maxAttempts(legacyAttempts)
            .backoff(legacyInitial, legacyMax)
            .retryOn(legacyRetryOn)
            .onFailure(onFailure);
    b.rules.addAll(legacyAttempts > 1 ? rules.subList(0, rules.size() - 1) : rules);
    return b;
  }

  /**
   * The rules in the order they are tried, including the retry rule the builder's {@code
   * maxAttempts}/{@code retryOn}/{@code backoff} make (last).
   *
   * @return the rules
   */
  public List<ErrorRule> rules() {
    return rules;
  }

  /**
   * Decides what to do with a failure.
   *
   * @param error what the UDF threw
   * @param attempt the attempt that threw, from 1
   * @return retry (with the wait), skip or fail
   */
  public Decision decide(Throwable error, int attempt) {
    for (ErrorRule rule : rules) {
      if (!rule.matches(error)) {
        continue;
      }
      if (rule.action() != ErrorRule.Action.RETRY) {
        return new Decision(rule.action(), Duration.ZERO, false, rule);
      }
      if (attempt < rule.maxAttempts()) {
        return new Decision(
            ErrorRule.Action.RETRY, rule.backoff().before(attempt), rule.backoff().jitter(), rule);
      }
      break;
    }
    return new Decision(
        onFailure == OnFailure.SKIP ? ErrorRule.Action.SKIP : ErrorRule.Action.FAIL,
        Duration.ZERO,
        false,
        null);
  }

  /**
   * Tells whether this policy can write null for a failed row.
   *
   * @return true when {@link #onFailure()} is SKIP or a rule skips
   */
  public boolean canSkip() {
    return onFailure == OnFailure.SKIP
        || rules.stream().anyMatch(r -> r.action() == ErrorRule.Action.SKIP);
  }

  /**
   * The most attempts any retry rule allows, 1 meaning no retry.
   *
   * @return the number of attempts
   */
  public int maxAttempts() {
    return rules.stream().mapToInt(ErrorRule::maxAttempts).max().orElse(1);
  }

  /**
   * The wait before the first retry of the builder's retry rule.
   *
   * @return the initial backoff
   */
  public Duration initialBackoff() {
    return legacyInitial;
  }

  /**
   * The longest wait between retries of the builder's retry rule.
   *
   * @return the maximum backoff
   */
  public Duration maxBackoff() {
    return legacyMax;
  }

  /**
   * Exception types the builder's retry rule retries; empty means every exception.
   *
   * @return the types
   */
  public List<Class<? extends Throwable>> retryOn() {
    return legacyRetryOn;
  }

  /**
   * What happens when no rule matches or retries are exhausted.
   *
   * @return the action
   */
  public OnFailure onFailure() {
    return onFailure;
  }

  /**
   * Tells whether an exception would be retried after a first failed attempt.
   *
   * @param error the exception
   * @return true if the first matching rule retries it
   */
  public boolean isRetryable(Throwable error) {
    return decide(error, 1).action() == ErrorRule.Action.RETRY;
  }

  /**
   * The wait before retry number {@code retry} (1-based) of the first retry rule, before jitter.
   *
   * @param retry the retry number, from 1
   * @return the wait
   */
  public Duration backoffBefore(int retry) {
    return rules.stream()
        .filter(r -> r.action() == ErrorRule.Action.RETRY)
        .findFirst()
        .map(r -> r.backoff().before(retry))
        .orElseGet(() -> Backoff.exponential(legacyInitial, legacyMax).before(retry));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ErrorPolicy p
        && rules.equals(p.rules)
        && onFailure == p.onFailure
        && legacyAttempts == p.legacyAttempts
        && legacyInitial.equals(p.legacyInitial)
        && legacyMax.equals(p.legacyMax)
        && legacyRetryOn.equals(p.legacyRetryOn);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rules, onFailure, legacyAttempts, legacyInitial, legacyMax, legacyRetryOn);
  }

  @Override
  public String toString() {
    return "ErrorPolicy{rules=" + rules + ", otherwise=" + onFailure + "}";
  }

  /** Builds an {@link ErrorPolicy}. */
  public static final class Builder {
    private int maxAttempts = 1;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private List<Class<? extends Throwable>> retryOn = List.of();
    private OnFailure onFailure = OnFailure.FAIL;
    private final List<ErrorRule> rules = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a rule after those already added.
     *
     * @param rule the rule
     * @return this builder
     */
    public Builder rule(ErrorRule rule) {
      rules.add(
          Arguments.notNull(
              rule,
              "an ErrorPolicy rule",
              "pass rules such as ErrorRule.retry(IOException.class)"));
      return this;
    }

    /**
     * Replaces the rules.
     *
     * @param rules the rules, first match wins
     * @return this builder
     */
    public Builder rules(List<ErrorRule> rules) {
      List<ErrorRule> copy = List.copyOf(rules);
      this.rules.clear();
      this.rules.addAll(copy);
      return this;
    }

    /**
     * Sets the attempts in all (1 = no retry) of a retry rule for the {@link #retryOn(List)} types,
     * tried after the {@linkplain #rule(ErrorRule) rules}.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new InvalidInputException(
            "ErrorPolicy.maxAttempts must be at least 1 (1 means no retry), got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the exponential backoff of the {@link #maxAttempts(int)} retry rule.
     *
     * @param initial the first wait, 0 or more
     * @param max the longest wait, at least {@code initial}
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      Arguments.notNull(
          initial,
          "ErrorPolicy.Builder.backoff initial",
          "pass a Duration such as Duration.ofMillis(100)");
      Arguments.notNull(
          max, "ErrorPolicy.Builder.backoff max", "pass a Duration such as Duration.ofSeconds(10)");
      if (initial.isNegative() || max.compareTo(initial) < 0) {
        throw new InvalidInputException(
            "ErrorPolicy.backoff needs 0 <= initial <= max, got " + initial + " and " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Sets the exception types the {@link #maxAttempts(int)} retry rule retries (subclasses
     * included); empty means all.
     *
     * @param types the types
     * @return this builder
     */
    public Builder retryOn(List<Class<? extends Throwable>> types) {
      this.retryOn = List.copyOf(types);
      return this;
    }

    /**
     * Sets what happens when no rule matches or retries are exhausted.
     *
     * @param onFailure FAIL (default) or SKIP
     * @return this builder
     */
    public Builder onFailure(OnFailure onFailure) {
      this.onFailure =
          Arguments.notNull(
              onFailure, "ErrorPolicy.Builder.onFailure", "pass OnFailure.FAIL or OnFailure.SKIP");
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
