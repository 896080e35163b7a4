package dev.sandboxes.model;

import java.time.Instant;

/**
 * Which log lines to read: the last {@code tail} lines, optionally only those at or after
 * {@code since}. Lines carry the time the runtime recorded them.
 *
 * @param tail how many lines from the end; {@code null} for {@link #DEFAULT_TAIL}, at most {@link #MAX_TAIL}
 * @param since only lines recorded at or after this instant; {@code null} for all
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record LogRequest(Integer tail, Instant since) {
  public static final int DEFAULT_TAIL = 500;
  public static final int MAX_TAIL = 5000;

  /**
   * The last {@code tail} lines, from any time. Not checked here: {@link #validated()} requires 1
   * to {@link #MAX_TAIL}.
   */
  public static LogRequest lastLines(int tail) {
    return new LogRequest(tail, null);
  }

  /** The last {@link #DEFAULT_TAIL} lines, from any time. */
  public static LogRequest defaults() {
    return new LogRequest(null, null);
  }

  /** The tail to apply: the requested one or {@link #DEFAULT_TAIL}. */
  public int effectiveTail() {
    return tail == null ? DEFAULT_TAIL : tail;
  }

  /** Every broken rule; empty when the request is valid. */
  public java.util.List<Violation> violations() {
    Rules rules = new Rules();
    if (tail != null && (tail < 1 || tail > MAX_TAIL)) {
      rules.add("tail", "must be between 1 and " + MAX_TAIL + ", got " + tail);
    }
    return rules.violations();
  }

  /**
   * Returns this request, or throws {@link InvalidSpecException} when it was decoded with a field
   * it does not know ({@link UnknownFields}: only for a request read by the plugin's data
   * converter, as the {@code logs} update's validator gets it) or {@code tail} is not from 1 to
   * {@link #MAX_TAIL}. {@link #violations()} checks the rules only.
   */
  public LogRequest validated() {
    Rules rules = new Rules();
    UnknownFields.of(this).forEach(v -> rules.add(v.field(), v.message()));
    violations().forEach(v -> rules.add(v.field(), v.message()));
    rules.orThrow("log request");
    return this;
  }
}
