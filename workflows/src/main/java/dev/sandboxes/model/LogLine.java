package dev.sandboxes.model;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** One line of a sandbox's output (stdout and stderr interleaved) with the time it was recorded. */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record LogLine(Instant timestamp, String text) {

  /**
   * Parses {@code <RFC 3339 instant> <text>}, the form Kubernetes writes with timestamps on and
   * the local runtime stores. A line without a leading instant is kept whole, without a time,
   * rather than lost; a trailing carriage return is dropped.
   */
  public static LogLine parse(String raw) {
    String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    int space = line.indexOf(' ');
    if (space > 0) {
      try {
        return new LogLine(Instant.parse(line.substring(0, space)), line.substring(space + 1));
      } catch (DateTimeParseException e) {
        // not timestamped: fall through
      }
    }
    return new LogLine(null, line);
  }
}
