package dev.sandboxes.model;

import java.time.Duration;
import java.util.List;

/**
 * The rule for how long a client waits for a sandbox, volume or batch: positive and at most
 * {@link #MAX}. A wait becomes a workflow timer, and a timer the server cannot hold would fail
 * every task of the workflow it waits on.
 */
public final class WaitTimeouts {
  public static final Duration MAX = Duration.ofDays(365);

  private WaitTimeouts() {}

  /** {@code timeout}, or an {@link InvalidSpecException} naming {@code field}. */
  public static Duration valid(String field, Duration timeout) {
    String broken = timeout == null ? "must be set"
        : timeout.isNegative() || timeout.isZero() ? "must be positive, got " + timeout
        : timeout.compareTo(MAX) > 0 ? "must be at most " + MAX.toDays() + " days (" + MAX + "), got " + timeout
        : null;
    if (broken != null) {
      throw new InvalidSpecException("wait", List.of(new Violation(field, broken)));
    }
    return timeout;
  }
}
