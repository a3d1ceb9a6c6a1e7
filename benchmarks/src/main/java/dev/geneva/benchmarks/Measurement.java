package dev.geneva.benchmarks;

import java.util.Locale;

/**
 * One measured ratio and its target.
 *
 * @param id short id: {@code a}, {@code b}, {@code c1}, {@code c2}, {@code d}
 * @param title what was compared
 * @param ratio the measured ratio
 * @param target the target, or {@code NaN} when there is none
 * @param atMost true when the ratio must be at most the target, false when at least
 * @param detail the medians the ratio was computed from
 */
public record Measurement(
    String id, String title, double ratio, double target, boolean atMost, String detail) {

  /**
   * Whether the measurement has a target.
   *
   * @return true when it has one
   */
  public boolean hasTarget() {
    return !Double.isNaN(target);
  }

  /**
   * Whether the ratio meets its target (true when there is none).
   *
   * @return true when it passes
   */
  public boolean pass() {
    return !hasTarget() || (atMost ? ratio <= target : ratio >= target);
  }

  /**
   * The target as text, e.g. {@code <= 1.15}.
   *
   * @return the target, or {@code (none)}
   */
  public String targetText() {
    return hasTarget() ? String.format(Locale.ROOT, "%s %.2f", atMost ? "<=" : ">=", target) : "-";
  }

  /**
   * PASS, MISS, or {@code report} when there is no target.
   *
   * @return the verdict
   */
  public String verdict() {
    return !hasTarget() ? "report" : pass() ? "PASS" : "MISS";
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "(%s) %-52s ratio %6.3f  target %-8s %-6s  [%s]",
        id,
        title,
        ratio,
        targetText(),
        verdict(),
        detail);
  }
}
