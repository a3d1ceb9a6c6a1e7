package dev.geneva.udf;

import dev.geneva.InvalidInputException;
import dev.geneva.internal.engine.Arguments;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One rule of an {@link ErrorPolicy}, as Geneva's {@code Retry}, {@code Skip} and {@code Fail}
 * matchers: an action for exceptions of some types whose message matches a regular expression.
 * Rules are tried in order and the first that matches decides.
 *
 * <pre>{@code
 * ErrorRule.retry(IOException.class).matching("(?i)rate limit").maxAttempts(5).backoff(Backoff.linear())
 * ErrorRule.skip(IllegalArgumentException.class)
 * ErrorRule.fail(OutOfMemoryError.class)
 * }</pre>
 *
 * <p>A type matches the thrown exception and its subclasses (not its causes); no type matches every
 * exception. The message pattern is searched ({@link java.util.regex.Matcher#find()}) in the
 * exception's message, an absent message being the empty string. Immutable.
 */
public final class ErrorRule {

  /** What a matching rule does. */
  public enum Action {
    /** Call the UDF again after a backoff, up to the rule's attempts in all. */
    RETRY,
    /** Write null for the row (or every row of a batch UDF's batch) and record it as failed. */
    SKIP,
    /** Stop the backfill; finished work stays checkpointed. */
    FAIL
  }

  private static final int DEFAULT_ATTEMPTS = 3;

  private final Action action;
  private final List<Class<? extends Throwable>> types;
  private final Pattern message;
  private final int maxAttempts;
  private final Backoff backoff;

  private ErrorRule(
      Action action,
      List<Class<? extends Throwable>> types,
      Pattern message,
      int maxAttempts,
      Backoff backoff) {
    for (Class<? extends Throwable> t : types) {
      Arguments.notNull(
          t, "an ErrorRule exception type", "pass exception classes such as IOException.class");
    }
    if (maxAttempts < 1) {
      throw new InvalidInputException(
          "ErrorRule.maxAttempts must be at least 1 (1 means no retry), got " + maxAttempts);
    }
    this.action = action;
    this.types = List.copyOf(types);
    this.message = message;
    this.maxAttempts = maxAttempts;
    this.backoff =
        Arguments.notNull(backoff, "ErrorRule backoff", "pass e.g. Backoff.exponential()");
  }

  /**
   * Retries exceptions of these types (any exception when none is given): 3 attempts in all with
   * Geneva's exponential backoff unless changed.
   *
   * @param types the exception types
   * @return the rule
   */
  @SafeVarargs
  public static ErrorRule retry(Class<? extends Throwable>... types) {
    return new ErrorRule(
        Action.RETRY, List.of(types), null, DEFAULT_ATTEMPTS, Backoff.exponential());
  }

  /**
   * Skips rows failing with exceptions of these types (any exception when none is given).
   *
   * @param types the exception types
   * @return the rule
   */
  @SafeVarargs
  public static ErrorRule skip(Class<? extends Throwable>... types) {
    return new ErrorRule(Action.SKIP, List.of(types), null, 1, Backoff.exponential());
  }

  /**
   * Fails the backfill on exceptions of these types (any exception when none is given), even when a
   * later rule would match.
   *
   * @param types the exception types
   * @return the rule
   */
  @SafeVarargs
  public static ErrorRule fail(Class<? extends Throwable>... types) {
    return new ErrorRule(Action.FAIL, List.of(types), null, 1, Backoff.exponential());
  }

  /**
   * The same rule, matching only exceptions whose message contains a match of {@code regex}.
   *
   * @param regex a Java regular expression, e.g. {@code "(?i)timed? ?out"}
   * @return the narrowed rule
   * @throws InvalidInputException when the expression does not compile
   */
  public ErrorRule matching(String regex) {
    Arguments.notNull(
        regex, "ErrorRule.matching", "pass a regular expression such as \"rate limit\"");
    Pattern p;
    try {
      p = Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new InvalidInputException(
          "ErrorRule.matching: '" + regex + "' is not a regular expression: " + e.getMessage(), e);
    }
    return new ErrorRule(action, types, p, maxAttempts, backoff);
  }

  /**
   * The same retry rule with another number of attempts.
   *
   * @param attempts attempts in all, at least 1
   * @return the rule
   * @throws InvalidInputException for a skip or fail rule, which never retries
   */
  public ErrorRule maxAttempts(int attempts) {
    requireRetry("maxAttempts");
    return new ErrorRule(action, types, message, attempts, backoff);
  }

  /**
   * The same retry rule with another backoff.
   *
   * @param backoff the backoff
   * @return the rule
   * @throws InvalidInputException for a skip or fail rule, which never retries
   */
  public ErrorRule backoff(Backoff backoff) {
    requireRetry("backoff");
    return new ErrorRule(action, types, message, maxAttempts, backoff);
  }

  private void requireRetry(String setting) {
    if (action != Action.RETRY) {
      throw new InvalidInputException(
          "ErrorRule." + setting + " applies to retry rules only; this rule is " + action);
    }
  }

  /**
   * Tells whether this rule applies to an exception.
   *
   * @param error the exception the UDF threw
   * @return true when its type and message match
   */
  public boolean matches(Throwable error) {
    if (!types.isEmpty() && types.stream().noneMatch(t -> t.isInstance(error))) {
      return false;
    }
    if (message == null) {
      return true;
    }
    String text = error.getMessage();
    return message.matcher(text == null ? "" : text).find();
  }

  /**
   * What the rule does.
   *
   * @return the action
   */
  public Action action() {
    return action;
  }

  /**
   * The exception types it matches; empty means all.
   *
   * @return the types
   */
  public List<Class<? extends Throwable>> types() {
    return types;
  }

  /**
   * The message pattern, or null when any message matches.
   *
   * @return the regular expression's source
   */
  public String messagePattern() {
    return message == null ? null : message.pattern();
  }

  /**
   * Attempts in all for a retry rule; 1 for the others.
   *
   * @return the attempts
   */
  public int maxAttempts() {
    return action == Action.RETRY ? maxAttempts : 1;
  }

  /**
   * The backoff of a retry rule.
   *
   * @return the backoff
   */
  public Backoff backoff() {
    return backoff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ErrorRule r
        && action == r.action
        && types.equals(r.types)
        && Objects.equals(messagePattern(), r.messagePattern())
        && maxAttempts() == r.maxAttempts()
        && (action != Action.RETRY || backoff.equals(r.backoff));
  }

  @Override
  public int hashCode() {
    return Objects.hash(action, types, messagePattern(), maxAttempts());
  }

  @Override
  public String toString() {
    return action.name().charAt(0)
        + action.name().substring(1).toLowerCase()
        + "("
        + (types.isEmpty() ? "any" : types.stream().map(Class::getSimpleName).toList())
        + (message == null ? "" : ", matching /" + message.pattern() + "/")
        + (action == Action.RETRY ? ", " + maxAttempts + " attempts, " + backoff : "")
        + ")";
  }
}
