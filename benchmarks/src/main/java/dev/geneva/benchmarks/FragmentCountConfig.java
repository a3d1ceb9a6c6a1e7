package dev.geneva.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * Sizes of benchmark (f), set with {@code --f-*} flags.
 *
 * @param rows rows of both tables of (f1) and (f2)
 * @param few fragments of the first table
 * @param many fragments of the second table
 * @param projectionFragments fragment counts of the projection's tables (f3)
 * @param projectionRowsPerFragment rows per fragment of those tables
 */
public record FragmentCountConfig(
    long rows,
    int few,
    int many,
    List<Integer> projectionFragments,
    int projectionRowsPerFragment) {

  /** Copies the list and checks the sizes. */
  public FragmentCountConfig {
    projectionFragments = List.copyOf(projectionFragments);
    if (rows < many || few < 1 || many < 1 || projectionRowsPerFragment < 1) {
      throw new IllegalArgumentException(
          "--f-rows must be at least --f-many, and --f-few, --f-many, --f-projection-rows at"
              + " least 1: "
              + rows
              + " rows, "
              + few
              + " and "
              + many
              + " fragments, "
              + projectionRowsPerFragment
              + " rows per projection fragment");
    }
    if (projectionFragments.size() < 2 || projectionFragments.stream().anyMatch(f -> f < 1)) {
      throw new IllegalArgumentException(
          "--f-projection needs at least two positive fragment counts, got " + projectionFragments);
    }
  }

  /**
   * The defaults: the 1M rows in 20 and 2,000 fragments; projection from 1k, 5k and 20k.
   *
   * @return the defaults
   */
  public static FragmentCountConfig defaults() {
    return new FragmentCountConfig(1_000_000, 20, 2_000, List.of(1_000, 5_000, 20_000), 10);
  }

  /**
   * A tiny configuration for smoke tests.
   *
   * @return the configuration
   */
  public static FragmentCountConfig tiny() {
    return new FragmentCountConfig(4_000, 2, 40, List.of(20, 40), 5);
  }

  /**
   * This configuration with one {@code --f-*} flag applied.
   *
   * @param flag e.g. {@code --f-rows}
   * @param value its value
   * @return the new configuration
   * @throws IllegalArgumentException for an unknown flag or a bad value
   */
  public FragmentCountConfig with(String flag, String value) {
    return switch (flag) {
      case "--f-rows" ->
          new FragmentCountConfig(
              BenchmarkConfig.number(value),
              few,
              many,
              projectionFragments,
              projectionRowsPerFragment);
      case "--f-few" ->
          new FragmentCountConfig(
              rows, count(value), many, projectionFragments, projectionRowsPerFragment);
      case "--f-many" ->
          new FragmentCountConfig(
              rows, few, count(value), projectionFragments, projectionRowsPerFragment);
      case "--f-projection" ->
          new FragmentCountConfig(
              rows,
              few,
              many,
              Arrays.stream(value.split(",")).map(FragmentCountConfig::count).toList(),
              projectionRowsPerFragment);
      case "--f-projection-rows" ->
          new FragmentCountConfig(rows, few, many, projectionFragments, count(value));
      default -> throw new IllegalArgumentException("unknown flag " + flag);
    };
  }

  private static int count(String v) {
    return Math.toIntExact(BenchmarkConfig.number(v));
  }
}
