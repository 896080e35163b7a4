package dev.sandboxes.cli;

import dev.sandboxes.model.SandboxSpec;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses durations as {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 2d} or ISO-8601 {@code PT5M},
 * positive and at most {@link #MAX} (no flag means longer: a ttl, a wait or a log window).
 */
final class DurationConverter implements ITypeConverter<Duration> {
  static final Duration MAX = SandboxSpec.MAX_TTL;
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String text = value == null ? "" : value.trim();
    if (text.startsWith("P") || text.startsWith("p")) {
      try {
        return bounded(Duration.parse(text.toUpperCase()), value);
      } catch (java.time.format.DateTimeParseException e) {
        throw e.getCause() instanceof ArithmeticException ? tooLong(value) : invalid(value);
      }
    }
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      try {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
      } catch (ArithmeticException | NumberFormatException e) {
        throw tooLong(value); // more digits than a long holds, or more seconds
      }
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw invalid(value);
    }
    return bounded(total, value);
  }

  private static Duration bounded(Duration d, String value) {
    if (d.isZero() || d.isNegative()) {
      throw new TypeConversionException("must be a positive duration, got '" + value + "'");
    }
    if (d.compareTo(MAX) > 0) {
      throw tooLong(value);
    }
    return d;
  }

  private static TypeConversionException tooLong(String value) {
    return new TypeConversionException("must be at most " + MAX.toDays() + "d, got '" + value + "'");
  }

  private static TypeConversionException invalid(String value) {
    return new TypeConversionException(
        "must be a duration such as 30s, 5m, 1h30m or PT5M, got '" + value + "'");
  }
}
