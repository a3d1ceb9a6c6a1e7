package dev.geneva.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations such as {@code 90s}, {@code 30m}, {@code 2h}, {@code 7d} or ISO {@code PT2H}.
 */
public final class Durations implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(s|m|h|d)");

  /** Creates the converter (picocli instantiates it). */
  public Durations() {}

  /**
   * Parses a duration.
   *
   * @param value e.g. {@code 2h}
   * @return the duration
   * @throws CommandLine.TypeConversionException when it is malformed or negative
   */
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * Parses a duration.
   *
   * @param value e.g. {@code 2h}
   * @return the duration
   * @throws CommandLine.TypeConversionException when it is malformed or negative
   */
  public static Duration parse(String value) {
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    Matcher m = SHORT.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      Duration d = Duration.parse(value.strip());
      if (d.isNegative()) {
        throw new CommandLine.TypeConversionException("a duration must not be negative: " + value);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration: use e.g. 90s, 30m, 2h, 7d or PT2H");
    }
  }
}
